import { formatAmount, formatTimeAgo, Hash, StatCard } from '@arc/ui';
import type { ChainInfo, RouterOutputs } from '../trpc/types.ts';
import { AccountLink, BlockLink } from './links.tsx';

/** The highest verification report the node holds (`arc node verify --report`), or null when nobody has reported. */
export type LastVerified = RouterOutputs['chain']['lastVerified'];

export interface ChainStatsProps {
  chain: ChainInfo | undefined;
  /** The head height as the newest block event says it (ahead of chain.info between refreshes). */
  height: number | undefined;
  headTimeMs: number | undefined;
  rate: { txs: number; perSecond: number } | undefined;
  /** undefined while it loads, or when the node did not answer it (`verifiedFailed`). */
  verified: LastVerified | undefined;
  verifiedFailed: boolean;
  nowMs: number;
}

/** The head of the chain in cards: height, throughput, mempool, supply, head hash, state root and the verified height. */
export function ChainStats({ chain, height, headTimeMs, rate, verified, verifiedFailed, nowMs }: ChainStatsProps) {
  const loading = chain === undefined;
  return (
    <div className="grid grid-cols-2 gap-4 lg:grid-cols-4">
      <StatCard
        label="Height"
        loading={loading}
        value={height !== undefined ? <span data-testid="height">{height.toLocaleString('en-US')}</span> : null}
        hint={headTimeMs !== undefined ? `head block ${formatTimeAgo(headTimeMs, nowMs)}` : ''}
      />
      <StatCard
        label="Tx per second"
        loading={loading || rate === undefined}
        value={rate ? <span data-testid="tx-rate">{rate.perSecond.toFixed(2)}</span> : null}
        hint={rate ? `${rate.txs.toLocaleString('en-US')} in the last minute` : ''}
      />
      <StatCard
        label="Mempool"
        loading={loading}
        className="col-span-2 lg:col-span-1"
        value={chain?.mempool.size.toLocaleString('en-US')}
        hint={chain ? `pending, of ${chain.mempool.capacity.toLocaleString('en-US')} slots` : ''}
      />
      <StatCard
        label="Total supply"
        loading={loading}
        className="col-span-2 lg:col-span-1"
        value={
          chain ? (
            <span className="break-all">
              {formatAmount(chain.nativeToken.totalSupply, chain.nativeToken.decimals)}{' '}
              <span className="text-base font-medium text-slate-500 dark:text-slate-400">{chain.nativeToken.symbol}</span>
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
      <VerifiedCard verified={verified} failed={verifiedFailed} nowMs={nowMs} />
    </div>
  );
}

/**
 * How far someone replayed the chain from its genesis and reached the node's own state roots: the highest report, who
 * sent it and when. The node checked the report's state root against its own block, but the replay is the reporter's
 * word, so the card names them.
 */
function VerifiedCard({ verified, failed, nowMs }: { verified: LastVerified | undefined; failed: boolean; nowMs: number }) {
  const common = { label: 'Verified', className: 'col-span-2 lg:col-span-4' };
  if (verified === undefined) {
    return <StatCard {...common} loading={!failed} value="—" hint="the node did not say how far its chain was verified" />;
  }
  if (verified === null) {
    return (
      <StatCard
        {...common}
        value={<span data-testid="verified">Not verified yet</span>}
        hint={
          <>
            Replay the chain from its genesis and report it:{' '}
            <code className="font-mono text-slate-700 dark:text-slate-300">npx arc node verify --report --key &lt;file&gt;</code>
          </>
        }
      />
    );
  }
  return (
    <StatCard
      {...common}
      value={
        <span data-testid="verified">
          Verified to height <BlockLink height={verified.height} />
        </span>
      }
      hint={
        <>
          replayed from the genesis to this block's state root by <AccountLink did={verified.verifier} />, reported{' '}
          {formatTimeAgo(verified.atMs, nowMs)}
        </>
      }
    />
  );
}
