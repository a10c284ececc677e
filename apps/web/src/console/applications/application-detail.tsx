'use client';

import { CopyButton, formatAmount, Skeleton, StatCard } from '@arc/ui';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { ErrorNotice } from '../../components/error-notice.tsx';
import { useTopic } from '../../realtime/provider.tsx';
import { useTRPC } from '../../trpc/react.tsx';
import { BillingBanner } from '../billing/billing-banner.tsx';
import { type BillingAction, BillingSection } from '../billing/billing-section.tsx';
import { Invoices } from '../billing/invoices.tsx';
import { Usage } from '../billing/usage.tsx';
import { ApiKeys } from './api-keys.tsx';
import { FeeGrants } from './fee-grants.tsx';
import { FeeRelayer } from './fee-relayer.tsx';
import { ABT_DECIMALS } from './signing.ts';
import { TopicRules } from './topic-rules.tsx';

/**
 * One application: its DID and balance, billing (deposit, usage this period, invoices), API keys, topic rules, its fee
 * relayer and fee grants with their spend (live).
 */
export function ApplicationDetail({ appDid, nodeUrl }: { appDid: string; nodeUrl: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const app = useQuery(trpc.console.application.queryOptions({ appDid }));
  const [billingAction, setBillingAction] = useState<BillingAction>(null);
  // A user's transaction the application paid for, or a settlement of its bill, changes its account: the spend and
  // the bill show without a reload.
  useTopic(`account:${appDid}`, () => {
    void queryClient.invalidateQueries({ queryKey: trpc.console.application.queryKey({ appDid }) });
    void queryClient.invalidateQueries({ queryKey: trpc.economy.pathKey() });
  });

  if (app.error) {
    return (
      <div className="space-y-4">
        <ErrorNotice error={app.error} onRetry={() => app.refetch()} />
        <Link href="/console/applications" className="text-sm text-indigo-700 hover:underline dark:text-indigo-300">
          Back to your applications
        </Link>
      </div>
    );
  }
  if (!app.data) {
    return (
      <div className="space-y-4" aria-busy="true">
        <Skeleton className="h-9 w-64" />
        <Skeleton className="h-24 w-full rounded-xl" />
        <Skeleton className="h-48 w-full rounded-xl" />
      </div>
    );
  }
  const data = app.data;
  return (
    <div className="space-y-6">
      <div className="space-y-2">
        <nav aria-label="Breadcrumb" className="text-sm">
          <Link href="/console/applications" className="text-indigo-700 hover:underline dark:text-indigo-300">
            Applications
          </Link>
        </nav>
        <h1 className="text-2xl font-semibold tracking-tight text-slate-900 dark:text-slate-100">{data.name}</h1>
        <div className="flex min-w-0 items-center gap-2">
          <code className="min-w-0 break-all font-mono text-xs text-slate-600 dark:text-slate-400">{data.appDid}</code>
          <CopyButton value={data.appDid} label="application DID" />
        </div>
      </div>
      <BillingBanner
        appDid={data.appDid}
        appName={data.name}
        onAddFunds={() => {
          setBillingAction('fund');
          document.getElementById('billing')?.scrollIntoView({ behavior: 'smooth', block: 'start' });
        }}
      />
      <div className="grid gap-4 sm:grid-cols-3">
        <StatCard label="Balance" value={`${formatAmount(data.account.balance, ABT_DECIMALS)} ABT`} hint="Pays its fees and its users'" />
        <StatCard
          label="On the ledger"
          value={data.account.declared ? 'Declared' : 'Not declared'}
          hint={data.account.declared ? `as "${data.account.moniker}"` : 'Fund it and declare it to use it'}
        />
        <StatCard
          label="Fees paid for users"
          value={`${formatAmount(data.grantsSpent, ABT_DECIMALS)} ABT`}
          hint={data.grants.length === 1 ? '1 grant' : `${data.grants.length} grants`}
        />
      </div>
      <BillingSection appDid={data.appDid} appName={data.name} action={billingAction} onAction={setBillingAction} />
      <Usage appDid={data.appDid} />
      <Invoices appDid={data.appDid} appName={data.name} />
      <ApiKeys appDid={data.appDid} appName={data.name} keys={data.apiKeys} />
      <TopicRules appDid={data.appDid} appName={data.name} />
      <FeeRelayer appDid={data.appDid} appName={data.name} nodeUrl={nodeUrl} />
      <FeeGrants appDid={data.appDid} appName={data.name} grants={data.grants} spent={data.grantsSpent} balance={data.account.balance} />
    </div>
  );
}
