'use client';

import { StatCard } from '@arc/ui';
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { refreshIntervalMs } from '../chain/live.ts';
import { useNowMs } from '../chain/use-now.ts';
import { describeError, isNodeUnreachable } from '../trpc/errors.ts';
import { useTRPC } from '../trpc/react.tsx';
import type { ConsensusStatus } from './consensus-tables.tsx';
import { ConsensusView, useConsensusStatus } from './consensus-view.tsx';
import { Ago, FailoverTable, type Processes, ProcessTable } from './network-tables.tsx';
import { NodeUnreachable, StaleDataBanner } from './node-unreachable.tsx';
import { ExplorerPage, Section } from './page-shell.tsx';

const codeClass =
  'rounded bg-slate-100 px-1 py-0.5 font-mono whitespace-nowrap text-xs text-slate-800 dark:bg-slate-800 dark:text-slate-200';

/**
 * The network, live: on a chain run by validators, how they agree on each block as this node sees it (consensus-view);
 * then the node's processes: which one holds the producer lease and makes the blocks, which are alive, how far each
 * has followed the chain, and the lease's take-overs. Asked again every refreshIntervalMs: a take-over happens within
 * seconds, and no realtime topic announces one.
 */
export function NetworkView({
  nodeUrl,
  initial,
  initialConsensus,
}: {
  nodeUrl: string;
  initial: Processes | null;
  initialConsensus: ConsensusStatus | null;
}) {
  const trpc = useTRPC();
  const nowMs = useNowMs();
  const network = useQuery(
    trpc.chain.processes.queryOptions(undefined, { initialData: initial ?? undefined, refetchInterval: refreshIntervalMs }),
  );
  const consensus = useConsensusStatus(initialConsensus);
  const retry = () => {
    void network.refetch();
    void consensus.refetch();
  };
  const validators = consensus.data?.enabled === true;

  if (!network.data) {
    return (
      <NetworkPage>
        {network.error ? (
          <NodeUnreachable
            message={describeError(network.error, nodeUrl)}
            unreachable={isNodeUnreachable(network.error)}
            onRetry={retry}
            retrying={network.isFetching}
          />
        ) : (
          <Summary data={undefined} nowMs={nowMs} />
        )}
      </NetworkPage>
    );
  }

  const { data } = network;
  const error = network.error ?? consensus.error;
  return (
    <NetworkPage validators={validators} aside={<span data-testid="live-state">Refreshing every {refreshIntervalMs / 1000} s</span>}>
      {error ? (
        <StaleDataBanner
          message={describeError(error, nodeUrl)}
          sinceMs={Math.min(network.dataUpdatedAt, consensus.dataUpdatedAt || network.dataUpdatedAt)}
          onRetry={retry}
        />
      ) : null}
      {validators ? <GroupHeading id="consensus">Consensus</GroupHeading> : null}
      <ConsensusView status={consensus.data} nowMs={nowMs} />
      {validators ? <GroupHeading id="processes">This node&apos;s processes</GroupHeading> : null}
      <Summary data={data} nowMs={nowMs} validators={validators} />
      <Section title="Processes" aside={data.cloud ? 'by name' : 'one process'}>
        <ProcessTable processes={data.processes} nowMs={nowMs} />
        {data.cloud ? null : (
          <p className="border-t border-slate-200 px-4 py-3 text-sm text-slate-500 dark:border-slate-800 dark:text-slate-400">
            This node runs as one process, which {validators ? 'proposes and votes for it' : 'makes every block'}. Started with{' '}
            <code className={codeClass}>DATABASE_URL</code> and <code className={codeClass}>REDIS_URL</code> set and{' '}
            <code className={codeClass}>npm start -- --processes 3</code>, it runs as several, and another takes over making blocks if the
            producer dies.
          </p>
        )}
      </Section>
      {data.cloud ? (
        <Section title="Producer take-overs" aside="newest first">
          <FailoverTable failovers={data.failovers} nowMs={nowMs} />
        </Section>
      ) : null}
    </NetworkPage>
  );
}

/** Sets the consensus part of a chain run by validators apart from the node's processes. */
function GroupHeading({ id, children }: { id: string; children: ReactNode }) {
  return (
    <h2 id={id} className="pt-2 text-lg font-semibold tracking-tight text-slate-900 dark:text-slate-100">
      {children}
    </h2>
  );
}

function NetworkPage({ aside, children, validators = false }: { aside?: ReactNode; children: ReactNode; validators?: boolean }) {
  return (
    <ExplorerPage
      kicker="Explorer"
      title="Network"
      subtitle={
        validators
          ? 'Validator nodes agree on each block by vote: first how they are doing, as this node sees it; then this node, which is one or more processes sharing one database.'
          : 'A node is one or more processes sharing one database. One of them holds the producer lease and makes the blocks; if it dies, another takes the lease over within seconds.'
      }
      aside={aside}
    >
      {children}
    </ExplorerPage>
  );
}

/** The network in three cards: processes alive of all, the producer and its lease epoch, the process that answered. */
function Summary({ data, nowMs, validators = false }: { data: Processes | undefined; nowMs: number; validators?: boolean }) {
  const loading = data === undefined;
  const alive = data?.processes.filter((p) => p.alive).length ?? 0;
  return (
    <div className="grid grid-cols-2 gap-4 lg:grid-cols-3">
      <StatCard
        label="Processes"
        loading={loading}
        value={data ? <span data-testid="processes-alive">{`${alive} / ${data.processes.length}`}</span> : null}
        hint="alive / all"
      />
      <ProducerCard data={data} nowMs={nowMs} validators={validators} />
      <StatCard
        label="Answered by"
        loading={loading}
        className="col-span-2 lg:col-span-1"
        value={data ? <span className="break-all">{data.self}</span> : null}
        hint={data?.cloud ? 'the process that answered this page' : 'the only process of this node'}
      />
    </div>
  );
}

/** Who makes the blocks: the lease holder and its epoch, the one process of a plain node, or nobody between holders. */
function ProducerCard({ data, nowMs, validators }: { data: Processes | undefined; nowMs: number; validators: boolean }) {
  const common = { label: 'Producer' };
  if (!data) return <StatCard {...common} loading />;
  if (data.producer) {
    return (
      <StatCard
        {...common}
        value={
          <span className="break-all" data-testid="producer">
            {data.producer.name}
          </span>
        }
        hint={
          <>
            lease epoch <span data-testid="lease-epoch">{data.producer.epoch.toLocaleString('en-US')}</span>, taken{' '}
            <Ago timeMs={data.producer.sinceMs} nowMs={nowMs} />
          </>
        }
      />
    );
  }
  const only = data.cloud ? undefined : data.processes.find((p) => p.producing);
  if (only) {
    return (
      <StatCard
        {...common}
        value={
          <span className="break-all" data-testid="producer">
            {only.name}
          </span>
        }
        hint={validators ? 'the only process: it proposes and votes for this node' : 'the only process makes the blocks'}
      />
    );
  }
  return (
    <StatCard
      {...common}
      value={<span data-testid="producer">None right now</span>}
      hint="no process holds the lease; one takes it within seconds"
    />
  );
}
