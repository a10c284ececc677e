'use client';

import { ClientError, parseAmount } from '@arc/client';
import { Button, Field, formatAmount, Input } from '@arc/ui';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { z } from 'zod';
import { ErrorNotice } from '../../components/error-notice.tsx';
import { toast } from '../../components/toast.tsx';
import { useTRPC } from '../../trpc/react.tsx';
import { nodeClient, useWallet } from '../../wallet/index.ts';
import { isCancelled } from './app-action.ts';
import { CreateApplicationForm } from './create.ts';
import { ABT_DECIMALS } from './signing.ts';

/** The same rule as the create form's funding: an amount of ABT above 0. */
export const AddFundsForm = z.object({ amount: CreateApplicationForm.shape.funding });

const abt = (amount: bigint | string) => `${formatAmount(amount, ABT_DECIMALS)} ABT`;

/**
 * The application's balance (what pays its users' fees) and "Add funds": ABT from the developer's account to the
 * application's DID, a transfer built and signed by @arc/client after the wallet's consent dialog.
 */
export function AddFunds({ appDid, appName, balance }: { appDid: string; appName: string; balance: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const wallet = useWallet();
  const developerDid = wallet.active?.did ?? '';
  const chain = useQuery(trpc.chain.info.queryOptions());
  const developer = useQuery(trpc.account.get.queryOptions({ did: developerDid }, { enabled: developerDid !== '' }));
  const [open, setOpen] = useState(false);
  const [amount, setAmount] = useState('1');
  const [fieldError, setFieldError] = useState<string | undefined>();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const minFee = chain.data ? BigInt(chain.data.params.minFee) : null;
  const cannotPay = minFee !== null && BigInt(balance) < minFee;

  async function send(event: FormEvent) {
    event.preventDefault();
    setError(null);
    const parsed = AddFundsForm.safeParse({ amount });
    if (!parsed.success) {
      setFieldError(parsed.error.issues[0]?.message);
      return;
    }
    setFieldError(undefined);
    if (minFee === null || !developer.data) return;
    const value = parseAmount(parsed.data.amount, ABT_DECIMALS);
    const held = BigInt(developer.data.balance);
    if (value + minFee > held) {
      setError(
        new ClientError(
          'INSUFFICIENT_FUNDS',
          `You have ${abt(held)}; adding ${abt(value)} plus the ${abt(minFee)} fee needs more. Get test ABT in your wallet, or add less.`,
        ),
      );
      return;
    }
    setBusy(true);
    try {
      await wallet.signWithConsent({
        title: `Add ${abt(value)} to ${appName}`,
        origin: 'Arc Console',
        details: [
          {
            label: 'What happens',
            value: `${abt(value)} leave your account for ${appName}'s account; it pays its own fees and its users' fees from it`,
          },
          { label: 'To', value: appDid },
          { label: 'Fee', value: `${abt(minFee)}, paid by you` },
        ],
        sign: (signer) => {
          if (signer.did === appDid)
            throw new ClientError(
              'BAD_INPUT',
              `The wallet's selected account is ${appName} itself; select your own account and try again.`,
            );
          return nodeClient().transfer({ wallet: signer, to: appDid, amount: value, fee: minFee, memo: `add funds to ${appName}` });
        },
      });
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: trpc.console.application.queryKey({ appDid }) }),
        queryClient.invalidateQueries({ queryKey: trpc.account.get.queryKey({ did: developerDid }) }),
      ]);
      setOpen(false);
      toast({ title: 'Funds added', body: `${abt(value)} moved to ${appName}.`, kind: 'success' });
    } catch (caught) {
      if (!isCancelled(caught)) setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="space-y-3 rounded-lg bg-slate-50 p-3 ring-1 ring-slate-200 dark:bg-slate-800/40 dark:ring-slate-700">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <p className="text-sm text-slate-700 dark:text-slate-300">
          Balance{' '}
          <strong data-testid="app-balance" className="font-semibold text-slate-900 tabular-nums dark:text-slate-100">
            {abt(balance)}
          </strong>{' '}
          <span className="text-slate-600 dark:text-slate-400">pays these fees</span>
        </p>
        {open ? null : (
          <Button size="sm" variant="secondary" onClick={() => setOpen(true)}>
            Add funds
          </Button>
        )}
      </div>
      {cannotPay ? (
        <p className="text-sm text-amber-800 dark:text-amber-300">
          The balance is below one fee ({abt(minFee ?? 0n)}): transactions {appName} should pay for are refused until you add funds.
        </p>
      ) : null}
      {open ? (
        <form
          onSubmit={send}
          noValidate
          aria-label={`Add funds to ${appName}`}
          className="grid gap-3 sm:grid-cols-[1fr_auto_auto] sm:items-start"
        >
          <Field
            label="Amount (ABT)"
            error={fieldError}
            hint={developer.data ? `From your account, which holds ${abt(developer.data.balance)}` : 'From your account'}
          >
            <Input
              value={amount}
              onChange={(e) => {
                setAmount(e.target.value);
                setError(null);
              }}
              inputMode="decimal"
              autoComplete="off"
            />
          </Field>
          <Button type="submit" className="sm:mt-7" loading={busy} disabled={minFee === null || !developer.data}>
            Send to {appName}
          </Button>
          <Button variant="ghost" className="sm:mt-7" onClick={() => setOpen(false)} disabled={busy}>
            Cancel
          </Button>
        </form>
      ) : null}
      {error ? <ErrorNotice error={error} /> : null}
    </div>
  );
}
