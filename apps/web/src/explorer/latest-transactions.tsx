import { ArrowRightIcon, type Column, EmptyState, formatAmount, formatTimeAgo, Hash, InboxIcon, Panel, Table, TxTypeBadge } from '@arc/ui';
import { nativeToken } from '../chain/live.ts';
import type { Tx } from '../trpc/types.ts';

export function LatestTransactions({ txs, loading, nowMs }: { txs: Tx[] | undefined; loading: boolean; nowMs: number }) {
  const columns: Column<Tx>[] = [
    { key: 'hash', header: 'Hash', cell: (tx) => <Hash value={tx.hash} label="transaction hash" /> },
    { key: 'type', header: 'Type', cell: (tx) => <TxTypeBadge type={tx.type} /> },
    {
      key: 'parties',
      header: 'From → To',
      className: 'hidden md:table-cell',
      cell: (tx) => {
        const transfer = transferOf(tx);
        return (
          <span className="inline-flex items-center gap-1.5">
            <Hash value={tx.from} head={6} tail={6} label="sender DID" />
            {transfer ? (
              <>
                <ArrowRightIcon className="size-3.5 shrink-0 text-slate-400" />
                <Hash value={transfer.to} head={6} tail={6} label="recipient DID" />
              </>
            ) : null}
          </span>
        );
      },
    },
    {
      key: 'amount',
      header: 'Amount',
      align: 'right',
      cell: (tx) => {
        const transfer = transferOf(tx);
        if (!transfer) return <span className="text-slate-400">—</span>;
        return (
          <span className="font-medium text-slate-900 tabular-nums" title={`${transfer.amount} (smallest unit)`}>
            {formatAmount(transfer.amount, nativeToken.decimals)}{' '}
            <span className="text-xs font-normal text-slate-500">{nativeToken.symbol}</span>
          </span>
        );
      },
    },
    {
      key: 'height',
      header: 'Block',
      align: 'right',
      className: 'hidden sm:table-cell',
      cell: (tx) => (
        <span className="inline-flex flex-col items-end leading-tight">
          <span className="font-medium text-indigo-600 tabular-nums">{tx.height.toLocaleString('en-US')}</span>
          <span className="text-xs text-slate-400">{formatTimeAgo(tx.timeMs, nowMs)}</span>
        </span>
      ),
    },
  ];
  return (
    <Panel title="Latest transactions" aside="newest first">
      <Table
        label="Latest transactions"
        columns={columns}
        rows={txs}
        rowKey={(tx) => tx.hash}
        loading={loading}
        empty={
          <EmptyState
            icon={<InboxIcon />}
            title="No transactions yet"
            description="Transactions appear here as soon as a block includes them."
          />
        }
      />
    </Panel>
  );
}

/** The recipient and ABT amount of a transfer; `itx` arrives as plain JSON, so it is checked, not cast. */
function transferOf(tx: Tx): { to: string; amount: string } | null {
  if (tx.type !== 'transfer' || typeof tx.itx !== 'object' || tx.itx === null) return null;
  const itx: { to?: unknown; amount?: unknown } = tx.itx;
  return typeof itx.to === 'string' && typeof itx.amount === 'string' ? { to: itx.to, amount: itx.amount } : null;
}
