'use client';

import { formatAmount, Panel, Skeleton } from '@arc/ui';
import { useQuery } from '@tanstack/react-query';
import { nativeToken } from '../chain/live.ts';
import { useTRPC } from '../trpc/react.tsx';
import type { RouterOutputs } from '../trpc/types.ts';
import { AccountLink } from './links.tsx';

export type Supply = RouterOutputs['economy']['supply'];

/** Supply moves with staking, deposits and the bridge, a few times a minute at most: asked again this often. */
const supplyRefreshMs = 15_000;

/** Where the native supply sits, in the order of the bar, each with its colour. */
const parts = [
  { key: 'circulating', label: 'Circulating', color: 'bg-indigo-500', hint: 'in accounts, free to move' },
  { key: 'staked', label: 'Staked', color: 'bg-violet-500', hint: 'bonded or unbonding' },
  { key: 'deposits', label: 'Application deposits', color: 'bg-emerald-500', hint: 'paying for applications’ users' },
  {
    key: 'publishStakes',
    label: 'Publish stakes',
    color: 'bg-amber-500',
    hint: 'locked by marketplace names published before bonded stake backed them',
  },
  { key: 'bridgeLocked', label: 'Locked in the bridge', color: 'bg-sky-500', hint: 'backing ERC-20 on Ethereum' },
  { key: 'treasury', label: 'Treasury', color: 'bg-slate-500', hint: 'settlement shares and slashes' },
] as const satisfies readonly { key: keyof Supply; label: string; color: string; hint: string }[];

/** A share of the total as people read it: "42.17%", "< 0.01%" for a sliver, "0%" for none. */
export function formatShare(amount: bigint, total: bigint): string {
  if (amount === 0n || total === 0n) return '0%';
  const hundredths = (amount * 10_000n) / total;
  if (hundredths === 0n) return '< 0.01%';
  return `${(Number(hundredths) / 100).toLocaleString('en-US', { maximumFractionDigits: 2 })}%`;
}

const ONE_ABT = 10n ** BigInt(nativeToken.decimals);

/** Whole amounts to 4 decimals (cut, marked …), a sliver under 1 ABT exact, so a small amount never reads as 0. */
const abt = (amount: string | bigint) =>
  `${formatAmount(amount, nativeToken.decimals, BigInt(amount) >= ONE_ABT ? { maxFractionDigits: 4 } : {})} ${nativeToken.symbol}`;

/** The native supply broken down (circulating, staked, deposits, publish stakes, bridge, treasury) as a stacked bar. */
export function SupplyBreakdown({ initial }: { initial: Supply | null }) {
  const trpc = useTRPC();
  const supply = useQuery(
    trpc.economy.supply.queryOptions(undefined, { initialData: initial ?? undefined, refetchInterval: supplyRefreshMs }),
  );
  const data = supply.data;
  if (!data) {
    if (supply.error) return null;
    return (
      <Panel title="Supply">
        <div className="space-y-3 p-4" aria-busy="true">
          <Skeleton className="h-3 w-full rounded-full" />
          <Skeleton className="h-12 w-full" />
        </div>
      </Panel>
    );
  }
  const total = BigInt(data.total);
  const rows = parts.map((part) => ({ ...part, amount: BigInt(data[part.key]) }));
  const words = rows.map((r) => `${r.label} ${formatShare(r.amount, total)}`).join(', ');
  return (
    <Panel title="Supply" aside={<span className="tabular-nums">{`${abt(data.total)} in total`}</span>}>
      <div className="space-y-4 p-4">
        <div
          role="img"
          aria-label={`Where the supply is: ${words}`}
          className="flex h-3 w-full overflow-hidden rounded-full bg-slate-100 dark:bg-slate-800"
        >
          {rows
            .filter((r) => r.amount > 0n)
            .map((r) => (
              <div
                key={r.key}
                title={`${r.label}: ${abt(r.amount)} (${formatShare(r.amount, total)})`}
                className={`${r.color} h-full min-w-1 border-r border-white last:border-r-0 dark:border-slate-900`}
                style={{ width: `${Number((r.amount * 100_000n) / (total === 0n ? 1n : total)) / 1000}%` }}
              />
            ))}
        </div>
        <ul
          aria-label="Supply by where it is"
          className="grid grid-cols-1 gap-x-6 gap-y-3 sm:grid-cols-2 lg:grid-cols-3"
          data-testid="supply-breakdown"
        >
          {rows.map((r) => (
            <li key={r.key} className="flex min-w-0 items-start gap-2.5">
              <span aria-hidden="true" className={`mt-1.5 size-2.5 shrink-0 rounded-sm ${r.color}`} />
              <div className="min-w-0 flex-1">
                <p className="flex items-baseline justify-between gap-2 text-sm">
                  <span className="font-medium text-slate-900 dark:text-slate-100">{r.label}</span>
                  <span className="shrink-0 text-xs text-slate-500 tabular-nums dark:text-slate-400">{formatShare(r.amount, total)}</span>
                </p>
                <p className="text-sm break-words text-slate-700 tabular-nums dark:text-slate-300">{abt(r.amount)}</p>
                <p className="flex flex-wrap gap-x-1 text-xs text-slate-500 dark:text-slate-400">
                  {r.key === 'treasury' ? (
                    <>
                      held by <AccountLink did={data.treasuryDid} />
                    </>
                  ) : r.key === 'bridgeLocked' ? (
                    <>
                      escrow <AccountLink did={data.bridgeEscrowDid} />
                    </>
                  ) : (
                    r.hint
                  )}
                </p>
              </div>
            </li>
          ))}
        </ul>
      </div>
    </Panel>
  );
}
