'use client';

import { StatusPill } from '@arc/ui';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useRealtimeStatus, useTopic } from '../realtime/provider.tsx';
import { useTRPC } from '../trpc/react.tsx';

/** The chain id, the head height as blocks arrive, and whether the page hears the node, for the header. */
export function NodeStatus() {
  const trpc = useTRPC();
  const chain = useQuery(trpc.chain.info.queryOptions(undefined, { staleTime: 60_000 }));
  const realtime = useRealtimeStatus();
  const [liveHeight, setLiveHeight] = useState<number | null>(null);
  useTopic('chain:blocks', (event) => setLiveHeight(event.payload.height));
  const height = Math.max(liveHeight ?? 0, chain.data?.height ?? 0);

  const pill =
    realtime === 'live' ? (
      <StatusPill tone="live" label="Live" title={chain.data ? `Node ${chain.data.nodeDid}` : 'Connected to the node'} />
    ) : realtime === 'offline' || chain.isError ? (
      <StatusPill tone="down" label="Offline" title="The node does not answer; retrying" />
    ) : (
      <StatusPill tone="pending" label="Connecting…" />
    );

  return (
    <div className="flex min-w-0 items-center gap-2" data-testid="node-status" data-status={realtime}>
      {chain.data ? (
        <span className="hidden min-w-0 items-center gap-2 text-xs text-slate-400 lg:flex" title="Chain id and head height">
          <span className="truncate rounded bg-white/10 px-2 py-0.5 font-mono text-slate-100" data-testid="chain-id">
            {chain.data.chainId}
          </span>
          <span className="font-mono text-slate-300 tabular-nums" data-testid="head-height">
            #{height.toLocaleString('en-US')}
          </span>
        </span>
      ) : null}
      {pill}
    </div>
  );
}
