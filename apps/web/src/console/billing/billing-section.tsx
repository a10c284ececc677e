'use client';

import { formatAmount as amountText, ClientError, parseAmount } from '@arc/client';
import { Badge, Button, formatDuration, Panel, Skeleton } from '@arc/ui';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { ErrorNotice } from '../../components/error-notice.tsx';
import { toast } from '../../components/toast.tsx';
import { useTRPC } from '../../trpc/react.tsx';
import { useWallet } from '../../wallet/index.ts';
import { isCancelled } from '../applications/app-action.ts';
import { ABT_DECIMALS } from '../applications/signing.ts';
import { addFunds, BillingAmount, checkFunds, openBilling, withdrawFromDeposit } from './actions.ts';
import { AmountForm } from './amount-form.tsx';
import { abt, type Billing, billingStatus, owedOf, shortfallOf, withdrawableOf } from './format.ts';

/** What the billing section's form is doing: opening billing, adding funds or withdrawing; null when closed. */
export type BillingAction = 'fund' | 'withdraw' | null;

/** How often billing figures are asked again: what accrues from metering changes without a ledger event. */
export const BILLING_REFRESH_MS = 10_000;

/** The application's billing account, shared by the section, the banner and the usage panel. */
export function useBilling(appDid: string) {
  const trpc = useTRPC();
  return useQuery(trpc.economy.billing.queryOptions({ did: appDid }, { refetchInterval: BILLING_REFRESH_MS }));
}

export interface BillingSectionProps {
  appDid: string;
  appName: string;
  action: BillingAction;
  onAction: (action: BillingAction) => void;
}

/**
 * Billing, as Vercel's or Cloudflare's billing pages: status, deposit, what is owed and accruing, the period; "Open
 * billing" with a first deposit, then "Add funds" and "Withdraw" (only what is not owed), each after the wallet's consent.
 */
export function BillingSection({ appDid, appName, action, onAction }: BillingSectionProps) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const wallet = useWallet();
  const developerDid = wallet.active?.did ?? '';
  const billing = useBilling(appDid);
  const chain = useQuery(trpc.chain.info.queryOptions());
  const developer = useQuery(trpc.account.get.queryOptions({ did: developerDid }, { enabled: developerDid !== '' }));
  const [amount, setAmount] = useState('1');
  const [fieldError, setFieldError] = useState<string | undefined>();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const data = billing.data;
  const status = data ? (data.open ? billingStatus[data.status] : billingStatus.notOpen) : null;
  const fee = chain.data ? BigInt(chain.data.params.minFee) : null;
  const ready = fee !== null && developer.data !== undefined && chain.data !== undefined;

  // A form opened here or by the banner's "Add funds" starts at a useful amount (adjusted while rendering, as React
  // recommends for state that follows a prop).
  const [shownAction, setShownAction] = useState<BillingAction>(null);
  if (action !== shownAction) {
    setShownAction(action);
    setFieldError(undefined);
    setError(null);
    if (action && data) setAmount(action === 'fund' ? fundPrefill(data) : amountText(withdrawableOf(data), ABT_DECIMALS));
  }

  /** Checks the amount, runs the transaction after the consent, refreshes what it changed. */
  async function run(kind: 'open' | 'fund' | 'withdraw') {
    setError(null);
    const parsed = BillingAmount.safeParse(amount);
    if (!parsed.success) {
      setFieldError(parsed.error.issues[0]?.message);
      return;
    }
    setFieldError(undefined);
    if (!ready || !data || fee === null || !chain.data || !developer.data) return;
    const value = parseAmount(parsed.data, ABT_DECIMALS);
    const held = BigInt(developer.data.balance);
    const target = { appDid, appName, fee };
    const short = kind === 'withdraw' ? null : checkFunds(held, value, fee, kind === 'open' ? 'a deposit of' : 'adding');
    if (short) return setError(short);
    if (kind === 'withdraw' && value > withdrawableOf(data)) {
      return setError(
        new ClientError(
          'DEPOSIT_TOO_LOW',
          `Only ${abt(withdrawableOf(data))} of the deposit is not owed; withdraw at most that, or wait until the bill is settled.`,
        ),
      );
    }
    setBusy(true);
    try {
      if (kind === 'open') {
        const periodWords = formatDuration(chain.data.params.economy.billingPeriodMs);
        await openBilling(wallet, { ...target, chainId: chain.data.chainId, deposit: value, periodWords });
      } else if (kind === 'fund') {
        await addFunds(wallet, { ...target, amount: value, pays: BigInt(data.unpaid) });
      } else {
        await withdrawFromDeposit(wallet, { ...target, amount: value });
      }
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: trpc.economy.pathKey() }),
        queryClient.invalidateQueries({ queryKey: trpc.account.get.queryKey({ did: developerDid }) }),
        queryClient.invalidateQueries({ queryKey: trpc.console.application.queryKey({ appDid }) }),
      ]);
      onAction(null);
      const said = {
        open: { title: 'Billing open', body: `${appName} pays for its users from a deposit of ${abt(value)}.` },
        fund: { title: 'Funds added', body: `${abt(value)} added to ${appName}'s deposit.` },
        withdraw: { title: 'Deposit withdrawn', body: `${abt(value)} came back to your account.` },
      }[kind];
      toast({ ...said, kind: 'success' });
    } catch (caught) {
      if (!isCancelled(caught)) setError(caught);
    } finally {
      setBusy(false);
    }
  }

  const fromHint = developer.data ? `From your account, which holds ${abt(developer.data.balance)}` : 'From your account';

  return (
    <Panel title="Billing" aside={status ? <Badge tone={status.tone}>{status.label}</Badge> : undefined}>
      <div id="billing" className="scroll-mt-24 space-y-4 p-4">
        {billing.error ? (
          <ErrorNotice error={billing.error} onRetry={() => void billing.refetch()} />
        ) : !data ? (
          <div className="space-y-3" aria-busy="true">
            <Skeleton className="h-20 w-full rounded-lg" />
            <Skeleton className="h-10 w-40" />
          </div>
        ) : !data.open ? (
          <div className="space-y-4">
            <p className="text-sm text-pretty text-slate-600 dark:text-slate-400">
              Open billing and {appName} pays for its users from a deposit: their transaction fees, the paid components they use and the
              nodes' CPU time. At the end of each period of {formatDuration(data.billingPeriodMs)} the node settles the bill from the
              deposit; you can add funds or withdraw what is not owed at any time.
            </p>
            <AmountForm
              label={`Open billing for ${appName}`}
              fieldLabel="Deposit (ABT)"
              amount={amount}
              onAmountChange={(next) => {
                setAmount(next);
                setError(null);
              }}
              fieldError={fieldError}
              hint={fromHint}
              submitLabel="Open billing"
              busy={busy}
              disabled={!ready}
              onSubmit={() => void run('open')}
            />
          </div>
        ) : (
          <OpenAccount
            billing={data}
            action={action}
            isOwner={data.owner === developerDid}
            onChoose={onAction}
            form={
              action ? (
                <AmountForm
                  label={action === 'fund' ? `Add funds to ${appName}'s deposit` : `Withdraw from ${appName}'s deposit`}
                  fieldLabel={action === 'fund' ? 'Amount to add (ABT)' : 'Amount to withdraw (ABT)'}
                  amount={amount}
                  onAmountChange={(next) => {
                    setAmount(next);
                    setError(null);
                  }}
                  fieldError={fieldError}
                  hint={action === 'fund' ? fromHint : `At most ${abt(withdrawableOf(data))}: the deposit less what is owed`}
                  submitLabel={action === 'fund' ? 'Add to deposit' : 'Withdraw'}
                  busy={busy}
                  disabled={!ready}
                  onSubmit={() => void run(action)}
                  onCancel={() => onAction(null)}
                />
              ) : null
            }
          />
        )}
        {error ? <ErrorNotice error={error} /> : null}
      </div>
    </Panel>
  );
}

