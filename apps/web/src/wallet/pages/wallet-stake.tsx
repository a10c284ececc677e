'use client';

import { Badge, Button, EmptyState, Field, formatAmount, formatCountdown, formatDuration, Input, Panel, Skeleton } from '@arc/ui';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useNowMs } from '../../chain/use-now.ts';
import { ErrorNotice } from '../../components/error-notice.tsx';
import { toast } from '../../components/toast.tsx';
import { useTopic } from '../../realtime/provider.tsx';
import { useTRPC } from '../../trpc/react.tsx';
import { isClientErrorCode } from '../client-error.ts';
import { useWallet } from '../wallet-provider.tsx';
import {
  formatLocalMoment,
  parseStakeAmount,
  type StakeChain,
  type StakeHoldings,
  type StakeKind,
  sendStakeTx,
  stakeRefusal,
} from './stake-actions.ts';
import { RequireUnlocked, WalletFrame } from './wallet-frame.tsx';

/** /wallet/stake: bonded stake, what is unbonding and when it is free, and the forms to stake, unstake and withdraw. */
export function WalletStake() {
  return (
    <WalletFrame
      title="Staking"
      description="Bond ABT as stake. Unstaked ABT unbonds for a while (it can still be slashed), then you withdraw it to your balance."
    >
      <RequireUnlocked>
        <StakeOverview />
      </RequireUnlocked>
    </WalletFrame>
  );
}

