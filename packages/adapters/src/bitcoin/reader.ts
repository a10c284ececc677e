import { eventPosition, type OcapBlock, OcapError, type OcapEvent, type OcapTx } from '@arc/core';
import type { StreamHeader } from '../shared/event-stream.ts';
import { type RpcContext, toOcapError } from './errors.ts';
import type { BitcoinRpc } from './rpc.ts';

/** Bound on remembered transaction outputs (for input addresses and fees); the oldest are forgotten first. */
export const OUTPUT_CACHE_TXS_MAX = 20_000;
/** Bound on previous transactions looked up for one transaction's inputs; beyond it the fee is reported as unknown. */
export const PREVOUT_LOOKUPS_PER_TX_MAX = 100;
export const ZERO_HASH = '0'.repeat(64);

/** The fields of Bitcoin Core's JSON the adapter reads. */
export interface CoreTx {
  txid: string;
  vin: { txid?: string; vout?: number; coinbase?: string }[];
  vout: { value: number; n: number; scriptPubKey: { hex: string; address?: string; type?: string } }[];
  blockhash?: string;
  confirmations?: number;
}

export interface CoreHeader {
  hash: string;
  height: number;
  time: number;
  previousblockhash?: string;
}

export interface CoreBlock<T = string> extends CoreHeader {
  tx: T[];
}

interface Output {
  address: string | null;
  value: bigint;
}

/** A BTC amount from Bitcoin Core's JSON (a float with 8 decimals) in satoshis, exactly. */
export function satsOf(btc: number): bigint {
  if (!Number.isFinite(btc)) throw new OcapError('INTERNAL', `The Bitcoin node answered a non-finite amount: ${btc}.`);
  const [whole, fraction = ''] = Math.abs(btc).toFixed(8).split('.');
  const sats = BigInt(whole as string) * 100_000_000n + BigInt(fraction.padEnd(8, '0'));
  return btc < 0 ? -sats : sats;
}

/** Reads blocks, transactions and events from the node through the RPC subset, mapping errors to OcapErrors. */
export class BitcoinReader {
  readonly #outputs = new Map<string, Output[]>();

  constructor(
    readonly rpc: BitcoinRpc,
    readonly chainId: () => string,
  ) {}

  /** Calls the node, turning its failures into OcapErrors read in `context`. */
  async call<T>(method: string, params: unknown[], context: RpcContext = 'lookup', options: { timeoutMs?: number } = {}): Promise<T> {
    try {
      return await this.rpc.call<T>(method, params, options);
    } catch (error) {
      throw toOcapError(error, context, this.chainId());
    }
  }

  async header(hash: string): Promise<CoreHeader> {
    return this.call<CoreHeader>('getblockheader', [hash, true]);
  }

  /** The canonical block hash at `height`, or null beyond the head. */
  async hashAt(height: number): Promise<string | null> {
    try {
      return await this.call<string>('getblockhash', [height]);
    } catch (error) {
      if (error instanceof OcapError && error.code === 'NOT_FOUND') return null;
      throw error;
    }
  }

  async block(hash: string): Promise<OcapBlock> {
    const block = await this.call<CoreBlock>('getblock', [hash, 1]);
    return toOcapBlock(block);
  }

  /** The canonical header at `height` for the event stream, or null beyond the head. */
  async streamHeader(height: number): Promise<StreamHeader | null> {
    const hash = await this.hashAt(height);
    if (hash === null) return null;
    const header = await this.header(hash);
    return { height: header.height, hash: header.hash, parentHash: header.previousblockhash ?? ZERO_HASH };
  }

  /** A transaction from the mempool or the chain (the node needs -txindex for confirmed ones). */
  async transaction(txid: string): Promise<OcapTx> {
    const raw = await this.call<CoreTx>('getrawtransaction', [txid, true]);
    this.#remember(raw);
    const inputs = await this.#inputs(raw, new Map());
    const outputs = outputsOf(raw);
    const from = inputs === 'coinbase' ? null : (inputs[0]?.address ?? null);
    const recipient = outputs.find((o) => o.address !== null && o.address !== from) ?? outputs.find((o) => o.address !== null);
    let fee: bigint | null = 0n;
    if (inputs !== 'coinbase') {
      fee = inputs.every((o) => o !== undefined) ? sum(inputs.map((o) => (o as Output).value)) - sum(outputs.map((o) => o.value)) : null;
    }
    const mined = raw.blockhash !== undefined && (raw.confirmations ?? 0) > 0;
    const blockHeight = mined ? (await this.header(raw.blockhash as string)).height : null;
    return {
      hash: raw.txid,
      status: mined ? 'success' : 'pending',
      from,
      to: recipient?.address ?? null,
      value: recipient?.value ?? 0n,
      fee,
      blockHeight,
      blockHash: mined ? (raw.blockhash as string) : null,
      confirmations: mined ? (raw.confirmations as number) : 0,
    };
  }

