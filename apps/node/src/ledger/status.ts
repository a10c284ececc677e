import type { Ledger } from './ledger.ts';
import type { LedgerQueries, TxOut } from './queries.ts';
import type { Waiting, WaitOptions } from './tx-waiters.ts';

export interface TxStatus {
  hash: string;
  /** `failed`: in the block at `height` with its fee charged, but its inner transaction failed (`error`). */
  status: 'pending' | 'committed' | 'failed' | 'rejected' | 'unknown';
  height: number | null;
  error: { code: string; message: string } | null;
  tx: TxOut | null;
}

export const WAIT_MAX_MS = 30_000;

/** Where a transaction is: waiting, committed, failed in a block (fee charged), rejected (with its code), or never seen. */
export async function txStatus(ledger: Ledger, queries: LedgerQueries, hash: string): Promise<TxStatus> {
  // The mempool is read before the chain: a transaction leaves it only after the block holding it (or the record of
  // its rejection) committed, so one missing from the mempool here is in the chain below. Read the other way round,
  // a block committing between the two reads hid the transaction from both. The chain still answers first: after a
  // commit the node's memory failed to follow, the mempool holds committed transactions until it reloads.
  // A cloud node's queue is read before the chain too: a block deletes its rows in its own transaction.
  // A node whose memory is in step with its database and that holds the transaction in its own mempool knows it is
  // not in the chain without reading it (tx.wait looks first, and most transactions it is asked about still wait).
  if (ledger.queue === null && ledger.inStep && ledger.mempool.get(hash) !== undefined) {
    return { hash, status: 'pending', height: null, error: null, tx: null };
  }
  const waiting = ledger.awaits(hash) || (ledger.queue !== null && (await ledger.queue.holds(hash)));
  const tx = await queries.txByHash(hash);
  if (tx?.failed) return { hash, status: 'failed', height: tx.height, error: tx.failed, tx };
  if (tx) return { hash, status: 'committed', height: tx.height, error: null, tx };
  if (waiting) return { hash, status: 'pending', height: null, error: null, tx: null };
  const error = await queries.rejection(hash);
  if (error) return { hash, status: 'rejected', height: null, error, tx: null };
  return { hash, status: 'unknown', height: null, error: null, tx: null };
}

/**
 * Resolves once the transaction is committed, failed or rejected, or with its pending status at the
 * timeout (or when `signal` aborts). Open waits are bounded (tx-waiters.ts): past the bound a
 * transaction already settled is still answered, a pending one is refused with a retry hint.
 */
export async function waitForTx(
  ledger: Ledger,
  queries: LedgerQueries,
  hash: string,
  timeoutMs: number,
  options: WaitOptions = {},
): Promise<TxStatus> {
  let waiting: Waiting;
  try {
    // Waiting starts before the first look, so no block slips between the two.
    waiting = ledger.waiters.wait(hash, Math.min(timeoutMs, WAIT_MAX_MS), options);
  } catch (refusal) {
    const now = await txStatus(ledger, queries, hash);
    if (now.status !== 'pending') return now;
    throw refusal;
  }
  try {
    const now = await txStatus(ledger, queries, hash);
    if (now.status !== 'pending') return now;
    await waiting.settled;
    return await txStatus(ledger, queries, hash);
  } finally {
    waiting.cancel();
  }
}