function StakeOverview() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const wallet = useWallet();
  const did = wallet.active?.did ?? '';
  const nowMs = useNowMs();
  const chain = useQuery(trpc.chain.info.queryOptions());
  const account = useQuery(trpc.account.get.queryOptions({ did }, { enabled: did !== '' }));
  const stake = useQuery(trpc.economy.stake.queryOptions({ did }, { enabled: did !== '' }));
  const [busy, setBusy] = useState<StakeKind | null>(null);
  const [failure, setFailure] = useState<{ kind: StakeKind; error: unknown } | null>(null);
  // Every committed transaction of the account: its stake and balance again.
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.economy.stake.queryKey({ did }) }),
      queryClient.invalidateQueries({ queryKey: trpc.account.get.queryKey({ did }) }),
    ]);
  useTopic(did === '' ? null : `account:${did}`, () => void refresh());

  const error = chain.error ?? account.error ?? stake.error;
  if (error) return <ErrorNotice error={error} onRetry={() => void Promise.all([chain.refetch(), account.refetch(), stake.refetch()])} />;
  if (!chain.data || !account.data || !stake.data) return <Skeleton className="h-96 w-full rounded-xl" />;

  const rules: StakeChain = {
    symbol: chain.data.nativeToken.symbol,
    decimals: chain.data.nativeToken.decimals,
    fee: BigInt(chain.data.params.minFee),
    unbondingMs: stake.data.unbondingMs,
  };
  const t = (value: bigint | string) => `${formatAmount(value, rules.decimals)} ${rules.symbol}`;
  const unbonding = stake.data.unbonding;
  const unbondingTotal = unbonding.reduce((sum, u) => sum + BigInt(u.amount), 0n);
  // Free by the clock here; the ledger frees it by block time, a second or so later at most.
  const ready = unbonding.filter((u) => u.releaseAtMs <= nowMs).reduce((sum, u) => sum + BigInt(u.amount), 0n);
  const waiting = unbonding.filter((u) => u.releaseAtMs > nowMs).sort((a, b) => a.releaseAtMs - b.releaseAtMs)[0];
  const next = waiting ? { amount: BigInt(waiting.amount), releaseAtMs: waiting.releaseAtMs } : null;
  const nameBond = BigInt(stake.data.names) * BigInt(stake.data.publishStake);
  const held: StakeHoldings = { balance: BigInt(account.data.balance), bonded: BigInt(stake.data.bonded), ready, next, nameBond };

  async function act(kind: StakeKind, amount: bigint): Promise<boolean> {
    setFailure(null);
    const refused = stakeRefusal(kind, amount, rules, held);
    if (refused) {
      setFailure({ kind, error: refused });
      return false;
    }
    setBusy(kind);
    try {
      await sendStakeTx(wallet, kind, amount, rules);
      await refresh();
      const said = {
        stake: `${t(amount)} bonded.`,
        unstake: `${t(amount)} unbonding for ${formatDuration(rules.unbondingMs)}.`,
        withdraw: `${t(amount)} back in your balance.`,
      }[kind];
      toast({ kind: 'success', title: kind === 'stake' ? 'Staked' : kind === 'unstake' ? 'Unstaked' : 'Withdrawn', body: said });
      return true;
    } catch (caught) {
      if (!isClientErrorCode(caught, 'CANCELLED')) setFailure({ kind, error: caught });
      return false;
    } finally {
      setBusy(null);
    }
  }

  const errorFor = (kind: StakeKind) => (failure?.kind === kind ? failure.error : null);

  return (
    <div className="space-y-6">
      <section
        aria-label="Your stake"
        className="grid gap-4 rounded-xl bg-white p-5 shadow-sm ring-1 ring-slate-200 sm:grid-cols-3 dark:bg-slate-900 dark:ring-slate-800"
      >
        <Figure label="Bonded" value={t(stake.data.bonded)} testId="stake-bonded" large />
        <Figure label="Unbonding" value={t(unbondingTotal)} testId="stake-unbonding" />
        <Figure label="Ready to withdraw" value={t(ready)} testId="stake-withdrawable" />
        <p className="text-xs text-slate-500 sm:col-span-3 dark:text-slate-400">
          Balance {t(account.data.balance)} · unbonding takes {formatDuration(rules.unbondingMs)}
          {BigInt(stake.data.slashed) > 0n ? ` · ${t(stake.data.slashed)} slashed so far` : ''}
        </p>
        <p className="text-xs text-slate-500 sm:col-span-3 dark:text-slate-400" data-testid="stake-names">
          {stake.data.names > 0
            ? `${t(nameBond)} of it backs your ${stake.data.names} marketplace component ${stake.data.names === 1 ? 'name' : 'names'}; `
            : ''}
          each new name you publish needs {t(stake.data.publishStake)} more bonded.
        </p>
      </section>

      <div className="grid gap-4 sm:grid-cols-2">
        <AmountCard
          kind="stake"
          title="Stake"
          description="Bond ABT from your balance."
          hint={`You have ${t(held.balance)}; the fee is ${t(rules.fee)}.`}
          decimals={rules.decimals}
          busy={busy === 'stake'}
          error={errorFor('stake')}
          onSubmit={(amount) => act('stake', amount)}
          onEdit={() => setFailure(null)}
        />
        <AmountCard
          kind="unstake"
          title="Unstake"
          description={`Start unbonding; it is free to withdraw after ${formatDuration(rules.unbondingMs)}.`}
          hint={`${t(held.bonded)} bonded.`}
          decimals={rules.decimals}
          busy={busy === 'unstake'}
          error={errorFor('unstake')}
          onSubmit={(amount) => act('unstake', amount)}
          onEdit={() => setFailure(null)}
        />
      </div>

      <Panel title="Unbonding" aside={unbonding.length > 1 ? `${unbonding.length} amounts` : undefined}>
        {unbonding.length === 0 ? (
          <EmptyState title="Nothing is unbonding" description="ABT you unstake waits here until it is free to withdraw." />
        ) : (
          <ul aria-label="Unbonding" className="divide-y divide-slate-100 dark:divide-slate-800">
            {unbonding.map((u, index) => {
              const free = u.releaseAtMs <= nowMs;
              return (
                // biome-ignore lint/suspicious/noArrayIndexKey: entries are in the ledger's order, and two may be equal
                <li key={index} className="flex items-center justify-between gap-3 px-4 py-3 text-sm">
                  <div className="min-w-0">
                    <p className="font-medium text-slate-900 tabular-nums dark:text-slate-100">{t(u.amount)}</p>
                    <p className="text-xs text-slate-500 dark:text-slate-400">
                      {free ? 'Free since' : 'Free at'} {formatLocalMoment(u.releaseAtMs)}
                    </p>
                  </div>
                  {free ? (
                    <Badge tone="emerald">Ready</Badge>
                  ) : (
                    <span className="shrink-0 text-sm text-slate-700 tabular-nums dark:text-slate-300" data-testid="unbonding-countdown">
                      in {formatCountdown(u.releaseAtMs, nowMs)}
                    </span>
                  )}
                </li>
              );
            })}
          </ul>
        )}
        {unbonding.length > 0 ? (
          <div className="flex flex-wrap items-center justify-between gap-3 border-t border-slate-100 px-4 py-3 dark:border-slate-800">
            <p className="text-sm text-slate-600 dark:text-slate-400">
              {ready > 0n ? `${t(ready)} finished unbonding.` : 'Nothing has finished unbonding yet.'}
            </p>
            <Button
              variant={ready > 0n ? 'primary' : 'secondary'}
              loading={busy === 'withdraw'}
              onClick={() => void act('withdraw', ready)}
            >
              Withdraw{ready > 0n ? ` ${t(ready)}` : ''}
            </Button>
          </div>
        ) : null}
        {errorFor('withdraw') ? (
          <div className="px-4 pb-4">
            <ErrorNotice error={errorFor('withdraw')} />
          </div>
        ) : null}
      </Panel>
    </div>
  );
}

