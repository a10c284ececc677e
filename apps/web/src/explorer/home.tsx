'use client';

import { Panel } from '@arc/ui';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { type ReactNode, useState } from 'react';
import { useNowMs } from '../chain/use-now.ts';
import { LiveBridgeBooks } from '../economy/bridge-books.tsx';
import { useRealtimeStatus, useTopic } from '../realtime/provider.tsx';
import { describeError, isNodeUnreachable } from '../trpc/errors.ts';
import { useTRPC } from '../trpc/react.tsx';
import type { Block, Chain, ChainInfo, Tx } from '../trpc/types.ts';
import { ChainStats, type LastVerified } from './chain-stats.tsx';
import { ConnectedChains } from './connected-chains.tsx';
import { explorerPaths } from './format.ts';
import { type BlockRow, LatestBlocks } from './latest-blocks.tsx';
import { NodeUnreachable, StaleDataBanner } from './node-unreachable.tsx';
import { type Supply, SupplyBreakdown } from './supply.tsx';
import { addTick, type BlockTick, txRate } from './tx-rate.ts';
import { TxTable } from './tx-table.tsx';

/** Rows in each "latest" table: one screen's worth, a fixed count so new rows never move the page. */
export const latestRowsMax = 10;
/** Transactions read once, by the server, to start the tx/s window (one cheap indexed read, unlike blocks). */
export const rateWindowTxs = 100;

/** When the gateway is not heard (it is down, or the browser cannot reach it): ask the node this often instead. */
const fallbackRefreshMs = 2_000;
/** The chains reached through OCAP are configured at node start and change rarely. */
const chainsRefreshIntervalMs = 10_000;
/** A verification report comes when someone runs `arc node verify --report`: rarely, so asked again this often. */
const verifiedRefreshIntervalMs = 15_000;

export interface HomeInitial {
  chain: ChainInfo;
  blocks: Block[];
  /** The newest transactions, up to rateWindowTxs: the table shows the first ones, the tx/s window counts them all. */
  txs: Tx[];
  /** When block 0 was made: a chain younger than a minute has its rate taken over its age. */
  genesisTimeMs: number | null;
  chains: Chain[] | null;
  /** Where the native supply sits (null when the node's economy did not answer). */
  supply: Supply | null;
  /** The highest verification report (null: nobody has reported); undefined when the node did not answer it. */
  lastVerified?: LastVerified;
}

/** The tx/s window as the newest transactions fill it: one tick per block that holds some. */
function ticksOf(txs: Tx[], nowMs: number): BlockTick[] {
  const counts = new Map<number, BlockTick>();
  for (const tx of txs) {
    const tick = counts.get(tx.height) ?? { height: tx.height, txCount: 0, timeMs: tx.timeMs };
    tick.txCount += 1;
    counts.set(tx.height, tick);
  }
  return [...counts.values()].reduce<BlockTick[]>((acc, t) => addTick(acc, t, nowMs), []);
}

/**
 * The chain at a glance, live: height, transactions per second over the last minute, the newest blocks and
 * transactions. Each `chain:blocks` event adds its block's row at once (from the event), then one batched
 * request fills in the proposer, the block's transactions and the head.
 */
