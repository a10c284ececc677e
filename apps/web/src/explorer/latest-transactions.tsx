import { ArrowRightIcon, type Column, EmptyState, formatAmount, formatTimeAgo, Hash, InboxIcon, Panel, Table, TxTypeBadge } from '@arc/ui';
import { nativeToken } from '../chain/live.ts';
import type { Tx } from '../trpc/types.ts';

export function LatestTransactions({ txs, loading, nowMs }: { txs: Tx[] | undefined; loading: boolean; nowMs: number }) {
  const columns: Column<Tx>[] = [
    {
      key: 'hash',
      header: 'Hash',
      cell: (tx) => (
        <span className="flex flex-col items-start gap-1">
          <Hash value={tx.hash} label="transaction hash" />
          {/* Phones have no room for the Type column: the type goes under the hash. */}
          <span className="sm:hidden">
            <TxTypeBadge type={tx.type} />
          </span>
        </span>
      ),
    },
    { key: 'type', header: 'Type', className: 'hidden sm:table-cell', cell: (tx) => <TxTypeBadge type={tx.type} /> },
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
    { key: 'amount', header: 'Amount', align: 'right', cell: (tx) => <TransferAmount transfer={transferOf(tx)} /> },
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

interface Transfer {
  to: string;
  /** ABT, in the smallest unit. */
  amount: string;
  tokenCount: number;
  assetCount: number;
}

/** The ABT moved, and how many application tokens and assets move along with it. */
function TransferAmount({ transfer }: { transfer: Transfer | null }) {
  if (!transfer) return <span className="text-slate-400">—</span>;
  const extras = [plural(transfer.tokenCount, 'token'), plural(transfer.assetCount, 'asset')].filter(Boolean).join(', ');
  if (transfer.amount === '0' && extras) return <span className="text-slate-600">{extras}</span>;
  return (
    <span className="inline-flex flex-col items-end leading-tight">
      <span className="font-medium text-slate-900 tabular-nums" title={`${transfer.amount} in the smallest unit`}>
        {formatAmount(transfer.amount, nativeToken.decimals)}{' '}
        <span className="text-xs font-normal text-slate-500">{nativeToken.symbol}</span>
      </span>
      {extras ? <span className="text-xs text-slate-400">+ {extras}</span> : null}
    </span>
  );
}

function plural(count: number, noun: string): string {
  if (count === 0) return '';
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** A transfer's recipient and what it moves (the node's output schema types `itx` by its `type`). */
function transferOf(tx: Tx): Transfer | null {
  if (tx.itx.type !== 'transfer') return null;
  const { to, amount, tokens, assets } = tx.itx;
  return { to, amount, tokenCount: tokens.length, assetCount: assets.length };
}
