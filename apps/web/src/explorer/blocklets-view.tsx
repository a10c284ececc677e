import { Badge, type Column, CubeIcon, EmptyState, Pagination, Table } from '@arc/ui';
import Link from 'next/link';
import type { RouterOutputs } from '../trpc/types.ts';
import { formatUtc } from './format.ts';
import { AccountLink, BlockLink, TxLink } from './links.tsx';
import { ExplorerPage, Section } from './page-shell.tsx';

type Blocklet = RouterOutputs['blocklet']['list'][number];

/** Every blocklet deployed on the chain: its latest version, its aliases, its owner and the deploy transaction. */
export function BlockletsView({ blocklets, olderHref, newerHref }: { blocklets: Blocklet[]; olderHref?: string; newerHref?: string }) {
  const columns: Column<Blocklet>[] = [
    {
      key: 'name',
      header: 'Blocklet',
      cell: (b) => (
        <span id={b.name} className="flex scroll-mt-24 flex-col leading-tight">
          <span className="font-medium text-slate-900 dark:text-slate-100">{b.name}</span>
          <span className="max-w-72 truncate text-xs text-slate-500 dark:text-slate-400" title={b.description}>
            {b.title}
          </span>
        </span>
      ),
    },
    { key: 'version', header: 'Version', cell: (b) => <span className="font-mono">{b.latest.version}</span> },
    {
      key: 'aliases',
      header: 'Aliases',
      className: 'hidden md:table-cell',
      cell: (b) =>
        b.aliases.length ? (
          <span className="flex flex-wrap gap-1">
            {b.aliases.map((a) => (
              <Badge key={a.alias} tone={a.alias === 'live' ? 'emerald' : 'amber'}>
                {a.alias} → {a.version}
                {a.alias === 'canary' ? ` (${a.shareBps / 100}%)` : ''}
              </Badge>
            ))}
          </span>
        ) : (
          <span className="text-slate-500 dark:text-slate-400">none</span>
        ),
    },
    { key: 'owner', header: 'Owner', className: 'hidden lg:table-cell', cell: (b) => <AccountLink did={b.owner} /> },
    {
      key: 'deploy',
      header: 'Deployed',
      align: 'right',
      cell: (b) => (
        <span className="inline-flex flex-col items-end leading-tight">
          <TxLink hash={b.latest.txHash} head={6} tail={4} />
          <span className="text-xs text-slate-500 dark:text-slate-400">
            block <BlockLink height={b.latest.height} />
            {/* Phones have no room for the date: the block says when. */}
            <span className="hidden sm:inline">
              {' · '}
              <time dateTime={new Date(b.latest.deployedAtMs).toISOString()}>{formatUtc(b.latest.deployedAtMs).slice(0, 16)}</time>
            </span>
          </span>
        </span>
      ),
    },
  ];
  return (
    <ExplorerPage
      kicker="Explorer"
      title="Blocklet deployments"
      subtitle="Serverless components deployed on this chain. Each deploy is a ledger transaction by the blocklet’s owner."
    >
      <Section title="Blocklets" aside="by name">
        <Table
          label="Blocklets"
          columns={columns}
          rows={blocklets}
          rowKey={(b) => b.name}
          empty={
            <EmptyState
              icon={<CubeIcon />}
              title="No blocklets deployed yet"
              description={
                <>
                  Deploy one from the{' '}
                  <Link href="/console/blocklets/new" className="font-medium text-indigo-700 underline dark:text-indigo-300">
                    console
                  </Link>{' '}
                  or with <code className="font-mono">arc blocklet deploy</code>.
                </>
              }
            />
          }
        />
        {olderHref || newerHref ? (
          <Pagination
            olderHref={olderHref}
            newerHref={newerHref}
            linkAs={({ href, className, children, rel }) => (
              <Link href={href} className={className} rel={rel}>
                {children}
              </Link>
            )}
          />
        ) : null}
      </Section>
    </ExplorerPage>
  );
}