  /** The address that funded a raw transaction's first input (for SendResult.from), '' when unknown. */
  async firstInputAddress(txid: string, vout: number): Promise<string> {
    const outputs = await this.#outputsOf(txid, new Map());
    return outputs?.[vout]?.address ?? '';
  }

  /**
   * The native transfer events of a block: for each transaction, each output paying an address that is not
   * one of its inputs' addresses (change is not a transfer), from the first input's address (null for the
   * coinbase), in transaction and output order.
   */
  async events(header: StreamHeader): Promise<OcapEvent[]> {
    const block = await this.call<CoreBlock<CoreTx>>('getblock', [header.hash, 2]);
    const local = new Map<string, Output[]>();
    for (const tx of block.tx) local.set(tx.txid, outputsOf(tx));
    const events: OcapEvent[] = [];
    for (const tx of block.tx) {
      const inputs = await this.#inputs(tx, local);
      const inputAddresses = new Set(
        inputs === 'coinbase' ? [] : inputs.map((o) => o?.address).filter((a): a is string => typeof a === 'string'),
      );
      const from = inputs === 'coinbase' ? null : (inputs[0]?.address ?? null);
      for (const output of outputsOf(tx)) {
        if (output.address === null || inputAddresses.has(output.address) || output.value === 0n) continue;
        events.push({
          position: eventPosition(header.height, events.length),
          kind: 'transfer',
          blockHeight: header.height,
          blockHash: header.hash,
          txHash: tx.txid,
          from,
          to: output.address,
          amount: output.value,
          token: null,
          removed: false,
        });
      }
    }
    return events;
  }

  /** The outputs each input spends (undefined where unknown or beyond the lookup bound), or 'coinbase'. */
  async #inputs(tx: CoreTx, local: Map<string, Output[]>): Promise<(Output | undefined)[] | 'coinbase'> {
    if (tx.vin[0]?.coinbase !== undefined) return 'coinbase';
    const looked = new Set<string>();
    const outputs: (Output | undefined)[] = [];
    for (const input of tx.vin) {
      if (input.txid === undefined || input.vout === undefined) {
        outputs.push(undefined);
        continue;
      }
      if (!local.has(input.txid) && !this.#outputs.has(input.txid)) {
        if (looked.size >= PREVOUT_LOOKUPS_PER_TX_MAX) {
          outputs.push(undefined);
          continue;
        }
        looked.add(input.txid);
      }
      outputs.push((await this.#outputsOf(input.txid, local))?.[input.vout]);
    }
    return outputs;
  }

  async #outputsOf(txid: string, local: Map<string, Output[]>): Promise<Output[] | undefined> {
    const known = local.get(txid) ?? this.#outputs.get(txid);
    if (known) return known;
    try {
      const raw = await this.call<CoreTx>('getrawtransaction', [txid, true]);
      return this.#remember(raw);
    } catch (error) {
      if (error instanceof OcapError && error.code === 'NOT_FOUND') return undefined;
      throw error;
    }
  }

  /** A txid commits to its outputs, so they are cached for good (bounded). */
  #remember(raw: CoreTx): Output[] {
    const outputs = outputsOf(raw);
    this.#outputs.set(raw.txid, outputs);
    if (this.#outputs.size > OUTPUT_CACHE_TXS_MAX) {
      const oldest = this.#outputs.keys().next().value;
      if (oldest !== undefined) this.#outputs.delete(oldest);
    }
    return outputs;
  }
}

/** Bitcoin Core's getblock (verbosity 1) as an OcapBlock. */
export function toOcapBlock(block: CoreBlock): OcapBlock {
  return {
    height: block.height,
    hash: block.hash,
    parentHash: block.previousblockhash ?? ZERO_HASH,
    timestampMs: block.time * 1000,
    txHashes: [...block.tx],
  };
}

function outputsOf(tx: CoreTx): Output[] {
  return tx.vout.map((o) => ({ address: o.scriptPubKey.address ?? null, value: satsOf(o.value) }));
}

function sum(values: bigint[]): bigint {
  return values.reduce((a, b) => a + b, 0n);
}
