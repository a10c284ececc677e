import { ArrowRightIcon, type Column, EmptyState, formatAmount, formatTimeAgo, InboxIcon, Table, TxTypeBadge } from '@arc/ui';
import { nativeToken } from '../chain/live.ts';
import type { Tx } from '../trpc/types.ts';
import { formatUtc, plural } from './format.ts';
import { AccountLink, BlockLink, TxLink } from './links.tsx';

export interface TxTableProps {
  label: string;
  txs: Tx[] | undefined;
  loading?: boolean;
  /** Relative ages that count on (live tables) or fixed UTC times (server-rendered pages). */
  nowMs?: number;
  /** Leave out the block column (a block's own table). */
  showBlock?: boolean;
  empty?: { title: string; description: string };
}

/** Transactions as Etherscan lists them: hash, type, from → to, amount, block and age. */
export function TxTable({ label, txs, loading = false, nowMs, showBlock = true, empty }: TxTableProps) {
  const when = (tx: Tx) =>
    nowMs === undefined ? (
      <time dateTime={new Date(tx.timeMs).toISOString()}>{formatUtc(tx.timeMs)}</time>
    ) : (
      <time dateTime={new Date(tx.timeMs).toISOString()} title={formatUtc(tx.timeMs)}>
        {formatTimeAgo(tx.timeMs, nowMs)}
      </time>
    );
  const columns: Column<Tx>[] = [
    {
      key: 'hash',
      header: 'Hash',
      cell: (tx) => (
        <span className="flex flex-col items-start gap-1">
          <TxLink hash={tx.hash} />
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
        const to = recipientOf(tx);
        return (
          <span className="inline-flex items-center gap-1.5">
            <AccountLink did={tx.from} />
            {to ? (
              <>
                <ArrowRightIcon className="size-3.5 shrink-0 text-slate-400" aria-hidden="true" />
                <AccountLink did={to} />
              </>
            ) : null}
          </span>
        );
      },
    },
    { key: 'amount', header: 'Amount', align: 'right', cell: (tx) => <TransferAmount tx={tx} /> },
  ];
  if (showBlock) {
    columns.push({
      key: 'height',
      header: 'Block',
      align: 'right',
      className: 'hidden sm:table-cell',
      cell: (tx) => (
        <span className="inline-flex flex-col items-end leading-tight">
          <BlockLink height={tx.height} />
          <span className="text-xs text-slate-500 dark:text-slate-400">{when(tx)}</span>
        </span>
      ),
    });
  }
  return (
    <Table
      label={label}
      columns={columns}
      rows={txs}
      rowKey={(tx) => tx.hash}
      loading={loading}
      empty={
        <EmptyState
          icon={<InboxIcon />}
          title={empty?.title ?? 'No transactions yet'}
          description={empty?.description ?? 'Transactions appear here as soon as a block includes them.'}
        />
      }
    />
  );
}

/** Who receives: the recipient of a transfer, the grantee of a delegation; none for the rest. */
export function recipientOf(tx: Tx): string | null {
  if (tx.itx.type === 'transfer') return tx.itx.to;
  if (tx.itx.type === 'delegate' || tx.itx.type === 'revokeDelegation') return tx.itx.grantee;
  return null;
}

/** The ABT moved, and how many application tokens and assets move along with it. */
function TransferAmount({ tx }: { tx: Tx }) {
  if (tx.itx.type !== 'transfer') return <span className="text-slate-400 dark:text-slate-500">—</span>;
  const { amount, tokens, assets } = tx.itx;
  const extras = [tokens.length ? plural(tokens.length, 'token') : '', assets.length ? plural(assets.length, 'asset') : '']
    .filter(Boolean)
    .join(', ');
  if (amount === '0' && extras) return <span className="text-slate-600 dark:text-slate-300">{extras}</span>;
  return (
    <span className="inline-flex flex-col items-end leading-tight">
      <span className="font-medium text-slate-900 tabular-nums dark:text-slate-100" title={`${amount} in the smallest unit`}>
        {formatAmount(amount, nativeToken.decimals)}{' '}
        <span className="text-xs font-normal text-slate-500 dark:text-slate-400">{nativeToken.symbol}</span>
      </span>
      {extras ? <span className="text-xs text-slate-500 dark:text-slate-400">+ {extras}</span> : null}
    </span>
  );
}
