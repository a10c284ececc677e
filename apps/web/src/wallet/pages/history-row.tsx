import { formatAmount, shortenDid, shortenMiddle } from '@arc/ui';
import Link from 'next/link';
import { balanceChange, describeTx } from '../../chain/tx-words.ts';
import type { Tx } from '../../trpc/types.ts';

/**
 * One line of the wallet's history in words, from the account's side: "Sent to …", "Received from …", "Staked 5 ABT",
 * "Added 1 ABT to the deposit of …"; and what it moved in or out of the balance.
 */
export function HistoryRow({ tx, did, decimals, symbol }: { tx: Tx; did: string; decimals: number; symbol: string }) {
  let summary: string;
  let amount: string | null = null;
  if (tx.failed) {
    // Failed in its block: nothing it asked for happened; its payer paid the fee.
    const what = tx.itx.type === 'transfer' ? `Transfer to ${shortenDid(tx.itx.to)}` : describeTx(tx);
    summary = `${what} failed (${tx.failed.code}); the fee was charged`;
    if ((tx.feePayer ?? tx.from) === did) amount = `−${formatAmount(BigInt(tx.fee), decimals)} ${symbol}`;
  } else if (tx.itx.type === 'transfer') {
    const outgoing = tx.from === did;
    const value = BigInt(tx.itx.amount);
    const what = [
      value > 0n ? `${formatAmount(value, decimals)} ${symbol}` : null,
      tx.itx.tokens.length ? `${tx.itx.tokens.length} token amount${tx.itx.tokens.length > 1 ? 's' : ''}` : null,
      tx.itx.assets.length ? `${tx.itx.assets.length} asset${tx.itx.assets.length > 1 ? 's' : ''}` : null,
    ]
      .filter(Boolean)
      .join(', ');
    summary = outgoing ? `Sent to ${shortenDid(tx.itx.to)}` : `Received from ${shortenDid(tx.from)}`;
    amount = `${outgoing ? '−' : '+'}${what || 'nothing'}`;
  } else {
    summary = describeTx(tx);
    const change = balanceChange(tx, did);
    if (change !== null && change !== 0n) {
      amount = `${change > 0n ? '+' : '−'}${formatAmount(change > 0n ? change : -change, decimals)} ${symbol}`;
    }
  }
  return (
    <li className="flex items-center justify-between gap-3 px-4 py-3 text-sm">
      <div className="min-w-0">
        <p
          data-tx-failed={tx.failed?.code}
          className={`font-medium break-words ${tx.failed ? 'text-red-700 dark:text-red-300' : 'text-slate-900 dark:text-slate-100'}`}
        >
          {summary}
        </p>
        <p className="text-xs text-slate-500 dark:text-slate-400">
          Block {tx.height} ·{' '}
          <Link href={`/explorer/tx/${tx.hash}`} className="font-mono text-indigo-700 hover:underline dark:text-indigo-300">
            {shortenMiddle(tx.hash, 6, 4)}
          </Link>
          {tx.feePayer && tx.feePayer !== did && tx.from === did ? ` · fee paid by ${shortenDid(tx.feePayer)}` : null}
        </p>
      </div>
      {amount ? (
        <span
          className={`shrink-0 tabular-nums ${amount.startsWith('+') ? 'text-emerald-700 dark:text-emerald-400' : 'text-slate-700 dark:text-slate-300'}`}
        >
          {amount}
        </span>
      ) : null}
    </li>
  );
}
