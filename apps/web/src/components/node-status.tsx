'use client';

import { StatusPill } from '@arc/ui';
import { useChainInfo } from '../chain/use-chain-info.ts';

/** The chain id and whether the node answers, for the header. */
export function NodeStatus() {
  const chain = useChainInfo();
  return (
    <div className="flex min-w-0 items-center gap-3">
      {chain.data ? (
        <span className="flex min-w-0 items-center gap-2 text-xs text-slate-400" title="Chain id">
          <span className="hidden sm:inline">Chain</span>
          <span className="truncate rounded bg-white/10 px-2 py-0.5 font-mono text-slate-100" data-testid="chain-id">
            {chain.data.chainId}
          </span>
        </span>
      ) : null}
      {chain.isError ? (
        <StatusPill tone="down" label="Node unreachable" />
      ) : chain.data ? (
        <StatusPill tone="live" label="Live" title={`Node ${chain.data.nodeDid}`} />
      ) : (
        <StatusPill tone="pending" label="Connecting…" />
      )}
    </div>
  );
}
