import { Badge, type Column, EmptyState, PlugOffIcon, Table } from '@arc/ui';
import type { RouterOutputs } from '../trpc/types.ts';
import { FinalityBadge } from './block-consensus.tsx';
import { attemptOrdinal, consensusCounters, formatMs, type PeerTone, peerState, percent } from './consensus-words.ts';
import { AccountLink, BlockLink } from './links.tsx';
import { Ago } from './network-tables.tsx';

export type ConsensusStatus = RouterOutputs['consensus']['status'];
type Validator = ConsensusStatus['validators'][number];
type Peer = ConsensusStatus['peers'][number];
type Timing = ConsensusStatus['recent'][number];

const muted = 'text-slate-500 dark:text-slate-400';

/** Recent heights shown; the node keeps more (TIMINGS_KEPT). */
export const recentHeightsShownMax = 20;

/** The validators of the genesis, with their weight and share of the stake; this node and its peers' states marked. */
export function ValidatorTable({ status }: { status: ConsensusStatus }) {
  const total = status.validators.reduce((sum, v) => sum + v.weight, 0);
  const stateOf = new Map(status.peers.filter((p) => p.did !== null).map((p) => [p.did, p.state]));
  const columns: Column<Validator>[] = [
    {
      key: 'did',
      header: 'Validator',
      cell: (v) => (
        <span className="inline-flex items-center gap-2">
          <AccountLink did={v.did} />
          {v.did === status.nodeDid ? <Badge tone="indigo">this node</Badge> : <PeerDot state={stateOf.get(v.did) ?? 'not a peer'} />}
        </span>
      ),
    },
    {
      key: 'weight',
      header: 'Weight',
      align: 'right',
      cell: (v) => (
        <span className="inline-flex flex-col items-end leading-tight">
          <span className="tabular-nums">{v.weight.toLocaleString('en-US')}</span>
          {/* Phones have no room for the Share column: it goes under the weight. */}
          <span className={`text-xs sm:hidden ${muted}`}>{percent(v.weight, total)}</span>
        </span>
      ),
    },
    {
      key: 'share',
      header: 'Share of stake',
      align: 'right',
      className: 'hidden sm:table-cell',
      cell: (v) => <span className="tabular-nums">{percent(v.weight, total)}</span>,
    },
  ];
  return <Table label="Validators" columns={columns} rows={status.validators} rowKey={(v) => v.did} />;
}

const dotClass: Record<PeerTone, string> = {
  good: 'bg-emerald-500',
  waiting: 'bg-amber-400',
  bad: 'bg-red-500',
  unknown: 'bg-slate-400',
};

/** A peer's state as a coloured dot and its word; the meaning on hover. */
function PeerDot({ state }: { state: string }) {
  const { tone, hint } = state === 'not a peer' ? { tone: 'unknown' as const, hint: 'this node does not dial it' } : peerState(state);
  return (
    <span className="inline-flex items-center gap-1.5 text-xs" title={hint} data-testid="peer-state" data-state={state}>
      <span aria-hidden="true" className={`size-2 shrink-0 rounded-full ${dotClass[tone]}`} />
      <span className="text-slate-700 dark:text-slate-300">{state}</span>
    </span>
  );
}

/** Who this node gossips with: state, round trip, messages each way, dropped, and why the last connection ended. */
export function PeerTable({ peers }: { peers: Peer[] }) {
  const columns: Column<Peer>[] = [
    {
      key: 'peer',
      header: 'Peer',
      cell: (p) => (
        <span className="inline-flex flex-col gap-0.5 leading-tight">
          {p.did ? <AccountLink did={p.did} /> : <span className={muted}>unknown DID</span>}
          <span className={`max-w-56 truncate font-mono text-xs ${muted}`} title={p.url ?? undefined}>
            {p.url ?? 'inbound'}
          </span>
          {/* Phones have no room for the other columns: the state, round trip and counters go under the peer. */}
          <span className="inline-flex items-center gap-2 sm:hidden">
            <PeerDot state={p.state} />
            <span className={`text-xs ${muted}`}>{p.rttMs === null ? 'no RTT yet' : `RTT ${p.rttMs.toLocaleString('en-US')} ms`}</span>
          </span>
          <span className={`text-xs sm:hidden ${muted}`}>
            in {p.messagesIn.toLocaleString('en-US')} · out {p.messagesOut.toLocaleString('en-US')} · dropped{' '}
            {p.dropped.toLocaleString('en-US')}
          </span>
          {p.lastError ? (
            <span className="max-w-72 truncate text-xs text-red-700 sm:hidden dark:text-red-300" title={p.lastError}>
              {p.lastError}
            </span>
          ) : null}
        </span>
      ),
    },
    { key: 'state', header: 'State', className: 'hidden sm:table-cell', cell: (p) => <PeerDot state={p.state} /> },
    {
      key: 'rtt',
      header: 'RTT',
      align: 'right',
      className: 'hidden sm:table-cell',
      cell: (p) =>
        p.rttMs === null ? <span className={muted}>—</span> : <span className="tabular-nums">{p.rttMs.toLocaleString('en-US')} ms</span>,
    },
    {
      key: 'in',
      header: 'Messages in',
      align: 'right',
      className: 'hidden sm:table-cell',
      cell: (p) => <span className="tabular-nums">{p.messagesIn.toLocaleString('en-US')}</span>,
    },
    {
      key: 'out',
      header: 'Messages out',
      align: 'right',
      className: 'hidden sm:table-cell',
      cell: (p) => <span className="tabular-nums">{p.messagesOut.toLocaleString('en-US')}</span>,
    },
    {
      key: 'dropped',
      header: 'Dropped',
      align: 'right',
      className: 'hidden sm:table-cell',
      cell: (p) => (
        <span className={`tabular-nums ${p.dropped > 0 ? 'font-medium text-amber-700 dark:text-amber-300' : ''}`}>
          {p.dropped.toLocaleString('en-US')}
        </span>
      ),
    },
    {
      key: 'error',
      header: 'Last error',
      className: 'hidden sm:table-cell',
      cell: (p) =>
        p.lastError ? (
          <span className="inline-block max-w-64 truncate align-bottom text-red-700 dark:text-red-300" title={p.lastError}>
            {p.lastError}
          </span>
        ) : (
          <span className={muted}>—</span>
        ),
    },
  ];
  return (
    <Table
      label="Peers"
      columns={columns}
      rows={peers}
      rowKey={(p) => `${p.did ?? ''}|${p.url ?? ''}`}
      empty={
        <EmptyState
          icon={<PlugOffIcon />}
          title="No peers"
          description="This node dials no other node and none has dialed it: it is started without CONSENSUS_PEERS."
        />
      }
    />
  );
}

