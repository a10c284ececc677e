'use client';

import { EmptyState, formatCountdown, Panel, Skeleton } from '@arc/ui';
import { useQuery } from '@tanstack/react-query';
import { useNowMs } from '../../chain/use-now.ts';
import { ErrorNotice } from '../../components/error-notice.tsx';
import { useTRPC } from '../../trpc/react.tsx';
import { BILLING_REFRESH_MS, useBilling } from './billing-section.tsx';
import { abt, groupLines } from './format.ts';
import { LinesTable } from './lines-table.tsx';

/** What the application's users used so far this period, per component and resource (the current period's invoice). */
export function Usage({ appDid }: { appDid: string }) {
  const trpc = useTRPC();
  const nowMs = useNowMs();
  const billing = useBilling(appDid);
  const period = billing.data?.currentPeriod;
  const invoice = useQuery(
    trpc.economy.invoice.queryOptions(
      { did: appDid, period: period ?? 0 },
      { enabled: period !== undefined && billing.data?.open === true, refetchInterval: BILLING_REFRESH_MS },
    ),
  );
  if (!billing.data?.open) return null;
  const endMs = (billing.data.currentPeriod + 1) * billing.data.billingPeriodMs;
  const groups = invoice.data ? groupLines(invoice.data.lines) : undefined;
  const metered = groups?.reduce((sum, g) => sum + g.amount, 0n) ?? 0n;
  const fees = BigInt(billing.data.feesOwed);
  return (
    <Panel title="Usage this period" aside={<span className="tabular-nums">{`Ends in ${formatCountdown(endMs, nowMs)}`}</span>}>
      {invoice.error ? (
        <div className="p-4">
          <ErrorNotice error={invoice.error} onRetry={() => void invoice.refetch()} />
        </div>
      ) : groups === undefined ? (
        <div className="space-y-2 p-4" aria-busy="true">
          <Skeleton className="h-5 w-full" />
          <Skeleton className="h-5 w-2/3" />
        </div>
      ) : groups.length === 0 ? (
        <EmptyState
          title="No metered use yet this period"
          description="Calls of paid components and the nodes' CPU time show here, per component and per day, as your users use the application."
        />
      ) : (
        <LinesTable label="Usage this period" groups={groups} total={metered} />
      )}
      {fees > 0n ? (
        <p className="border-t border-slate-100 px-4 py-3 text-sm text-slate-600 dark:border-slate-800 dark:text-slate-400">
          Plus <strong className="font-semibold text-slate-900 tabular-nums dark:text-slate-100">{abt(fees)}</strong> of your users'
          transaction fees since the last settlement, billed with this period.
        </p>
      ) : null}
    </Panel>
  );
}
