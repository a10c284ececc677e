'use client';

import { Badge, buttonClass, type Column, CubeIcon, EmptyState, formatTimeAgo, Panel, Table } from '@arc/ui';
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { ErrorNotice } from '../../components/error-notice.tsx';
import { useTRPC } from '../../trpc/react.tsx';
import { useOwnerDid } from './owner.ts';
import type { BlockletSummary } from './use-blocklet-admin.ts';

/** Blocklets fetched for the list: the node pages at most this many per call. */
const LIST_LIMIT = 100;

type Row = BlockletSummary & { invocations: number };

function AliasBadges({ aliases }: { aliases: BlockletSummary['aliases'] }) {
  if (aliases.length === 0) return <Badge tone="neutral">not routed</Badge>;
  return (
    <span className="flex flex-wrap gap-1">
      {aliases.map((alias) => (
        <Badge key={alias.alias} tone={alias.alias === 'live' ? 'emerald' : 'amber'}>
          {alias.alias} {alias.version}
          {alias.alias === 'canary' ? ` · ${alias.shareBps / 100}%` : ''}
        </Badge>
      ))}
    </span>
  );
}

/** `/console/blocklets`: the signed-in developer's blocklets, with where traffic goes, the latest deploy and calls. */
export function BlockletList() {
  const trpc = useTRPC();
  const owner = useOwnerDid();
  const list = useQuery(trpc.blocklet.list.queryOptions({ limit: LIST_LIMIT }));
  const usage = useQuery(trpc.blocklet.usage.queryOptions({}));
  const nowMs = Date.now();
  const invocations = new Map<string, number>();
  for (const record of usage.data ?? []) invocations.set(record.name, (invocations.get(record.name) ?? 0) + record.invocations);
  const rows: Row[] | undefined = list.data
    ?.filter((b) => b.owner === owner)
    .map((b) => ({ ...b, invocations: invocations.get(b.name) ?? 0 }));

  const columns: Column<Row>[] = [
    {
      key: 'name',
      header: 'Name',
      cell: (b) => (
        <span className="flex flex-col leading-tight">
          <Link href={`/console/blocklets/${b.name}`} className="font-medium text-indigo-700 hover:underline dark:text-indigo-300">
            {b.name}
          </Link>
          <span className="text-xs text-slate-500 dark:text-slate-400">{b.title}</span>
        </span>
      ),
    },
    { key: 'status', header: 'Traffic', cell: (b) => <AliasBadges aliases={b.aliases} /> },
    {
      key: 'version',
      header: 'Latest',
      className: 'hidden sm:table-cell',
      cell: (b) => <span className="font-mono text-xs">{b.latest.version}</span>,
    },
    {
      key: 'deployed',
      header: 'Last deploy',
      className: 'hidden md:table-cell',
      cell: (b) => (
        <time dateTime={new Date(b.latest.deployedAtMs).toISOString()} className="text-slate-500 dark:text-slate-400">
          {formatTimeAgo(b.latest.deployedAtMs, nowMs)}
        </time>
      ),
    },
    { key: 'calls', header: 'Invocations', align: 'right', cell: (b) => <span className="tabular-nums">{b.invocations}</span> },
  ];

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div>
          <h1 className="text-xl font-semibold text-slate-900 dark:text-slate-100">Blocklets</h1>
          <p className="text-sm text-slate-600 dark:text-slate-400">Serverless components you deployed, and where their traffic goes.</p>
        </div>
        <Link href="/console/blocklets/new" className={buttonClass()}>
          Create blocklet
        </Link>
      </div>
      {list.error ? (
        <ErrorNotice error={list.error} onRetry={() => void list.refetch()} />
      ) : (
        <Panel title="Your blocklets" aside={rows ? `${rows.length}` : undefined}>
          <Table
            label="Your blocklets"
            columns={columns}
            rows={owner === null ? [] : rows}
            rowKey={(b) => b.name}
            loading={list.isPending}
            skeletonRows={4}
            empty={
              <EmptyState
                icon={<CubeIcon />}
                title="No blocklets yet"
                description="Start from a template (HTTP API, scheduled job, price oracle, chain events) or upload a project folder."
                action={
                  <Link href="/console/blocklets/new" className={buttonClass({ variant: 'secondary' })}>
                    Create your first blocklet
                  </Link>
                }
              />
            }
          />
        </Panel>
      )}
    </div>
  );
}