export function ExplorerHome({ nodeUrl, initial }: { nodeUrl: string; initial: HomeInitial | null }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const nowMs = useNowMs();
  const realtime = useRealtimeStatus();
  const fallback = realtime === 'live' ? false : fallbackRefreshMs;

  const chain = useQuery(trpc.chain.info.queryOptions(undefined, { initialData: initial?.chain, refetchInterval: fallback }));
  const blocksKey = { limit: latestRowsMax };
  const blocks = useQuery(
    trpc.block.list.queryOptions(blocksKey, {
      initialData: initial ? { items: initial.blocks, nextCursor: null } : undefined,
      refetchInterval: fallback,
    }),
  );
  const txs = useQuery(
    trpc.tx.list.queryOptions(
      { limit: latestRowsMax },
      { initialData: initial ? { items: initial.txs, nextCursor: null } : undefined, refetchInterval: fallback },
    ),
  );
  const chains = useQuery(
    trpc.ocap.chains.queryOptions(undefined, { initialData: initial?.chains ?? undefined, refetchInterval: chainsRefreshIntervalMs }),
  );
  const verified = useQuery(
    trpc.chain.lastVerified.queryOptions(undefined, { initialData: initial?.lastVerified, refetchInterval: verifiedRefreshIntervalMs }),
  );

  // Blocks announced by the gateway that the last block.list answer does not hold yet.
  const [announced, setAnnounced] = useState<BlockRow[]>([]);
  const [ticks, setTicks] = useState<BlockTick[]>(() => ticksOf(initial?.txs ?? [], Date.now()));

  useTopic('chain:blocks', (event) => {
    const block = event.payload;
    setAnnounced((rows) => [{ ...block, proposer: null }, ...rows.filter((r) => r.height !== block.height)].slice(0, latestRowsMax));
    setTicks((t) => addTick(t, block, Date.now()));
    // One batched request: the full rows (proposer), the head, and the block's transactions if it has any. A
    // refetch still on its way is left to finish (blocks may come faster than a busy node answers).
    const keep = { cancelRefetch: false };
    void queryClient.invalidateQueries({ queryKey: trpc.block.list.queryKey(blocksKey) }, keep);
    void queryClient.invalidateQueries({ queryKey: trpc.chain.info.queryKey() }, keep);
    if (block.txCount > 0) void queryClient.invalidateQueries({ queryKey: trpc.tx.list.queryKey({ limit: latestRowsMax }) }, keep);
  });

  const listed = blocks.data?.items ?? [];
  const newestListed = listed[0]?.height ?? -1;
  const rows: BlockRow[] | undefined = blocks.data
    ? [...announced.filter((r) => r.height > newestListed), ...listed].slice(0, latestRowsMax)
    : undefined;
  const head = rows?.[0];
  // The window also learns from every block.list answer (the fallback when the gateway is not heard).
  const allTicks = listed.reduce((acc, b) => addTick(acc, b, nowMs), ticks);
  const rate = blocks.data ? txRate(allTicks, nowMs, initial?.genesisTimeMs ?? null) : undefined;

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
        <span data-testid="live-state" data-realtime={realtime}>
          {realtime === 'live' ? 'Live: updates as blocks commit' : `Reconnecting… refreshing every ${fallbackRefreshMs / 1000} s`}
        </span>
      }
    >
      {failure ? <StaleDataBanner message={describeError(failure, nodeUrl)} sinceMs={chain.dataUpdatedAt} onRetry={retry} /> : null}
      <ChainStats
        chain={chain.data}
        height={Math.max(head?.height ?? 0, chain.data?.height ?? 0) || chain.data?.height}
        headTimeMs={head?.timeMs ?? chain.data?.timeMs}
        rate={rate}
        verified={verified.data}
        verifiedFailed={verified.isError}
        nowMs={nowMs}
      />
      <SupplyBreakdown initial={initial?.supply ?? null} />
      <LiveBridgeBooks />
      <div className="grid min-w-0 gap-6">
        <LatestBlocks blocks={rows} loading={blocks.isPending} nowMs={nowMs} />
        <Panel title="Latest transactions" aside="newest first">
          <TxTable label="Latest transactions" txs={txs.data?.items} loading={txs.isPending} nowMs={nowMs} />
        </Panel>
      </div>
      <p className="text-sm text-slate-500 dark:text-slate-400">
        See also the{' '}
        <Link href={explorerPaths.blocklets} className="font-medium text-indigo-700 hover:underline dark:text-indigo-300">
          blocklet deployments
        </Link>{' '}
        and the{' '}
        <Link href={explorerPaths.network} className="font-medium text-indigo-700 hover:underline dark:text-indigo-300">
          network
        </Link>{' '}
        (the node's processes and which one makes the blocks).
      </p>
      <ConnectedChains chains={chains.data} loading={chains.isPending} error={chains.error ? describeError(chains.error, nodeUrl) : null} />
    </PageShell>
  );
}

function PageShell({ aside, children }: { aside?: ReactNode; children: ReactNode }) {
  return (
    <main className="mx-auto w-full max-w-6xl min-w-0 space-y-6 px-4 py-8 sm:px-6">
      <div className="flex flex-wrap items-end justify-between gap-x-4 gap-y-1">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight text-slate-900 dark:text-slate-100">Chain overview</h1>
          <p className="text-sm text-slate-500 dark:text-slate-400">The latest state of the chain, live from its node.</p>
        </div>
        {aside ? <p className="text-xs text-slate-500 tabular-nums dark:text-slate-400">{aside}</p> : null}
      </div>
      {children}
    </main>
  );
}
