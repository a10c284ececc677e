import type * as bitcoin from 'bitcoinjs-lib';
import { RPC_CODES, RpcFailure } from './rpc-failure.ts';
import { dustThresholdSats } from './scripts.ts';

/**
 * The regtest chain's rules and records: consensus and policy bounds as Bitcoin Core sets them, the shapes of
 * coins, blocks and mempool entries, and the checks a transaction passes before any context is looked at.
 */

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
export const COINBASE_WEIGHT_RESERVED = 4_000;
export const MAX_STANDARD_TX_WEIGHT = 400_000;
/** Bitcoin Core's default -limitancestorcount: a mempool transaction with its unconfirmed ancestors. */
export const ANCESTOR_COUNT_MAX = 25;
/** Bound on the mempool; a full mempool rejects new transactions. */
export const MEMPOOL_TXS_MAX = 20_000;
/** Bound on one generatetoaddress call. */
export const GENERATE_BLOCKS_MAX = 10_000;
export const WITNESS_COMMITMENT_HEADER = Uint8Array.from([0xaa, 0x21, 0xa9, 0xed]);
export const MEDIAN_TIME_SPAN_BLOCKS = 11;

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

/** `txid:vout`, the key of an outpoint. */
export function outpointKey(txid: string, vout: number): string {
  return `${txid}:${vout}`;
}

/** A txid (display byte order) from an input's prevout hash (internal byte order). */
export function txidOf(hash: Uint8Array): string {
  return Buffer.from(hash).reverse().toString('hex');
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** Context-free checks (Bitcoin Core's CheckTransaction and the standardness rules the chain applies). */
export function checkShape(tx: bitcoin.Transaction): void {
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

export function rejected(reason: string): RpcFailure {
  return new RpcFailure(RPC_CODES.VERIFY_REJECTED, reason);
}

export function sum(values: bigint[]): bigint {
  return values.reduce((a, b) => a + b, 0n);
}

/** Satoshis as Bitcoin Core prints BTC amounts (8 decimals). */
export function btc(sats: bigint): string {
  const negative = sats < 0n;
  const abs = negative ? -sats : sats;
  return `${negative ? '-' : ''}${abs / 100_000_000n}.${String(abs % 100_000_000n).padStart(8, '0')}`;
}
