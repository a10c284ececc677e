import type { TxResult } from '@arc/client';
import type { Context } from './context.ts';

/** Prints a sent transaction: what it did, its hash, and where it stands. */
export function printTxResult(ctx: Context, result: TxResult, lines: [string, string][], extra: object = {}): void {
  const where =
    result.status === 'committed'
      ? `committed in block ${result.height}`
      : result.status === 'failed'
        ? `failed in block ${result.height} (its fee was charged, nothing else happened)`
        : 'pending (accepted by the node, not yet in a block)';
  ctx.result({ hash: result.hash, status: result.status, height: result.height, nonce: result.tx.nonce, fee: result.tx.fee, ...extra }, [
    ...lines,
    ['tx', result.hash],
    ['status', where],
  ]);
}
