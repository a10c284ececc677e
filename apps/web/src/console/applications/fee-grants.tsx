'use client';

import { isValidDid, parseAmount } from '@arc/client';
import { Button, Field, formatAmount, Input, Panel, shortenDid, Table } from '@arc/ui';
import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { z } from 'zod';
import { ErrorNotice } from '../../components/error-notice.tsx';
import { toast } from '../../components/toast.tsx';
import { useTRPC } from '../../trpc/react.tsx';
import { nodeClient, useWallet } from '../../wallet/index.ts';
import { useBilling } from '../billing/billing-section.tsx';
import { AddFunds } from './add-funds.tsx';
import { isCancelled, useAppAction } from './app-action.ts';
import { ABT_DECIMALS, accountSigner } from './signing.ts';

interface Grant {
  grantee: string;
  allowance: string;
  spent: string;
  expiresAtMs: number;
}

const DAY_MS = 86_400_000;

const GrantForm = z.object({
  grantee: z.string().trim().refine(isValidDid, 'a DID, like did:abt:z…'),
  allowance: z.string().refine((text) => {
    try {
      return parseAmount(text, ABT_DECIMALS) > 0n;
    } catch {
      return false;
    }
  }, 'an amount of ABT above 0'),
  days: z.coerce.number().int('whole days').min(1, 'at least 1 day').max(3650, 'at most 3650 days'),
});

const abt = (amount: string) => `${formatAmount(amount, ABT_DECIMALS)} ABT`;

