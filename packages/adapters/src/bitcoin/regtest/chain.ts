import * as bitcoin from 'bitcoinjs-lib';
import {
  ANCESTOR_COUNT_MAX,
  btc,
  COINBASE_MATURITY_BLOCKS,
  type Coin,
  checkShape,
  GENERATE_BLOCKS_MAX,
  INITIAL_SUBSIDY_SATS,
  MEDIAN_TIME_SPAN_BLOCKS,
  MEMPOOL_TXS_MAX,
  type MempoolEntry,
  MIN_RELAY_FEE_SAT_PER_KVB,
  outpointKey,
  rejected,
  type StoredBlock,
  SUBSIDY_HALVING_INTERVAL_BLOCKS,
  sum,
  toHex,
  txidOf,
} from './consensus.ts';
import { regtestGenesisBlock } from './genesis.ts';
import { assembleBlock } from './mining.ts';
import { RPC_CODES, RpcFailure } from './rpc-failure.ts';
import { isUnspendable, ScriptFailure, verifyInput } from './scripts.ts';
import { UtxoSet } from './utxos.ts';

// The chain's rules and records live in consensus.ts; what other files import from here stays importable.
export { COINBASE_MATURITY_BLOCKS, type StoredBlock, txidOf } from './consensus.ts';

export interface RegtestChainOptions {
  /** Seconds since the epoch for new block headers and mempool entries (default: the wall clock). */
  nowSec?: () => number;
}

/**
 * An in-process Bitcoin regtest chain: real blocks (bitcoinjs headers, merkle roots and witness commitments,
 * no proof of work), a UTXO set with undo data, and a mempool that accepts chained unconfirmed spends after
 * checking inputs, signatures, value, dust and the minimum relay fee. `invalidate` disconnects blocks and
 * returns their still-valid transactions to the mempool, as Bitcoin Core's invalidateblock does.
 */
export class RegtestChain {
  readonly network = bitcoin.networks.regtest;
  readonly #nowSec: () => number;
  readonly #blocks = new Map<string, StoredBlock>();
  readonly #active: string[] = [];
  readonly #utxos = new UtxoSet();
  readonly #txIndex = new Map<string, string>();
  readonly #mempool = new Map<string, MempoolEntry>();
  readonly #mempoolSpends = new Map<string, string>();
  #extraNonce = 0;

  constructor(options: RegtestChainOptions = {}) {
    this.#nowSec = options.nowSec ?? (() => Math.floor(Date.now() / 1000));
    const genesis = regtestGenesisBlock();
    const txs = genesis.transactions ?? [];
    const stored: StoredBlock = {
      block: genesis,
      hash: genesis.getId(),
      height: 0,
      parentHash: '0'.repeat(64),
      txs,
      txids: txs.map((tx) => tx.getId()),
      undo: [[]],
      invalid: false,
    };
    // As in Bitcoin Core, the genesis coinbase is not added to the UTXO set (it cannot be spent).
    this.#blocks.set(stored.hash, stored);
    this.#active.push(stored.hash);
  }

  get height(): number {
    return this.#active.length - 1;
  }

  get tipHash(): string {
    return this.#active[this.height] as string;
  }

  /** The block at `height` on the active chain. */
  blockAt(height: number): StoredBlock | undefined {
    const hash = this.#active[height];
    return hash === undefined ? undefined : this.#blocks.get(hash);
  }

  /** Any block this chain has seen, active or not. */
  block(hash: string): StoredBlock | undefined {
    return this.#blocks.get(hash);
  }

  isActive(stored: StoredBlock): boolean {
    return this.#active[stored.height] === stored.hash;
  }

  /** Blocks on top of and including this one on the active chain; -1 for a block off the active chain. */
  confirmations(stored: StoredBlock): number {
    return this.isActive(stored) ? this.height - stored.height + 1 : -1;
  }

  /** The median of the last 11 block times up to this block (BIP113). */
  medianTimePast(stored: StoredBlock): number {
    const times: number[] = [];
    let cursor: StoredBlock | undefined = stored;
    while (cursor && times.length < MEDIAN_TIME_SPAN_BLOCKS) {
      times.push(cursor.block.timestamp);
      cursor = this.#blocks.get(cursor.parentHash);
    }
    times.sort((a, b) => a - b);
    return times[Math.floor(times.length / 2)] as number;
  }

  /** A transaction from the mempool or the active chain (a `-txindex` node's view). */
  transaction(txid: string): { tx: bitcoin.Transaction; block?: StoredBlock; fee?: bigint } | undefined {
    const entry = this.#mempool.get(txid);
    if (entry) return { tx: entry.tx, fee: entry.fee };
    const blockHash = this.#txIndex.get(txid);
    const stored = blockHash === undefined ? undefined : this.#blocks.get(blockHash);
    if (!stored) return undefined;
    const index = stored.txids.indexOf(txid);
    return { tx: stored.txs[index] as bitcoin.Transaction, block: stored, fee: this.blockTxFee(stored, index) };
  }

