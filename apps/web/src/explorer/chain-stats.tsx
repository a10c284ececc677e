import { formatAmount, formatTimeAgo, Hash, StatCard } from '@arc/ui';
import type { ChainInfo } from '../trpc/types.ts';

/** The head of the chain in five cards; placeholders until the first answer. */
export function ChainStats({ chain, nowMs }: { chain: ChainInfo | undefined; nowMs: number }) {
  const loading = chain === undefined;
  return (
    <div className="grid grid-cols-2 gap-4 lg:grid-cols-4">
      <StatCard
        label="Height"
        loading={loading}
        value={chain ? <span data-testid="height">{chain.height.toLocaleString('en-US')}</span> : null}
        hint={chain ? `head block ${formatTimeAgo(chain.timeMs, nowMs)}` : ''}
      />
      <StatCard
        label="Mempool"
        loading={loading}
        value={chain?.mempool.size.toLocaleString('en-US')}
        hint={chain ? `pending, of ${chain.mempool.capacity.toLocaleString('en-US')} slots` : ''}
      />
      <StatCard
        label="Total supply"
        loading={loading}
        className="col-span-2"
        value={
          chain ? (
            <span className="break-all">
              {formatAmount(chain.nativeToken.totalSupply, chain.nativeToken.decimals)}{' '}
              <span className="text-base font-medium text-slate-500">{chain.nativeToken.symbol}</span>
            </span>
          ) : null
        }
        hint={chain ? `${chain.nativeToken.name}, exact to ${chain.nativeToken.decimals} decimals` : ''}
      />
      <StatCard
        label="Head hash"
        loading={loading}
        className="col-span-2"
        value={chain ? <Hash value={chain.headHash} head={16} tail={12} label="head hash" className="text-base" /> : null}
        hint="hash of the newest block"
      />
      <StatCard
        label="State root"
        loading={loading}
        className="col-span-2"
        value={chain ? <Hash value={chain.stateRoot} head={16} tail={12} label="state root" className="text-base" /> : null}
        hint="root of the state trie after the newest block"
      />
    </div>
  );
}