/** Add funds starts at what ends arrears, else 1 ABT. */
function fundPrefill(billing: Billing): string {
  const short = shortfallOf(billing);
  return short > 0n ? amountText(short, ABT_DECIMALS) : '1';
}

function OpenAccount({
  billing,
  action,
  isOwner,
  onChoose,
  form,
}: {
  billing: Billing;
  action: BillingAction;
  isOwner: boolean;
  onChoose: (action: 'fund' | 'withdraw') => void;
  form: ReactNode;
}) {
  const owed = owedOf(billing);
  const free = withdrawableOf(billing);
  return (
    <div className="space-y-4">
      <div className="grid grid-cols-2 gap-3 lg:grid-cols-4">
        <Figure label="Deposit" value={abt(billing.deposit)} hint={`${abt(free)} free to withdraw`} testId="billing-deposit" />
        <Figure
          label="Owed"
          value={abt(owed)}
          hint={BigInt(billing.unpaid) > 0n ? `${abt(billing.unpaid)} settled and unpaid` : 'Users’ fees since the last settlement'}
          tone={BigInt(billing.unpaid) > 0n ? 'warn' : 'plain'}
        />
        <Figure label="Accruing" value={abt(billing.accruing)} hint="Metered this period, billed at its end" />
        <Figure
          label="Billing period"
          value={formatDuration(billing.billingPeriodMs)}
          hint="Each period is settled from the deposit at its end"
        />
      </div>
      {isOwner ? (
        action ? (
          form
        ) : (
          <div className="flex flex-wrap gap-2">
            <Button onClick={() => onChoose('fund')}>Add funds</Button>
            <Button variant="secondary" onClick={() => onChoose('withdraw')} disabled={free === 0n}>
              Withdraw
            </Button>
          </div>
        )
      ) : (
        <p className="text-sm text-slate-600 dark:text-slate-400">
          Billing belongs to {billing.owner}: only that account can withdraw; select it in your wallet to manage the deposit.
        </p>
      )}
    </div>
  );
}

function Figure({
  label,
  value,
  hint,
  tone = 'plain',
  testId,
}: {
  label: string;
  value: string;
  hint: ReactNode;
  tone?: 'plain' | 'warn';
  testId?: string;
}) {
  return (
    // biome-ignore lint/a11y/useSemanticElements: a label and its figure, not form controls, so not a <fieldset>
    <div
      role="group"
      aria-label={label}
      className="min-w-0 space-y-1 rounded-lg bg-slate-50 p-3 ring-1 ring-slate-200 dark:bg-slate-800/40 dark:ring-slate-700"
    >
      <p className="truncate text-xs font-medium tracking-wide text-slate-500 uppercase dark:text-slate-400">{label}</p>
      <p
        data-testid={testId}
        className={`text-lg font-semibold break-words tabular-nums ${tone === 'warn' ? 'text-amber-800 dark:text-amber-300' : 'text-slate-900 dark:text-slate-100'}`}
      >
        {value}
      </p>
      <p className="text-xs text-pretty text-slate-500 dark:text-slate-400">{hint}</p>
    </div>
  );
}
