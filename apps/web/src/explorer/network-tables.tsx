import { Badge, type Column, EmptyState, formatTimeAgo, RefreshIcon, Table } from '@arc/ui';
import type { RouterOutputs } from '../trpc/types.ts';
import { formatUtc } from './format.ts';
import { BlockLink } from './links.tsx';

export type Processes = RouterOutputs['chain']['processes'];
type Process = Processes['processes'][number];
type Failover = Processes['failovers'][number];

const muted = 'text-slate-500 dark:text-slate-400';

/** A past time as "12s ago", the exact UTC time on hover. */
export function Ago({ timeMs, nowMs }: { timeMs: number; nowMs: number }) {
  return (
    // The server's clock and the browser's render a second apart: the text may differ at hydration, and that is fine.
    <time dateTime={new Date(timeMs).toISOString()} title={formatUtc(timeMs)} suppressHydrationWarning>
      {formatTimeAgo(timeMs, nowMs)}
    </time>
  );
}

/** Alive, or gone: not seen for a few seconds (it died or was cut off). */
function Status({ alive }: { alive: boolean }) {
  return alive ? <Badge tone="emerald">alive</Badge> : <Badge tone="red">gone</Badge>;
}

/** The node's processes: which one produces, which are alive, how far each has followed the chain, where it runs. */
export function ProcessTable({ processes, nowMs }: { processes: Process[]; nowMs: number }) {
  const columns: Column<Process>[] = [
    {
      key: 'name',
      header: 'Process',
      cell: (p) => (
        <span className="inline-flex flex-col gap-0.5 leading-tight">
          <span className="inline-flex items-center gap-2">
            <span className="font-medium text-slate-900 dark:text-slate-100" data-testid="process-name">
              {p.name}
            </span>
            {/* Phones have no room for the Status, Host, PID, Started and Last seen columns: they go with the name. */}
            <span className="sm:hidden">
              <Status alive={p.alive} />
            </span>
            {p.producing ? <Badge tone="indigo">producing</Badge> : null}
          </span>
          {p.host ? (
            <span className={`max-w-48 truncate font-mono text-xs sm:hidden ${muted}`} title={p.host}>
              {p.host}
            </span>
          ) : null}
          <span className={`text-xs sm:hidden ${muted}`}>
            pid {p.pid} · started <Ago timeMs={p.startedAtMs} nowMs={nowMs} />
          </span>
        </span>
      ),
    },
    {
      key: 'status',
      header: 'Status',
      className: 'hidden sm:table-cell',
      cell: (p) => (
        <span data-testid="process-status">
          <Status alive={p.alive} />
        </span>
      ),
    },
    {
      key: 'height',
      header: 'Height',
      align: 'right',
      cell: (p) => (
        <span className="inline-flex flex-col items-end gap-0.5 leading-tight" data-testid="process-height" data-value={p.height}>
          <BlockLink height={p.height} />
          <span className={`text-xs sm:hidden ${muted}`}>
            seen <Ago timeMs={p.seenAtMs} nowMs={nowMs} />
          </span>
        </span>
      ),
    },
    {
      key: 'host',
      header: 'Host',
      className: 'hidden sm:table-cell',
      cell: (p) =>
        p.host ? (
          <span className="inline-block max-w-56 truncate align-bottom font-mono text-xs lg:max-w-72" title={p.host}>
            {p.host}
          </span>
        ) : (
          <span className={muted}>—</span>
        ),
    },
    {
      key: 'pid',
      header: 'PID',
      align: 'right',
      className: 'hidden sm:table-cell',
      cell: (p) => <span className="tabular-nums">{p.pid}</span>,
    },
    {
      key: 'started',
      header: 'Started',
      className: `hidden sm:table-cell ${muted}`,
      cell: (p) => <Ago timeMs={p.startedAtMs} nowMs={nowMs} />,
    },
    {
      key: 'seen',
      header: 'Last seen',
      className: `hidden sm:table-cell ${muted}`,
      cell: (p) => <Ago timeMs={p.seenAtMs} nowMs={nowMs} />,
    },
  ];
  return <Table label="Processes" columns={columns} rows={processes} rowKey={(p) => p.name} />;
}

/** The producer lease's take-overs, newest first: the epoch it began, who took it, from whom, at what height, when. */
export function FailoverTable({ failovers, nowMs }: { failovers: Failover[]; nowMs: number }) {
  const columns: Column<Failover>[] = [
    { key: 'epoch', header: 'Epoch', cell: (f) => <span className="tabular-nums">{f.epoch.toLocaleString('en-US')}</span> },
    {
      key: 'name',
      header: 'New producer',
      cell: (f) => (
        <span className="inline-flex flex-col leading-tight">
          <span className="font-medium text-slate-900 dark:text-slate-100">{f.name}</span>
          {/* Phones have no room for the Previous column: it goes under the new producer. */}
          <span className={`text-xs sm:hidden ${muted}`}>{f.previous ? `after ${f.previous}` : 'first holder'}</span>
        </span>
      ),
    },
    {
      key: 'previous',
      header: 'Previous',
      className: 'hidden sm:table-cell',
      cell: (f) => (f.previous ? f.previous : <span className={muted}>—</span>),
    },
    { key: 'height', header: 'Height', align: 'right', cell: (f) => <BlockLink height={f.height} /> },
    { key: 'at', header: 'When', className: muted, cell: (f) => <Ago timeMs={f.atMs} nowMs={nowMs} /> },
  ];
  return (
    <Table
      label="Producer take-overs"
      columns={columns}
      rows={failovers}
      rowKey={(f) => String(f.epoch)}
      empty={
        <EmptyState
          icon={<RefreshIcon />}
          title="No take-overs yet"
          description="The first process to hold the producer lease will be listed here, then every process that takes it over."
        />
      }
    />
  );
}
