'use client';

import { SMALL_NETWORK_PARAMS } from '@arc/core';
import { Badge, CopyButton, StatCard } from '@arc/ui';
import { useQuery } from '@tanstack/react-query';
import { refreshIntervalMs } from '../chain/live.ts';
import { useTRPC } from '../trpc/react.tsx';
import {
  ConsensusCounters,
  type ConsensusStatus,
  PeerTable,
  RecentHeightsTable,
  recentHeightsShownMax,
  ValidatorTable,
} from './consensus-tables.tsx';
import { attemptOrdinal, phaseWords, stepName, weightNeeded } from './consensus-words.ts';
import { AccountLink } from './links.tsx';
import { Section } from './page-shell.tsx';

const codeClass =
  'rounded bg-slate-100 px-1 py-0.5 font-mono whitespace-nowrap text-xs text-slate-800 dark:bg-slate-800 dark:text-slate-200';
const muted = 'text-slate-500 dark:text-slate-400';

/** This node's view of consensus, asked again every refreshIntervalMs: a height is decided about every second. */
export function useConsensusStatus(initial: ConsensusStatus | null) {
  const trpc = useTRPC();
  return useQuery(trpc.consensus.status.queryOptions(undefined, { initialData: initial ?? undefined, refetchInterval: refreshIntervalMs }));
}

/**
 * Consensus on the network page: on a chain run by validators, this node, the height, attempt, step and phase it is
 * at, the validators, its peers, its counters and how long recent heights took; on a one-node chain, one line.
 */
export function ConsensusView({ status, nowMs }: { status: ConsensusStatus | undefined; nowMs: number }) {
  if (!status) return null;
  if (!status.enabled) {
    return (
      <Section title="Consensus" aside="one node">
        <p className={`px-4 py-3 text-sm ${muted}`} data-testid="one-node-chain">
          This chain runs on one node (no validators in its genesis); <code className={codeClass}>npm run cluster -- --nodes 4</code> starts
          a network.
        </p>
      </Section>
    );
  }
  const connected = status.peers.filter((p) => p.state === 'connected').length;
  const total = status.validators.reduce((sum, v) => sum + v.weight, 0);
  const phase = phaseWords(status.phase, status.step);
  return (
    <>
      <div className="grid grid-cols-2 gap-4 lg:grid-cols-4" data-testid="consensus-summary">
        <StatCard
          label="This node"
          className="col-span-2 lg:col-span-1"
          value={
            <span className="inline-flex max-w-full items-center gap-1 text-base">
              <AccountLink did={status.nodeDid} />
              <CopyButton value={status.nodeDid} label="node DID" className="-my-1 shrink-0" />
            </span>
          }
          hint={
            <span className="inline-flex flex-wrap items-center gap-1.5" data-testid="node-role">
              {status.validator ? <Badge tone="indigo">validator</Badge> : <Badge>follower</Badge>}
              {status.validator ? 'it votes on every block' : 'not in the genesis list of validators: it follows their votes'}
            </span>
          }
        />
        <StatCard
          label="Agreeing on"
          value={
            <span data-testid="consensus-height" data-value={status.height}>
              Block {status.height.toLocaleString('en-US')}
            </span>
          }
          hint={
            <span data-testid="consensus-step">
              {attemptOrdinal(status.attempt)} attempt{status.step > 0 ? ` · ${stepName(status.step)}` : null}
            </span>
          }
        />
        <StatCard
          label="Peers"
          value={<span data-testid="peers-connected">{`${connected} / ${status.peers.length}`}</span>}
          hint="connected / known"
        />
        <StatCard
          label="Phase"
          className="col-span-2 lg:col-span-1"
          value={<span data-testid="consensus-phase">{phase.title}</span>}
          hint={phase.hint}
        />
      </div>
      <Section title="Validators" aside={`${status.validators.length} in the genesis`}>
        <ValidatorTable status={status} />
        <p className={`border-t border-slate-200 px-4 py-3 text-xs dark:border-slate-800 ${muted}`}>
          Weight is stake in whole ABT; the total is {total.toLocaleString('en-US')}. A step passes when votes weigh more than 2/3 of it (at
          least {weightNeeded(total, SMALL_NETWORK_PARAMS.thresholdStep).toLocaleString('en-US')}).
        </p>
      </Section>
      <Section title="Peers" aside="this node's gossip connections">
        <PeerTable peers={status.peers} />
      </Section>
      <Section title="Counters" aside="since this node started">
        <ConsensusCounters counts={status.counts} />
      </Section>
      <Section
        title="Recent heights"
        aside={
          status.recent.length > recentHeightsShownMax
            ? `the newest ${recentHeightsShownMax}, as this node saw them`
            : 'newest first, as this node saw them'
        }
      >
        <RecentHeightsTable recent={status.recent} currentHeight={status.height} nowMs={nowMs} />
      </Section>
    </>
  );
}
