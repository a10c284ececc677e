import { ArrowRightIcon, type Column, EmptyState, formatAmount, formatTimeAgo, InboxIcon, Table, TxTypeBadge } from '@arc/ui';
import { nativeToken } from '../chain/live.ts';
import { describeTx, typeLabel } from '../chain/tx-words.ts';
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
          {/* Phones have no room for the Type column: the type and its words go under the hash. */}
          <span className="flex flex-col items-start gap-0.5 sm:hidden">
            <TypeAndOutcome tx={tx} />
            <Summary tx={tx} className="max-w-[11rem]" />
          </span>
        </span>
      ),
    },
    {
      key: 'type',
      header: 'Type',
      className: 'hidden sm:table-cell',
      cell: (tx) => (
        <span className="flex flex-col items-start gap-0.5">
          <TypeAndOutcome tx={tx} />
          <Summary tx={tx} className="max-w-[14rem] lg:max-w-[18rem]" />
        </span>
      ),
    },
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
    {
      key: 'amount',
      header: 'Amount',
      align: 'right',
      // A failed transaction moved nothing: its amount is struck through (it paid only its fee).
      cell: (tx) =>
        tx.failed ? (
          <span className="line-through decoration-red-600 decoration-2" title="Failed: nothing moved; the fee was charged">
            <TransferAmount tx={tx} />
          </span>
        ) : (
          <TransferAmount tx={tx} />
        ),
    },
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

/** The type badge, and a red Failed mark (like Etherscan's) on a transaction that failed in its block. */
function TypeAndOutcome({ tx }: { tx: Tx }) {
  return (
    <span className="inline-flex items-center gap-1.5">
      <TxTypeBadge type={tx.type} />
      {tx.failed ? (
        <span
          data-tx-failed={tx.failed.code}
          title={`${tx.failed.code}: ${tx.failed.message} (the fee was charged, nothing else happened)`}
          className="rounded-md bg-red-50 px-1.5 py-0.5 text-xs font-medium text-red-700 ring-1 ring-red-200 ring-inset dark:bg-red-500/10 dark:text-red-300 dark:ring-red-500/30"
        >
          Failed
        </span>
      ) : null}
    </span>
  );
}

/** The transaction in words, one line (cut with an ellipsis; the whole sentence on hover). */
function Summary({ tx, className }: { tx: Tx; className: string }) {
  const words = describeTx(tx);
  // A type with no sentence of its own would only repeat its badge.
  if (words === typeLabel(tx.type)) return null;
  return (
    <span title={words} className={`block truncate text-xs text-slate-500 dark:text-slate-400 ${className}`}>
      {words}
    </span>
  );
}

/**
 * Who it is for: the recipient of a transfer, a mint or a bridge release, the grantee of a delegation, the application
 * of a billing transaction, the offender of a slash; none for the rest.
 */
export function recipientOf(tx: Tx): string | null {
  const itx = tx.itx;
  switch (itx.type) {
    case 'transfer':
    case 'mintToken':
    case 'bridgeRelease':
      return itx.to;
    case 'delegate':
    case 'revokeDelegation':
      return itx.grantee;
    case 'openApplication':
    case 'fundApplication':
    case 'withdrawDeposit':
      return itx.application;
    case 'slash':
      return itx.offender;
    default:
      return null;
  }
}

/** The ABT a transaction other than a transfer moves (staked, deposited, withdrawn, slashed, bridged), or null. */
function abtMoved(tx: Tx): string | null {
  const itx = tx.itx;
  switch (itx.type) {
    case 'stake':
    case 'unstake':
    case 'slash':
    case 'fundApplication':
    case 'withdrawDeposit':
    case 'bridgeLock':
    case 'bridgeRelease':
      return itx.amount;
    case 'openApplication':
      return itx.deposit;
    default:
      return null;
  }
}

function Abt({ amount }: { amount: string }) {
  return (
    <span className="font-medium text-slate-900 tabular-nums dark:text-slate-100" title={`${amount} in the smallest unit`}>
      {formatAmount(amount, nativeToken.decimals)}{' '}
      <span className="text-xs font-normal text-slate-500 dark:text-slate-400">{nativeToken.symbol}</span>
    </span>
  );
}

/** The ABT moved, and how many application tokens and assets move along with it. */
function TransferAmount({ tx }: { tx: Tx }) {
  if (tx.itx.type !== 'transfer') {
    const moved = abtMoved(tx);
    return moved === null ? <span className="text-slate-400 dark:text-slate-500">—</span> : <Abt amount={moved} />;
  }
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
