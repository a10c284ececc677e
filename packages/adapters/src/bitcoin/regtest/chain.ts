import * as bitcoin from 'bitcoinjs-lib';
import { REGTEST_BITS, regtestGenesisBlock } from './genesis.ts';
import { RPC_CODES, RpcFailure } from './rpc-failure.ts';
import { dustThresholdSats, isUnspendable, ScriptFailure, verifyInput } from './scripts.ts';

/** Consensus: a coinbase output can be spent once it has this many confirmations (as on every Bitcoin network). */
export const COINBASE_MATURITY_BLOCKS = 100;
/** Regtest halves the block subsidy every 150 blocks. */
export const SUBSIDY_HALVING_INTERVAL_BLOCKS = 150;
export const INITIAL_SUBSIDY_SATS = 5_000_000_000n;
export const MAX_MONEY_SATS = 21_000_000n * 100_000_000n;
/** Bitcoin Core's default -minrelaytxfee: 1 sat/vB. */
export const MIN_RELAY_FEE_SAT_PER_KVB = 1000n;
export const MAX_BLOCK_WEIGHT = 4_000_000;
/** Weight kept free for the coinbase when filling a block. */
const COINBASE_WEIGHT_RESERVED = 4_000;
export const MAX_STANDARD_TX_WEIGHT = 400_000;
/** Bitcoin Core's default -limitancestorcount: a mempool transaction with its unconfirmed ancestors. */
export const ANCESTOR_COUNT_MAX = 25;
/** Bound on the mempool; a full mempool rejects new transactions. */
export const MEMPOOL_TXS_MAX = 20_000;
/** Bound on one generatetoaddress call. */
export const GENERATE_BLOCKS_MAX = 10_000;
const WITNESS_COMMITMENT_HEADER = Uint8Array.from([0xaa, 0x21, 0xa9, 0xed]);
const MEDIAN_TIME_SPAN_BLOCKS = 11;

/** An unspent output: confirmed (height ≥ 0) or created by a mempool transaction (height -1). */
export interface Coin {
  txid: string;
  vout: number;
  value: bigint;
  script: Uint8Array;
  height: number;
  coinbase: boolean;
}

export interface StoredBlock {
  block: bitcoin.Block;
  hash: string;
  height: number;
  parentHash: string;
  txs: bitcoin.Transaction[];
  txids: string[];
  /** The outputs each transaction spent, in input order (empty for the coinbase); kept after a disconnect. */
  undo: Coin[][];
  invalid: boolean;
}

export interface MempoolEntry {
  tx: bitcoin.Transaction;
  txid: string;
  wtxid: string;
  fee: bigint;
  vsize: number;
  weight: number;
  timeSec: number;
  /** Chain height when it entered the mempool. */
  height: number;
  /** The mempool transactions whose outputs it spends. */
  parents: Set<string>;
}

export interface RegtestChainOptions {
  /** Seconds since the epoch for new block headers and mempool entries (default: the wall clock). */
  nowSec?: () => number;
}

/** `txid:vout`, the key of an outpoint. */
export function outpointKey(txid: string, vout: number): string {
  return `${txid}:${vout}`;
}

/** A txid (display byte order) from an input's prevout hash (internal byte order). */
export function txidOf(hash: Uint8Array): string {
  return Buffer.from(hash).reverse().toString('hex');
}

