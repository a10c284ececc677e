'use client';

import { type Column, EmptyState, Table } from '@arc/ui';
import { useQuery } from '@tanstack/react-query';
import { ErrorNotice } from '../../components/error-notice.tsx';
import { useTRPC } from '../../trpc/react.tsx';
import type { RouterOutputs } from '../../trpc/types.ts';

type UsageRecord = RouterOutputs['blocklet']['usage'][number];

/** The Usage tab: metered records per version per hour, what the node bills the blocklet's use by. */
export function UsageTab({ name }: { name: string }) {
  const trpc = useTRPC();
  const usage = useQuery({ ...trpc.blocklet.usage.queryOptions({ name }), refetchInterval: 15_000 });
  const columns: Column<UsageRecord>[] = [
    { key: 'period', header: 'Hour (UTC)', cell: (u) => new Date(u.periodStartMs).toISOString().slice(0, 16).replace('T', ' ') },
    { key: 'version', header: 'Version', cell: (u) => <span className="font-mono text-xs">{u.version}</span> },
    { key: 'calls', header: 'Invocations', align: 'right', cell: (u) => u.invocations },
    { key: 'errors', header: 'Errors', align: 'right', cell: (u) => u.errors },
    { key: 'cpu', header: 'CPU ms', align: 'right', className: 'hidden sm:table-cell', cell: (u) => u.cpuMs },
    { key: 'wall', header: 'Wall ms', align: 'right', className: 'hidden md:table-cell', cell: (u) => u.wallMs },
    { key: 'mem', header: 'MB·ms', align: 'right', className: 'hidden md:table-cell', cell: (u) => u.memoryMbMs },
  ];
  if (usage.error) return <ErrorNotice error={usage.error} onRetry={() => void usage.refetch()} />;
  return (
    <Table
      label="Usage by hour"
      columns={columns}
      rows={usage.data}
      loading={usage.isPending}
      rowKey={(u) => `${u.periodStartMs}-${u.version}`}
      empty={
        <EmptyState title="No usage yet" description="Each call is metered by the hour; call the blocklet and its usage shows here." />
      }
    />
  );
}