function Figure({ label, value, testId, large = false }: { label: string; value: string; testId: string; large?: boolean }) {
  return (
    // biome-ignore lint/a11y/useSemanticElements: a label and its figure, not form controls, so not a <fieldset>
    <div role="group" aria-label={label} className="min-w-0">
      <p className="text-sm font-medium text-slate-600 dark:text-slate-400">{label}</p>
      <p
        data-testid={testId}
        className={`font-semibold tracking-tight break-words text-slate-900 tabular-nums dark:text-slate-100 ${large ? 'text-3xl' : 'text-xl sm:text-3xl'}`}
      >
        {value}
      </p>
    </div>
  );
}

interface AmountCardProps {
  kind: StakeKind;
  title: string;
  description: string;
  hint: string;
  decimals: number;
  busy: boolean;
  error: unknown;
  onSubmit: (amount: bigint) => Promise<boolean>;
  onEdit: () => void;
}

/** One staking form: an amount, checked, then the transaction after the wallet's consent. */
function AmountCard({ kind, title, description, hint, decimals, busy, error, onSubmit, onEdit }: AmountCardProps) {
  const [amount, setAmount] = useState('');
  const [fieldError, setFieldError] = useState<string | undefined>();
  async function submit(event: FormEvent) {
    event.preventDefault();
    const parsed = parseStakeAmount(amount, decimals);
    if (typeof parsed === 'string') return setFieldError(parsed);
    setFieldError(undefined);
    if (await onSubmit(parsed)) setAmount('');
  }
  return (
    <form
      onSubmit={(e) => void submit(e)}
      noValidate
      aria-label={title}
      className="flex flex-col gap-3 rounded-xl bg-white p-5 shadow-sm ring-1 ring-slate-200 dark:bg-slate-900 dark:ring-slate-800"
    >
      <div>
        <h2 className="text-base font-semibold text-slate-900 dark:text-slate-100">{title}</h2>
        <p className="text-sm text-slate-600 dark:text-slate-400">{description}</p>
      </div>
      <Field label="Amount (ABT)" error={fieldError} hint={hint}>
        <Input
          value={amount}
          onChange={(e) => {
            setAmount(e.target.value);
            onEdit();
          }}
          inputMode="decimal"
          placeholder="0.0"
          autoComplete="off"
        />
      </Field>
      {error ? <ErrorNotice error={error} /> : null}
      <Button
        type="submit"
        className="mt-auto w-full sm:w-auto sm:self-start"
        loading={busy}
        variant={kind === 'stake' ? 'primary' : 'secondary'}
      >
        {title}
      </Button>
    </form>
  );
}
