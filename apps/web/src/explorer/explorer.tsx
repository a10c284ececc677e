'use client';

import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { liveQuery, refreshIntervalMs } from '../chain/live.ts';
import { useChainInfo } from '../chain/use-chain-info.ts';
import { useNowMs } from '../chain/use-now.ts';
import { describeError, isNodeUnreachable } from '../trpc/errors.ts';
import { useTRPC } from '../trpc/react.tsx';
import { ChainStats } from './chain-stats.tsx';
import { ConnectedChains } from './connected-chains.tsx';
import { LatestBlocks } from './latest-blocks.tsx';
import { LatestTransactions } from './latest-transactions.tsx';
import { NodeUnreachable, StaleDataBanner } from './node-unreachable.tsx';

/** Rows in each "latest" table: one screen's worth. */
const latestBlocksLimit = 10;
const latestTxsLimit = 10;

/** The chains reached through OCAP are configured at node start and change rarely: no need to ask at block pace. */
const chainsRefreshIntervalMs = 10_000;

/** The chain at a glance: head, supply, mempool, the newest blocks and transactions, refreshed live. */
export function Explorer({ nodeUrl }: { nodeUrl: string }) {
  const trpc = useTRPC();
  const nowMs = useNowMs();
  // The three live queries go out as one batched request every refresh.
  const chain = useChainInfo();
  const blocks = useQuery(trpc.block.list.queryOptions({ limit: latestBlocksLimit }, liveQuery));
  const txs = useQuery(trpc.tx.list.queryOptions({ limit: latestTxsLimit }, liveQuery));
  // Secondary: its loading and errors stay in its own panel and never hold back or replace the page.
  const chains = useQuery(trpc.ocap.chains.queryOptions(undefined, { refetchInterval: chainsRefreshIntervalMs }));

  const retry = () => {
    void chain.refetch();
    void blocks.refetch();
    void txs.refetch();
  };

  const failure = chain.error ?? blocks.error ?? txs.error;
  if (failure && !chain.data) {
    return (
      <PageShell>
        <NodeUnreachable
          message={describeError(failure, nodeUrl)}
          unreachable={isNodeUnreachable(failure)}
          onRetry={retry}
          retrying={chain.isFetching}
        />
      </PageShell>
    );
  }

  return (
    <PageShell
      aside={
        chain.dataUpdatedAt ? (
          <span data-testid="updated-at">
            Updated {new Date(chain.dataUpdatedAt).toLocaleTimeString('en-GB')} · every {refreshIntervalMs / 1000} s
          </span>
        ) : null
      }
    >
      {failure ? <StaleDataBanner message={describeError(failure, nodeUrl)} sinceMs={chain.dataUpdatedAt} onRetry={retry} /> : null}
      <ChainStats chain={chain.data} nowMs={nowMs} />
      <div className="grid gap-6">
        <LatestBlocks blocks={blocks.data?.items} loading={blocks.isPending} nowMs={nowMs} />
        <LatestTransactions txs={txs.data?.items} loading={txs.isPending} nowMs={nowMs} />
      </div>
      <ConnectedChains chains={chains.data} loading={chains.isPending} error={chains.error ? describeError(chains.error, nodeUrl) : null} />
    </PageShell>
  );
}

function PageShell({ aside, children }: { aside?: ReactNode; children: ReactNode }) {
  return (
    <main className="mx-auto max-w-6xl space-y-6 px-4 py-8 sm:px-6">
      <div className="flex flex-wrap items-end justify-between gap-x-4 gap-y-1">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight text-slate-900">Chain overview</h1>
          <p className="text-sm text-slate-500">The latest state of the chain, read live from its node.</p>
        </div>
        {aside ? <p className="text-xs text-slate-500 tabular-nums">{aside}</p> : null}
      </div>
      {children}
    </main>
  );
}
