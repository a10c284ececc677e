import { toHex, Writer } from '@arc/core';
import { expect } from 'vitest';
import type { TestNode } from '../../src/testing.ts';
import { type AppErrorShape, appError } from './client.ts';
import type { SignedTx } from './wallet.ts';

/** Every row count a refused call must leave alone, and the mempool size. */
export async function writtenState(node: TestNode): Promise<Record<string, number>> {
  const tables = ['txs', 'tx_accounts', 'accounts', 'tokens', 'assets', 'grants', 'rejected_txs', 'faucet_claims'];
  const [row] = await node.db.query<Record<string, string | number>>(
    `SELECT ${tables.map((t) => `(SELECT count(*) FROM ${t}) AS ${t}`).join(', ')}`,
  );
  const counts = Object.fromEntries(Object.entries(row ?? {}).map(([k, v]) => [k, Number(v)]));
  return { ...counts, mempool: node.services.ledger.mempool.size };
}

/** Runs a call that must be refused, and asserts that nothing was written or queued meanwhile. */
export async function refusedWithoutWrites(node: TestNode, call: () => Promise<unknown>): Promise<AppErrorShape> {
  const before = await writtenState(node);
  const error = await appError(call());
  expect(await writtenState(node)).toEqual(before);
  return error;
}

/** Codes a node may answer bytes that are not a valid, signed transaction of this chain with. */
export const GARBAGE_CODES = [
  'MALFORMED_TX',
  'UNKNOWN_TX_TYPE',
  'TX_TOO_LARGE',
  'WRONG_CHAIN',
  'INVALID_DID',
  'INVALID_TX',
  'INVALID_SIGNATURE',
  'FEE_TOO_LOW',
];

/** The offset of the inner transaction's type tag in a transaction without a fee payer. */
export function itxTagOffset(tx: SignedTx): number {
  const { chainId, from, publicKey, nonce, fee } = tx.unsigned;
  return new Writer().u8(1).string(chainId).string(from).fixed(publicKey, 32).uint(nonce).big(fee).u8(0).finish().length;
}

/** A copy of the bytes with one byte changed (xor with a non-zero mask), as hex. */
export function withByteChanged(bytes: Uint8Array, at: number, mask = 1): string {
  const copy = bytes.slice();
  copy[at] = (copy[at] as number) ^ (mask & 0xff || 1);
  return toHex(copy);
}
