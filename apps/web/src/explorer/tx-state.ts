/** A transaction's status as the explorer shows it (server and client alike: this module has no 'use client'). */
export type TxState =
  | { status: 'pending' }
  | { status: 'committed'; height: number }
  /** In the block at `height` with its fee charged, but its inner transaction failed (nothing else happened). */
  | { status: 'failed'; height: number; code: string; message: string }
  | { status: 'rejected'; height: number | null; code: string; message: string };

/** The badge's state from a settled tx.byHash / tx.wait answer (pending for anything not settled). */
export function txStateOf(status: {
  status: string;
  height: number | null;
  error: { code: string; message: string } | null;
  tx: { height: number } | null;
}): TxState {
  const height = status.height ?? status.tx?.height ?? 0;
  const code = status.error?.code;
  const message = status.error?.message ?? '';
  if (status.status === 'committed') return { status: 'committed', height };
  if (status.status === 'failed') return { status: 'failed', height, code: code ?? 'TX_FAILED', message };
  if (status.status === 'rejected') return { status: 'rejected', height: status.height, code: code ?? 'REJECTED', message };
  return { status: 'pending' };
}
