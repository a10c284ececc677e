import type { BlockCommitted, Ledger } from './ledger.ts';
import type { LedgerQueries, TxOut } from './queries.ts';

export interface TxStatus {
  hash: string;
  status: 'pending' | 'committed' | 'rejected' | 'unknown';
  height: number | null;
  error: { code: string; message: string } | null;
  tx: TxOut | null;
}

export const WAIT_MAX_MS = 30_000;

/** Where a transaction is: waiting, committed, rejected (with its code), or never seen. */
export async function txStatus(ledger: Ledger, queries: LedgerQueries, hash: string): Promise<TxStatus> {
  const tx = await queries.txByHash(hash);
  if (tx) return { hash, status: 'committed', height: tx.height, error: null, tx };
  if (ledger.mempool.get(hash)) return { hash, status: 'pending', height: null, error: null, tx: null };
  const error = await queries.rejection(hash);
  if (error) return { hash, status: 'rejected', height: null, error, tx: null };
  return { hash, status: 'unknown', height: null, error: null, tx: null };
}

/** Resolves once the transaction is committed or rejected, or with its pending status at the timeout. */
export async function waitForTx(ledger: Ledger, queries: LedgerQueries, hash: string, timeoutMs: number): Promise<TxStatus> {
  const settled = new Promise<void>((resolve) => {
    const onBlock = (b: BlockCommitted) => {
      if (b.txHashes.includes(hash) || b.rejected.some((r) => r.hashHex === hash)) finish();
    };
    const timer = setTimeout(finish, Math.min(timeoutMs, WAIT_MAX_MS));
    function finish() {
      clearTimeout(timer);
      ledger.events.off('block', onBlock);
      resolve();
    }
    ledger.events.on('block', onBlock);
  });
  const now = await txStatus(ledger, queries, hash);
  if (now.status !== 'pending') return now;
  await settled;
  return txStatus(ledger, queries, hash);
}