/** The node's counters since it started, each with what it counts. */
export function ConsensusCounters({ counts }: { counts: Record<string, number> }) {
  const known = new Set(consensusCounters.map((c) => c.key));
  const items = [
    ...consensusCounters.filter((c) => counts[c.key] !== undefined),
    ...Object.keys(counts)
      .filter((key) => !known.has(key))
      .map((key) => ({ key, label: key, hint: '' })),
  ];
  return (
    <dl className="grid grid-cols-2 gap-px bg-slate-100 sm:grid-cols-3 lg:grid-cols-6 dark:bg-slate-800">
      {items.map((c) => {
        const value = counts[c.key] ?? 0;
        const alarming = (c.key === 'equivocations' || c.key === 'stuck') && value > 0;
        return (
          <div key={c.key} className="flex flex-col gap-1 bg-white px-4 py-3 dark:bg-slate-900">
            <dt className="text-xs font-medium tracking-wide text-slate-500 uppercase dark:text-slate-400">{c.label}</dt>
            <dd
              className={`text-lg font-semibold tabular-nums ${alarming ? 'text-red-700 dark:text-red-300' : 'text-slate-900 dark:text-slate-100'}`}
              data-testid={`count-${c.key}`}
            >
              {value.toLocaleString('en-US')}
            </dd>
            {c.hint ? <dd className={`text-xs text-pretty ${muted}`}>{c.hint}</dd> : null}
          </div>
        );
      })}
    </dl>
  );
}

/**
 * How a recent height ended on this node: decided here; still being agreed on (the current height); or passed by,
 * its block fetched from a peer that had decided it first (the node then never saw it decided itself).
 */
function outcome(t: Timing, currentHeight: number): 'decided' | 'deciding' | 'caught up' {
  if (t.decidedAtMs !== null) return 'decided';
  return t.height >= currentHeight ? 'deciding' : 'caught up';
}

/** The newest heights this node agreed on: when it started, how long deciding took, in which attempt, final or not. */
export function RecentHeightsTable({ recent, currentHeight, nowMs }: { recent: Timing[]; currentHeight: number; nowMs: number }) {
  const columns: Column<Timing>[] = [
    {
      key: 'height',
      header: 'Height',
      cell: (t) =>
        // A height still being agreed on has no block page yet.
        outcome(t, currentHeight) === 'deciding' ? (
          <span className="tabular-nums" data-height={t.height}>
            {t.height.toLocaleString('en-US')}
          </span>
        ) : (
          <BlockLink height={t.height} />
        ),
    },
    {
      key: 'started',
      header: 'Started',
      className: `hidden sm:table-cell ${muted}`,
      cell: (t) => <Ago timeMs={t.startedAtMs} nowMs={nowMs} />,
    },
    {
      key: 'took',
      header: 'Time to decide',
      align: 'right',
      cell: (t) =>
        t.decidedAtMs === null ? (
          <span className={muted}>{outcome(t, currentHeight) === 'deciding' ? 'deciding…' : 'decided by peers first'}</span>
        ) : (
          <span className="inline-flex flex-col items-end leading-tight">
            <span className="tabular-nums" data-testid="time-to-decide">
              {formatMs(t.decidedAtMs - t.startedAtMs)}
            </span>
            {/* Phones have no room for the Attempt column: it goes under the time. */}
            <span className={`text-xs sm:hidden ${muted}`}>{attemptOrdinal(t.attempt)} attempt</span>
          </span>
        ),
    },
    {
      key: 'attempt',
      header: 'Attempt',
      align: 'right',
      className: 'hidden sm:table-cell',
      cell: (t) =>
        t.decidedAtMs === null ? <span className={muted}>—</span> : <span className="tabular-nums">{attemptOrdinal(t.attempt)}</span>,
    },
    {
      key: 'result',
      header: 'Result',
      cell: (t) => {
        const ended = outcome(t, currentHeight);
        if (ended === 'deciding') return <Badge tone="sky">in progress</Badge>;
        if (ended === 'caught up') {
          return (
            <span title="This node fell behind: it fetched the block, with its certificate, from a peer that had decided it">
              <Badge>caught up</Badge>
            </span>
          );
        }
        return <FinalityBadge final={t.final} />;
      },
    },
  ];
  return (
    <Table
      label="Recent heights"
      columns={columns}
      rows={recent.slice(0, recentHeightsShownMax)}
      rowKey={(t) => String(t.height)}
      empty={<EmptyState title="No heights yet" description="The heights this node agrees on appear here from its start." />}
    />
  );
}