  /** The fee of the index-th transaction of a block (0 for the coinbase). */
  blockTxFee(stored: StoredBlock, index: number): bigint {
    const tx = stored.txs[index];
    const spent = stored.undo[index];
    if (!tx || !spent || index === 0) return 0n;
    return sum(spent.map((c) => c.value)) - sum(tx.outs.map((o) => o.value));
  }

  mempoolEntry(txid: string): MempoolEntry | undefined {
    return this.#mempool.get(txid);
  }

  mempoolEntries(): MempoolEntry[] {
    return [...this.#mempool.values()];
  }

  /** The mempool transactions spending this transaction's outputs. */
  mempoolChildren(txid: string): string[] {
    return this.mempoolEntries()
      .filter((e) => e.parents.has(txid))
      .map((e) => e.txid);
  }

  /** All mempool ancestors of a transaction (not including itself). */
  mempoolAncestors(parents: Iterable<string>): Set<string> {
    const seen = new Set<string>();
    const stack = [...parents];
    while (stack.length > 0) {
      const txid = stack.pop() as string;
      if (seen.has(txid)) continue;
      seen.add(txid);
      for (const parent of this.#mempool.get(txid)?.parents ?? []) stack.push(parent);
    }
    return seen;
  }

  /** Confirmed unspent outputs locked by `script` (scantxoutset's view: the chainstate, not the mempool). */
  coinsOf(script: Uint8Array): Coin[] {
    return this.#utxos.lockedBy(script);
  }

  /** Number of confirmed unspent outputs. */
  get utxoCount(): number {
    return this.#utxos.size;
  }

  /** The block subsidy at `height` (regtest halving schedule). */
  subsidy(height: number): bigint {
    const halvings = Math.floor(height / SUBSIDY_HALVING_INTERVAL_BLOCKS);
    return halvings >= 64 ? 0n : INITIAL_SUBSIDY_SATS >> BigInt(halvings);
  }

  /**
   * Validates a transaction against the UTXO set and the mempool and, unless `dryRun`, adds it to the mempool.
   * Throws RpcFailure with Bitcoin Core's code and reject reason. A transaction already in the mempool is
   * accepted again without change (sendrawtransaction answers its txid).
   */
  acceptTransaction(tx: bitcoin.Transaction, options: { dryRun?: boolean } = {}): MempoolEntry {
    const txid = tx.getId();
    const existing = this.#mempool.get(txid);
    if (existing) return existing;
    if (this.#txIndex.has(txid)) throw new RpcFailure(RPC_CODES.VERIFY_ALREADY_IN_CHAIN, 'Transaction outputs already in utxo set');
    checkShape(tx);
    const spent: Coin[] = [];
    const parents = new Set<string>();
    for (const input of tx.ins) {
      const prevTxid = txidOf(input.hash);
      const key = outpointKey(prevTxid, input.index);
      if (this.#mempoolSpends.has(key)) throw rejected('txn-mempool-conflict');
      const coin = this.#utxos.get(key) ?? this.#mempoolCoin(prevTxid, input.index);
      if (!coin) throw new RpcFailure(RPC_CODES.VERIFY_ERROR, 'bad-txns-inputs-missingorspent');
      if (coin.coinbase && this.height + 1 - coin.height < COINBASE_MATURITY_BLOCKS) {
        throw rejected(`bad-txns-premature-spend-of-coinbase, tried to spend coinbase at depth ${this.height + 1 - coin.height}`);
      }
      if (coin.height < 0) parents.add(prevTxid);
      spent.push(coin);
    }
    const valueIn = sum(spent.map((c) => c.value));
    const valueOut = sum(tx.outs.map((o) => o.value));
    if (valueIn < valueOut) throw rejected(`bad-txns-in-belowout, value in (${btc(valueIn)}) < value out (${btc(valueOut)})`);
    tx.ins.forEach((_, index) => {
      try {
        verifyInput(tx, index, spent[index] as Coin);
      } catch (error) {
        if (!(error instanceof ScriptFailure)) throw error;
        throw rejected(`mandatory-script-verify-flag-failed (${error.message})`);
      }
    });
    const fee = valueIn - valueOut;
    const vsize = tx.virtualSize();
    const minFee = (BigInt(vsize) * MIN_RELAY_FEE_SAT_PER_KVB) / 1000n;
    if (fee < minFee) throw rejected(`min relay fee not met, ${fee} < ${minFee}`);
    const ancestors = this.mempoolAncestors(parents);
    if (ancestors.size + 1 > ANCESTOR_COUNT_MAX) {
      throw rejected(`too-long-mempool-chain, too many unconfirmed ancestors [limit: ${ANCESTOR_COUNT_MAX}]`);
    }
    if (this.#mempool.size >= MEMPOOL_TXS_MAX) throw rejected('mempool full');
    const entry: MempoolEntry = {
      tx,
      txid,
      wtxid: toHex(Buffer.from(tx.getHash(true)).reverse()),
      fee,
      vsize,
      weight: tx.weight(),
      timeSec: this.#nowSec(),
      height: this.height,
      parents,
    };
    if (options.dryRun) return entry;
    this.#mempool.set(txid, entry);
    for (const input of tx.ins) this.#mempoolSpends.set(outpointKey(txidOf(input.hash), input.index), txid);
    return entry;
  }

  /** Mines `count` blocks paying `script`, each taking what the mempool holds (parents before children). */
  generate(count: number, script: Uint8Array): string[] {
    if (!Number.isInteger(count) || count < 0 || count > GENERATE_BLOCKS_MAX) {
      throw new RpcFailure(RPC_CODES.INVALID_PARAMETER, `nblocks must be an integer from 0 to ${GENERATE_BLOCKS_MAX}`);
    }
    const hashes: string[] = [];
    for (let i = 0; i < count; i += 1) hashes.push(this.#mineOne(script));
    return hashes;
  }

  /**
   * Marks a block invalid. When it is on the active chain, the chain rolls back to its parent and the
   * transactions of the disconnected blocks go back to the mempool (those still valid), followed by the
   * mempool's own. Unlike Bitcoin Core, no other stored branch is activated: the tip becomes the parent.
   */
  invalidate(hash: string): void {
    const stored = this.#blocks.get(hash);
    if (!stored) throw new RpcFailure(RPC_CODES.INVALID_ADDRESS_OR_KEY, 'Block not found');
    if (stored.height === 0) throw new RpcFailure(RPC_CODES.MISC_ERROR, 'The genesis block cannot be invalidated');
    stored.invalid = true;
    if (!this.isActive(stored)) return;
    const disconnected: StoredBlock[] = [];
    while (this.height >= stored.height) disconnected.unshift(this.#disconnectTip());
    const candidates = [...disconnected.flatMap((b) => b.txs.slice(1)), ...[...this.#mempool.values()].map((e) => e.tx)];
    this.#mempool.clear();
    this.#mempoolSpends.clear();
    for (const tx of candidates) {
      try {
        this.acceptTransaction(tx);
      } catch (error) {
        // A transaction that no longer fits the chain (its inputs are gone) is dropped, as Bitcoin Core does.
        if (!(error instanceof RpcFailure)) throw error;
      }
    }
  }

  #mempoolCoin(txid: string, vout: number): Coin | undefined {
    const parent = this.#mempool.get(txid);
    const output = parent?.tx.outs[vout];
    if (!output || isUnspendable(output.script)) return undefined;
    return { txid, vout, value: output.value, script: output.script, height: -1, coinbase: false };
  }

  #mineOne(script: Uint8Array): string {
    const parent = this.blockAt(this.height) as StoredBlock;
    this.#extraNonce += 1;
    const stored = assembleBlock({
      parent,
      mempool: this.#mempool.values(),
      script,
      nowSec: this.#nowSec(),
      extraNonce: this.#extraNonce,
      subsidySats: this.subsidy(parent.height + 1),
    });
    this.#blocks.set(stored.hash, stored);
    this.#connect(stored);
    return stored.hash;
  }

  #connect(stored: StoredBlock): void {
    const undo: Coin[][] = [];
    stored.txs.forEach((tx, index) => {
      const txid = stored.txids[index] as string;
      const spent: Coin[] = [];
      if (index > 0) {
        for (const input of tx.ins) {
          const key = outpointKey(txidOf(input.hash), input.index);
          const coin = this.#utxos.get(key);
          if (!coin) throw new Error(`invariant: block ${stored.hash} spends missing ${key}`);
          this.#utxos.remove(key, coin);
          spent.push(coin);
        }
      }
      tx.outs.forEach((output, vout) => {
        if (isUnspendable(output.script)) return;
        this.#utxos.add({ txid, vout, value: output.value, script: output.script, height: stored.height, coinbase: index === 0 });
      });
      this.#txIndex.set(txid, stored.hash);
      undo.push(spent);
    });
    stored.undo = undo;
    this.#active.push(stored.hash);
    for (const txid of stored.txids) {
      const entry = this.#mempool.get(txid);
      if (!entry) continue;
      this.#mempool.delete(txid);
      for (const input of entry.tx.ins) this.#mempoolSpends.delete(outpointKey(txidOf(input.hash), input.index));
    }
    for (const entry of this.#mempool.values()) for (const txid of stored.txids) entry.parents.delete(txid);
  }

  #disconnectTip(): StoredBlock {
    const stored = this.blockAt(this.height) as StoredBlock;
    for (let index = stored.txs.length - 1; index >= 0; index -= 1) {
      const tx = stored.txs[index] as bitcoin.Transaction;
      const txid = stored.txids[index] as string;
      tx.outs.forEach((_, vout) => {
        const key = outpointKey(txid, vout);
        const coin = this.#utxos.get(key);
        if (coin) this.#utxos.remove(key, coin);
      });
      this.#txIndex.delete(txid);
      for (const coin of stored.undo[index] ?? []) this.#utxos.add(coin);
    }
    this.#active.pop();
    return stored;
  }
}
