import { formatAmount } from '@arc/ui';
import type { Metadata } from 'next';
import Link from 'next/link';
import { connection } from 'next/server';
import { nodeApi, orNotFound } from '../../../../explorer/node-api.ts';
import { ComponentGrid } from '../../../../market/component-card.tsx';
import { formatDate } from '../../../../market/format.ts';
import { VerifiedMark } from '../../../../market/stars.tsx';

interface Props {
  params: Promise<{ did: string }>;
}

export const metadata: Metadata = { title: 'Developer · Marketplace' };

function abt(amount: string): string {
  try {
    return `${formatAmount(amount, 18, { maxFractionDigits: 4 })} ABT`;
  } catch {
    return amount;
  }
}

/** A developer's profile: who they are, their reputation and its parts, their stake and their components. */
export default async function DeveloperPage({ params }: Props) {
  await connection();
  const did = decodeURIComponent((await params).did);
  const dev = await orNotFound(nodeApi().market.developer.query({ did }));
  const ageDays = dev.firstSeenAtMs === null ? null : Math.max(0, Math.floor((Date.now() - dev.firstSeenAtMs) / 86_400_000));
  return (
    <main className="mx-auto w-full max-w-6xl space-y-5 px-4 py-6 sm:px-6 sm:py-8">
      <nav aria-label="Breadcrumb" className="text-sm text-slate-600 dark:text-slate-400">
        <Link href="/" className="hover:underline">
          Marketplace
        </Link>{' '}
        / Developer
      </nav>
      <header className="rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200 sm:p-6 dark:bg-slate-900 dark:ring-slate-800">
        <div className="flex flex-wrap items-center gap-2">
          <h1 className="text-2xl font-bold tracking-tight text-slate-900 dark:text-white">{dev.moniker || 'Unnamed developer'}</h1>
          {dev.verifiedPublisher ? <VerifiedMark /> : null}
        </div>
        <p className="mt-1 font-mono text-xs break-all text-slate-600 dark:text-slate-400">
          <Link href={`/explorer/account/${encodeURIComponent(dev.did)}`} className="hover:underline">
            {dev.did}
          </Link>
        </p>
        <dl className="mt-4 grid grid-cols-2 gap-3 border-t border-slate-100 pt-4 text-sm sm:grid-cols-4 dark:border-slate-800">
          <div>
            <dt className="text-xs text-slate-500 dark:text-slate-400">Reputation</dt>
            <dd className="text-lg font-semibold text-slate-900 dark:text-white">
              {Math.round(dev.reputation * 100)}
              <span className="text-xs font-normal text-slate-500 dark:text-slate-400"> / 100</span>
            </dd>
          </div>
          <div>
            <dt className="text-xs text-slate-500 dark:text-slate-400">Stake</dt>
            <dd className="font-medium text-slate-900 dark:text-slate-100">{abt(dev.stake)}</dd>
          </div>
          <div>
            <dt className="text-xs text-slate-500 dark:text-slate-400">Account age</dt>
            <dd className="font-medium text-slate-900 dark:text-slate-100">
              {ageDays === null || dev.firstSeenAtMs === null ? 'unknown' : `${ageDays} days (since ${formatDate(dev.firstSeenAtMs)})`}
            </dd>
          </div>
          <div>
            <dt className="text-xs text-slate-500 dark:text-slate-400">Components</dt>
            <dd className="font-medium text-slate-900 dark:text-slate-100">{dev.components.length}</dd>
          </div>
        </dl>
      </header>
      <section
        aria-labelledby="reputation-title"
        className="rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200 sm:p-5 dark:bg-slate-900 dark:ring-slate-800"
      >
        <h2 id="reputation-title" className="mb-3 text-base font-semibold text-slate-900 dark:text-white">
          How the reputation is made
        </h2>
        {dev.parts.length === 0 ? (
          <p className="text-sm text-slate-600 dark:text-slate-400">No inputs yet.</p>
        ) : (
          <ul className="space-y-2 text-sm">
            {dev.parts.map((p) => (
              <li key={p.part} className="flex gap-3">
                <span
                  className={`w-16 shrink-0 text-right font-semibold tabular-nums ${p.points < 0 ? 'text-red-700 dark:text-red-400' : 'text-slate-900 dark:text-slate-100'}`}
                >
                  {p.points >= 0 ? '+' : ''}
                  {p.points.toFixed(1)}
                </span>
                <span className="min-w-0">
                  <span className="font-medium text-slate-800 capitalize dark:text-slate-200">{p.part}</span>{' '}
                  <span className="text-slate-600 dark:text-slate-400">{p.explanation}</span>
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="components-title" className="space-y-3">
        <h2 id="components-title" className="text-lg font-semibold text-slate-900 dark:text-white">
          Components
        </h2>
        <ComponentGrid items={dev.components} label="Their components" empty="This developer has published nothing yet." />
      </section>
    </main>
  );
}
