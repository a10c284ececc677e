import { buttonClass } from '@arc/ui';
import type { Metadata } from 'next';
import Link from 'next/link';
import { BlockletCatalogue } from './blocklet-catalogue.tsx';

export const metadata: Metadata = { title: { absolute: 'Arc: blocklets on a live chain' } };

const areas = [
  {
    href: '/explorer',
    title: 'Explorer',
    body: 'Blocks, transactions, accounts, tokens and assets, live as the chain commits them.',
  },
  {
    href: '/wallet',
    title: 'Wallet',
    body: 'Keys made and kept in this browser, unlocked with a passkey. Send, receive, sign in.',
  },
  {
    href: '/console',
    title: 'Console',
    body: 'Write a blocklet in the browser, deploy it with your wallet, watch its logs and calls.',
  },
] as const;

/** The home page: what Arc is, the way into each area, and the blocklets deployed on this chain. */
export default function MarketHome() {
  return (
    <main className="mx-auto w-full max-w-6xl space-y-10 px-4 py-8 sm:px-6 sm:py-12">
      <section aria-labelledby="hero-title" className="grid gap-8 lg:grid-cols-[minmax(0,1.2fr)_minmax(0,1fr)] lg:items-center">
        <div className="space-y-5">
          <p className="text-sm font-semibold text-indigo-600 dark:text-indigo-400">A chain for applications</p>
          <h1 id="hero-title" className="text-3xl font-bold tracking-tight text-balance text-slate-900 sm:text-4xl dark:text-white">
            Deploy blocklets. Use them with a wallet that lives in your browser.
          </h1>
          <p className="max-w-xl text-base text-pretty text-slate-600 dark:text-slate-400">
            Arc runs small programs, called blocklets, next to its ledger: HTTP routes, scheduled jobs, oracles and chain listeners, each
            deployed by a signed transaction anyone can verify. No plugin and no phone app: your keys stay in this page.
          </p>
          <div className="flex flex-wrap gap-3">
            <a href="#catalogue" className={buttonClass()}>
              Browse blocklets
            </a>
            <Link href="/console/blocklets/new" className={buttonClass({ variant: 'secondary' })}>
              Deploy your own
            </Link>
          </div>
        </div>
        <ul className="grid gap-3">
          {areas.map((area) => (
            <li key={area.href}>
              <Link
                href={area.href}
                className="group flex items-start gap-4 rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200 transition hover:ring-indigo-300 focus-visible:outline-2 focus-visible:outline-indigo-500 dark:bg-slate-900 dark:ring-slate-800 dark:hover:ring-indigo-500/50"
              >
                <span className="min-w-0 flex-1">
                  <span className="block font-semibold text-slate-900 dark:text-slate-100">{area.title}</span>
                  <span className="mt-0.5 block text-sm text-slate-600 dark:text-slate-400">{area.body}</span>
                </span>
                <span
                  aria-hidden="true"
                  className="mt-0.5 text-slate-400 transition group-hover:translate-x-0.5 group-hover:text-indigo-500"
                >
                  →
                </span>
              </Link>
            </li>
          ))}
        </ul>
      </section>
      <BlockletCatalogue />
    </main>
  );
}
