'use client';

import { Button, formatCountdown } from '@arc/ui';
import { useNowMs } from '../../chain/use-now.ts';
import { useBilling } from './billing-section.tsx';
import { abt, formatMoment, shortfallOf } from './format.ts';

/**
 * At the top of the application's page when it is behind on its bill: in grace (the deadline, what is unpaid, Add
 * funds) or suspended (what its users see now, and what brings it back).
 */
export function BillingBanner({ appDid, appName, onAddFunds }: { appDid: string; appName: string; onAddFunds: () => void }) {
  const billing = useBilling(appDid);
  const nowMs = useNowMs();
  const data = billing.data;
  if (!data?.open || (data.status !== 'grace' && data.status !== 'suspended')) return null;
  const short = shortfallOf(data);
  const suspended = data.status === 'suspended';
  const tone = suspended
    ? 'bg-red-50 ring-red-200 text-red-900 dark:bg-red-500/10 dark:ring-red-500/30 dark:text-red-100'
    : 'bg-amber-50 ring-amber-200 text-amber-950 dark:bg-amber-500/10 dark:ring-amber-500/30 dark:text-amber-100';
  return (
    <section
      aria-label={suspended ? 'Application suspended' : 'Payment due'}
      data-testid="billing-banner"
      className={`flex flex-col gap-3 rounded-xl p-4 ring-1 sm:flex-row sm:items-start sm:justify-between ${tone}`}
    >
      <div className="min-w-0 space-y-1 text-sm">
        {suspended ? (
          <>
            <p className="font-semibold">
              {appName} is suspended: {abt(data.unpaid)} of its bill is unpaid.
            </p>
            <p>
              Its blocklets answer <code className="font-mono text-xs">403 APP_SUSPENDED</code> and its users' transactions are refused
              until the bill is paid. Add at least {abt(short)} to the deposit: the bill is paid at once and {appName} runs again.
            </p>
          </>
        ) : (
          <>
            <p className="font-semibold">
              {appName} is behind on payment: {abt(data.unpaid)} is unpaid.
            </p>
            <p>
              Add at least {abt(short)} before {formatMoment(data.graceEndsAtMs)} (
              <span className="tabular-nums">in {formatCountdown(data.graceEndsAtMs, nowMs)}</span>) or {appName} is suspended: its
              blocklets and its users' transactions stop until it is paid.
            </p>
          </>
        )}
      </div>
      <Button className="shrink-0 self-start" variant={suspended ? 'primary' : 'secondary'} onClick={onAddFunds}>
        Add funds
      </Button>
    </section>
  );
}