function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
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
  readonly #utxos = new Map<string, Coin>();
  readonly #utxosByScript = new Map<string, Set<string>>();
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
    const keys = this.#utxosByScript.get(toHex(script)) ?? new Set<string>();
    return [...keys].map((key) => this.#utxos.get(key) as Coin);
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
    const height = this.height + 1;
    const parent = this.blockAt(this.height) as StoredBlock;
    const selected: MempoolEntry[] = [];
    const included = new Set<string>();
    let weight = COINBASE_WEIGHT_RESERVED;
    for (const entry of this.#mempool.values()) {
      if (weight + entry.weight > MAX_BLOCK_WEIGHT) continue;
      if (![...entry.parents].every((p) => included.has(p))) continue;
      selected.push(entry);
      included.add(entry.txid);
      weight += entry.weight;
    }
    const coinbase = this.#coinbase(height, script, sum(selected.map((e) => e.fee)));
    const txs = [coinbase, ...selected.map((e) => e.tx)];
    const commitment = bitcoin.Block.calculateMerkleRoot(txs, true);
    coinbase.addOutput(bitcoin.script.compile([bitcoin.opcodes.OP_RETURN, Buffer.concat([WITNESS_COMMITMENT_HEADER, commitment])]), 0n);
    const block = new bitcoin.Block();
    block.version = 0x20000000;
    block.prevHash = parent.block.getHash();
    block.merkleRoot = bitcoin.Block.calculateMerkleRoot(txs);
    block.timestamp = Math.max(this.#nowSec(), parent.block.timestamp);
    block.bits = REGTEST_BITS;
    block.nonce = 0;
    block.transactions = txs;
    const stored: StoredBlock = {
      block,
      hash: block.getId(),
      height,
      parentHash: parent.hash,
      txs,
      txids: txs.map((tx) => tx.getId()),
      undo: [],
      invalid: false,
    };
    this.#blocks.set(stored.hash, stored);
    this.#connect(stored);
    return stored.hash;
  }

  #coinbase(height: number, script: Uint8Array, fees: bigint): bitcoin.Transaction {
    this.#extraNonce += 1;
    const extraNonce = Buffer.alloc(8);
    extraNonce.writeBigUInt64LE(BigInt(this.#extraNonce));
    const tx = new bitcoin.Transaction();
    tx.version = 2;
    // BIP34: the height first; the extra nonce keeps every coinbase (and so every block) unique.
    tx.addInput(new Uint8Array(32), 0xffffffff, 0xffffffff, bitcoin.script.compile([bitcoin.script.number.encode(height), extraNonce]));
    tx.setWitness(0, [new Uint8Array(32)]);
    tx.addOutput(script, this.subsidy(height) + fees);
    return tx;
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
          this.#removeUtxo(key, coin);
          spent.push(coin);
        }
      }
      tx.outs.forEach((output, vout) => {
        if (isUnspendable(output.script)) return;
        this.#addUtxo({ txid, vout, value: output.value, script: output.script, height: stored.height, coinbase: index === 0 });
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
        if (coin) this.#removeUtxo(key, coin);
      });
      this.#txIndex.delete(txid);
      for (const coin of stored.undo[index] ?? []) this.#addUtxo(coin);
    }
    this.#active.pop();
    return stored;
  }

  #addUtxo(coin: Coin): void {
    const key = outpointKey(coin.txid, coin.vout);
    this.#utxos.set(key, coin);
    const scriptHex = toHex(coin.script);
    const keys = this.#utxosByScript.get(scriptHex) ?? new Set<string>();
    keys.add(key);
    this.#utxosByScript.set(scriptHex, keys);
  }

  #removeUtxo(key: string, coin: Coin): void {
    this.#utxos.delete(key);
    const scriptHex = toHex(coin.script);
    const keys = this.#utxosByScript.get(scriptHex);
    keys?.delete(key);
    if (keys?.size === 0) this.#utxosByScript.delete(scriptHex);
  }
}

/** Context-free checks (Bitcoin Core's CheckTransaction and the standardness rules the chain applies). */
function checkShape(tx: bitcoin.Transaction): void {
  if (tx.isCoinbase()) throw rejected('coinbase');
  if (tx.ins.length === 0) throw rejected('bad-txns-vin-empty');
  if (tx.outs.length === 0) throw rejected('bad-txns-vout-empty');
  if (tx.weight() > MAX_STANDARD_TX_WEIGHT) throw rejected('tx-size');
  let total = 0n;
  for (const output of tx.outs) {
    if (output.value < 0n) throw rejected('bad-txns-vout-negative');
    if (output.value > MAX_MONEY_SATS) throw rejected('bad-txns-vout-toolarge');
    total += output.value;
    if (total > MAX_MONEY_SATS) throw rejected('bad-txns-txouttotal-toolarge');
    if (output.value < dustThresholdSats(output.script)) throw rejected('dust');
  }
  const seen = new Set<string>();
  for (const input of tx.ins) {
    const key = outpointKey(txidOf(input.hash), input.index);
    if (seen.has(key)) throw rejected('bad-txns-inputs-duplicate');
    seen.add(key);
  }
}

function rejected(reason: string): RpcFailure {
  return new RpcFailure(RPC_CODES.VERIFY_REJECTED, reason);
}

function sum(values: bigint[]): bigint {
  return values.reduce((a, b) => a + b, 0n);
}

/** Satoshis as Bitcoin Core prints BTC amounts (8 decimals). */
export function btc(sats: bigint): string {
  const negative = sats < 0n;
  const abs = negative ? -sats : sats;
  return `${negative ? '-' : ''}${abs / 100_000_000n}.${String(abs % 100_000_000n).padStart(8, '0')}`;
}