/** "Pay my users' fees": the ledger's fee grants from the application to users, with what each has spent. */
export function FeeGrants({
  appDid,
  appName,
  grants,
  spent,
  balance,
}: {
  appDid: string;
  appName: string;
  grants: Grant[];
  spent: string;
  /** The application's ABT balance (smallest unit): what the grants' fees come from. */
  balance: string;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const act = useAppAction(appDid, appName);
  const wallet = useWallet();
  const billingOpen = useBilling(appDid).data?.open === true;
  const [form, setForm] = useState({ grantee: '', allowance: '0.01', days: '30' });
  const [errors, setErrors] = useState<Partial<Record<keyof typeof form, string>>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<string | null>(null);

  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.console.application.queryKey({ appDid }) });

  async function grant(event: FormEvent) {
    event.preventDefault();
    const parsed = GrantForm.safeParse(form);
    if (!parsed.success) {
      const flat = parsed.error.flatten().fieldErrors;
      setErrors({ grantee: flat.grantee?.[0], allowance: flat.allowance?.[0], days: flat.days?.[0] });
      return;
    }
    setErrors({});
    setError(null);
    setBusy('grant');
    try {
      const allowance = parseAmount(parsed.data.allowance, ABT_DECIMALS);
      const expiresAtMs = Date.now() + parsed.data.days * DAY_MS;
      await act(
        `Pay fees for ${shortenDid(parsed.data.grantee)}`,
        [
          { label: 'User', value: parsed.data.grantee },
          { label: 'Up to', value: `${abt(allowance.toString())} of fees, paid by ${appName}` },
          { label: 'Until', value: new Date(expiresAtMs).toLocaleString() },
        ],
        (app) => nodeClient().delegate({ wallet: app, grantee: parsed.data.grantee, allowance, expiresAtMs }),
      );
      await refresh();
      setForm({ ...form, grantee: '' });
      toast({ title: 'Fee grant committed', body: `${appName} now pays this user's fees.`, kind: 'success' });
    } catch (caught) {
      if (!isCancelled(caught)) setError(caught);
    } finally {
      setBusy(null);
    }
  }

  async function revoke(grantee: string) {
    setError(null);
    setBusy(grantee);
    try {
      await act(`Stop paying fees for ${shortenDid(grantee)}`, [{ label: 'User', value: grantee }], (app) =>
        nodeClient().revokeDelegation({ wallet: app, grantee }),
      );
      await refresh();
    } catch (caught) {
      if (!isCancelled(caught)) setError(caught);
    } finally {
      setBusy(null);
    }
  }

  /** A user that is one of this wallet's accounts sends a tiny transfer to the application, the application paying the fee. */
  async function tryGrant(grantee: string) {
    setError(null);
    setBusy(`try:${grantee}`);
    try {
      await act(
        'Send a test transaction paid by the application',
        [
          { label: 'From', value: `${grantee} (a user holding the grant)` },
          { label: 'What', value: `0.000001 ABT to ${appName}; the fee is paid by ${appName}` },
        ],
        async (app, developer) => {
          const user = grantee === developer.did ? developer : await accountSigner(wallet, grantee);
          return nodeClient().transfer({ wallet: user, to: appDid, amount: 10n ** 12n, memo: 'test of the fee grant', feePayer: app });
        },
      );
      await refresh();
      toast({
        title: 'Test transaction committed',
        body: billingOpen ? `Its fee is on ${appName}'s bill.` : `${appName} paid its fee.`,
        kind: 'success',
      });
    } catch (caught) {
      if (!isCancelled(caught)) setError(caught);
    } finally {
      setBusy(null);
    }
  }

  const mine = new Set(wallet.accounts.map((account) => account.did));

  return (
    <Panel title="Pay your users' fees" aside={<span className="text-sm text-slate-600 dark:text-slate-400">Spent: {abt(spent)}</span>}>
      <div className="space-y-4 p-4">
        <p className="text-sm text-slate-600 dark:text-slate-400">
          {billingOpen
            ? `Billing is open: every transaction of a user that names ${appName} as fee payer (co-signed by ${appName}) goes on its bill, with or without a grant. Grants below matter only if billing closes; they are paid from the application's balance.`
            : `A fee grant lets a user's transactions name ${appName} as fee payer, up to an allowance, until it expires. The fees come from the application's balance.`}
        </p>
        <AddFunds appDid={appDid} appName={appName} balance={balance} />
        <Table
          label="Fee grants"
          rows={grants}
          rowKey={(g) => g.grantee}
          columns={[
            {
              key: 'user',
              header: 'User',
              cell: (g) => (
                <span className="font-mono text-xs" title={g.grantee}>
                  {shortenDid(g.grantee)}
                </span>
              ),
            },
            {
              key: 'spent',
              header: 'Spent',
              align: 'right',
              cell: (g) => (
                <>
                  <span data-testid="grant-spent">{abt(g.spent)}</span>
                  {/* On a phone the Allowance column is dropped: it goes under what was spent instead. */}
                  <span className="block text-xs text-slate-500 sm:hidden dark:text-slate-400">of {abt(g.allowance)}</span>
                </>
              ),
            },
            { key: 'allowance', header: 'Allowance', align: 'right', className: 'hidden sm:table-cell', cell: (g) => abt(g.allowance) },
            {
              key: 'expires',
              header: 'Expires',
              className: 'hidden sm:table-cell',
              cell: (g) => (g.expiresAtMs <= Date.now() ? 'Expired' : new Date(g.expiresAtMs).toLocaleDateString()),
            },
            {
              key: 'revoke',
              header: <span className="sr-only">Actions</span>,
              align: 'right',
              cell: (g) => (
                <div className="flex justify-end gap-1">
                  {mine.has(g.grantee) ? (
                    <Button variant="ghost" size="sm" loading={busy === `try:${g.grantee}`} onClick={() => tryGrant(g.grantee)}>
                      Send a test transaction
                    </Button>
                  ) : null}
                  <Button variant="ghost" size="sm" loading={busy === g.grantee} onClick={() => revoke(g.grantee)}>
                    Revoke
                  </Button>
                </div>
              ),
            },
          ]}
          empty={
            <p className="py-4 text-center text-sm text-slate-600 dark:text-slate-400">No fee grants: the users pay their own fees.</p>
          }
        />
        <form
          onSubmit={grant}
          noValidate
          aria-label="Grant fees to a user"
          className="grid gap-3 sm:grid-cols-[2fr_1fr_1fr_auto] sm:items-start"
        >
          <Field label="User DID" error={errors.grantee}>
            <Input
              value={form.grantee}
              onChange={(e) => setForm({ ...form, grantee: e.target.value })}
              placeholder="did:abt:z…"
              autoComplete="off"
            />
          </Field>
          <Field label="Allowance (ABT)" error={errors.allowance}>
            <Input value={form.allowance} onChange={(e) => setForm({ ...form, allowance: e.target.value })} inputMode="decimal" />
          </Field>
          <Field label="For (days)" error={errors.days}>
            <Input value={form.days} onChange={(e) => setForm({ ...form, days: e.target.value })} inputMode="numeric" />
          </Field>
          <Button type="submit" className="sm:mt-7" loading={busy === 'grant'}>
            Grant
          </Button>
        </form>
        {error ? <ErrorNotice error={error} /> : null}
      </div>
    </Panel>
  );
}
