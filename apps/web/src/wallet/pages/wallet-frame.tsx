'use client';

import { buttonClass, Skeleton } from '@arc/ui';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import type { ReactNode } from 'react';
import { useWallet } from '../wallet-provider.tsx';
import { UnlockPanel } from './unlock-panel.tsx';

const tabs = [
  { href: '/wallet', label: 'Overview' },
  { href: '/wallet/send', label: 'Send' },
  { href: '/wallet/receive', label: 'Receive' },
  { href: '/wallet/stake', label: 'Stake' },
  { href: '/wallet/bridge', label: 'Bridge' },
  { href: '/wallet/accounts', label: 'Accounts' },
  { href: '/wallet/backup', label: 'Backup' },
] as const;

/** The wallet pages' heading and their tabs (links, so each page has its own URL). */
export function WalletFrame({ title, description, children }: { title: string; description?: string; children: ReactNode }) {
  const pathname = usePathname();
  return (
    <main className="mx-auto w-full max-w-3xl space-y-6 px-4 py-6 sm:px-6 sm:py-8">
      <div className="space-y-1">
        <h1 className="text-2xl font-semibold tracking-tight text-slate-900 dark:text-slate-100">{title}</h1>
        {description ? <p className="text-sm text-slate-600 dark:text-slate-400">{description}</p> : null}
      </div>
      <nav aria-label="Wallet" className="-mx-4 overflow-x-auto px-4 sm:mx-0 sm:px-0">
        <ul className="flex min-w-max gap-1 border-b border-slate-200 dark:border-slate-800">
          {tabs.map((tab) => {
            const current = pathname === tab.href;
            return (
              <li key={tab.href}>
                <Link
                  href={tab.href}
                  aria-current={current ? 'page' : undefined}
                  className={`-mb-px inline-block border-b-2 px-2.5 py-2 sm:px-3 text-sm font-medium focus-visible:outline-2 focus-visible:outline-indigo-500 ${
                    current
                      ? 'border-indigo-600 text-indigo-700 dark:border-indigo-400 dark:text-indigo-300'
                      : 'border-transparent text-slate-600 hover:text-slate-900 dark:text-slate-400 dark:hover:text-slate-100'
                  }`}
                >
                  {tab.label}
                </Link>
              </li>
            );
          })}
        </ul>
      </nav>
      {children}
    </main>
  );
}

/** Shows its children only with an unlocked wallet; otherwise the way there (create, or unlock in place). */
export function RequireUnlocked({ children }: { children: ReactNode }) {
  const wallet = useWallet();
  if (wallet.status === 'loading') return <Skeleton className="h-40 w-full rounded-xl" />;
  if (wallet.status === 'empty') {
    return (
      <div className="rounded-xl bg-white p-6 text-center shadow-sm ring-1 ring-slate-200 dark:bg-slate-900 dark:ring-slate-800">
        <p className="font-medium text-slate-900 dark:text-slate-100">This browser has no wallet yet.</p>
        <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">Create one in a few seconds, or restore one from a backup.</p>
        <div className="mt-4 flex flex-wrap justify-center gap-2">
          <Link href="/wallet" className={buttonClass()}>
            Create a wallet
          </Link>
          <Link href="/wallet/backup" className={buttonClass({ variant: 'secondary' })}>
            Restore from a backup
          </Link>
        </div>
      </div>
    );
  }
  if (wallet.status === 'locked') return <UnlockPanel />;
  return <>{children}</>;
}
