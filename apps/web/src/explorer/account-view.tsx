import { type Column, CopyButton, EmptyState, formatAmount, InboxIcon, KeyValueList, Pagination, Table } from '@arc/ui';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { nativeToken } from '../chain/live.ts';
import type { RouterOutputs } from '../trpc/types.ts';
import { explorerPaths } from './format.ts';
import { AssetLink, BlockLink, TokenLink } from './links.tsx';
import { ExplorerPage, Section } from './page-shell.tsx';
import { ProofCheck } from './proof-check.tsx';
import { TxTable } from './tx-table.tsx';

type Account = RouterOutputs['account']['get'];
type TxPage = RouterOutputs['tx']['listByAccount'];
type Asset = RouterOutputs['asset']['get'];

/** Cursor links for a newest-first history: the cursors of the pages before this one travel in `back`. */
export interface HistoryPaging {
  newerHref: string | undefined;
  olderHref: string | undefined;
  pageNumber: number;
}

export function AccountView({
  account,
  history,
  paging,
  assets,
  moreAssets,
}: {
  account: Account;
  history: TxPage;
  paging: HistoryPaging;
  assets: Asset[];
  moreAssets: boolean;
}) {
  const balances: { key: string; label: ReactNode; value: ReactNode }[] = [
    {
      key: 'ABT',
      label: nativeToken.symbol,
      value: (
        <span className="tabular-nums" data-testid="abt-balance" title={`${account.balance} in the smallest unit`}>
          {formatAmount(account.balance, nativeToken.decimals)} {nativeToken.symbol}
        </span>
      ),
    },
    ...account.tokens.map((t) => ({
      key: t.address,
      label: <TokenLink address={t.address} symbol={t.symbol} />,
      value: (
        <span className="tabular-nums">
          {formatAmount(t.amount, t.decimals)} {t.symbol}
        </span>
      ),
    })),
  ];
  const assetColumns: Column<Asset>[] = [
    {
      key: 'name',
      header: 'Name',
      cell: (a) => <span className="font-medium text-slate-900 dark:text-slate-100">{a.moniker || '—'}</span>,
    },
    { key: 'address', header: 'Address', cell: (a) => <AssetLink address={a.address} /> },
    {
      key: 'flags',
      header: 'Kind',
      className: 'hidden sm:table-cell',
      cell: (a) =>
        [a.transferable ? 'transferable' : 'bound', a.readonly ? 'read-only' : null, a.consumed ? 'consumed' : null]
          .filter(Boolean)
          .join(', '),
    },
    {
      key: 'since',
      header: 'Since block',
      align: 'right',
      className: 'hidden sm:table-cell',
      cell: (a) => <BlockLink height={a.createdAtHeight} />,
    },
  ];
  return (
    <ExplorerPage
      kicker="Account"
      title={account.moniker || 'Account'}
      subtitle={
        <span className="inline-flex max-w-full items-start gap-1">
          <span className="font-mono break-all" data-testid="account-did">
            {account.did}
          </span>
          <CopyButton value={account.did} label="DID" className="-my-1 shrink-0" />
        </span>
      }
    >
      <ProofCheck did={account.did} />
      <noscript>
        <p className="rounded-xl bg-amber-50 px-4 py-3 text-sm text-amber-900 ring-1 ring-amber-200 ring-inset">
          This page checks the account’s state proof in your browser, which needs JavaScript: until then these figures are the node’s word,
          not verified.
        </p>
      </noscript>
      <div className="grid gap-6 lg:grid-cols-2">
        <Section title="Balances" aside={`as of block ${account.proof.height.toLocaleString('en-US')}`}>
          <KeyValueList items={balances} />
        </Section>
        <Section title="Overview">
          <KeyValueList
            items={[
              { label: 'Name', value: account.moniker || <span className="text-slate-500 dark:text-slate-400">not declared</span> },
              { label: 'Transactions sent', value: <span className="tabular-nums">{account.nonce.toLocaleString('en-US')}</span> },
              {
                label: 'Public key',
                value: account.publicKey ? (
                  <span className="font-mono break-all">{account.publicKey}</span>
                ) : (
                  <span className="text-slate-500 dark:text-slate-400">not known until it sends its first transaction</span>
                ),
              },
              {
                label: 'State',
                value: account.exists ? 'on the ledger' : 'no state yet: it has never held anything',
              },
            ]}
          />
        </Section>
      </div>
      <Section title="Assets" aside={moreAssets ? `the first ${assets.length}` : `${assets.length} owned`}>
        <Table
          label="Assets"
          columns={assetColumns}
          rows={assets}
          rowKey={(a) => a.address}
          empty={<EmptyState icon={<InboxIcon />} title="No assets" description="Assets this account creates or receives appear here." />}
        />
      </Section>
      <Section title="History" aside={`page ${paging.pageNumber}, newest first`}>
        <TxTable
          label="Account history"
          txs={history.items}
          empty={{ title: 'No transactions yet', description: 'Transactions sent or received by this account appear here.' }}
        />
        {paging.newerHref || paging.olderHref ? (
          <Pagination
            newerHref={paging.newerHref}
            olderHref={paging.olderHref}
            status={`Page ${paging.pageNumber}`}
            linkAs={({ href, className, children, rel }) => (
              <Link href={href} className={className} rel={rel} scroll={false}>
                {children}
              </Link>
            )}
          />
        ) : null}
      </Section>
    </ExplorerPage>
  );
}

/** Where "Older" and "Newer" go from a page at `cursor` reached through the pages in `back`. */
export function historyPaging(did: string, cursor: string | undefined, back: string[], nextCursor: string | null): HistoryPaging {
  const base = explorerPaths.account(did);
  const href = (c: string | undefined, b: string[]) => {
    const params = new URLSearchParams();
    if (c) params.set('cursor', c);
    if (b.length) params.set('back', b.join(','));
    const query = params.toString();
    return query ? `${base}?${query}#history` : `${base}#history`;
  };
  const previous = back.at(-1);
  return {
    newerHref: cursor === undefined ? undefined : href(previous === '-' ? undefined : previous, back.slice(0, -1)),
    olderHref: nextCursor ? href(nextCursor, [...back, cursor ?? '-']) : undefined,
    pageNumber: back.length + 1,
  };
}
