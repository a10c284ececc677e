'use client';

import { toClientError } from '@arc/client';
import { Button, buttonClass, Skeleton, shortenDid } from '@arc/ui';
import { useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { type ReactNode, useEffect, useState } from 'react';
import { ErrorNotice } from '../../../components/error-notice.tsx';
import { toast } from '../../../components/toast.tsx';
import { CONSOLE_SCOPE, useSession } from '../../../session/index.ts';
import { useWallet } from '../../../wallet/index.ts';

const sections = [
  { href: '/console', label: 'Overview' },
  { href: '/console/applications', label: 'Applications' },
  { href: '/console/blocklets', label: 'Blocklets' },
  { href: '/console/chains', label: 'Chains' },
] as const;

function isCurrent(href: string, pathname: string): boolean {
  return href === '/console' ? pathname === href : pathname === href || pathname.startsWith(`${href}/`);
}

/** True for a refusal that means "sign in again" (no session, an unknown or an expired one). */
function isSessionRefusal(error: unknown): boolean {
  try {
    const code = toClientError(error).code;
    return code === 'UNAUTHORIZED' || code === 'SESSION_EXPIRED';
  } catch {
    return false;
  }
}

/** The console's frame: sidebar (a row of tabs on a phone), the signed-in DID, and the gate that asks to sign in. */
export function ConsoleShell({ children }: { children: ReactNode }) {
  const pathname = usePathname();
  const session = useSession();
  const queryClient = useQueryClient();

  // A console call refused for its session (expired on the node, or the node restarted): sign in again.
  useEffect(() => {
    return queryClient.getQueryCache().subscribe((event) => {
      if (event.type !== 'updated' || event.action.type !== 'error') return;
      if (!isSessionRefusal(event.action.error) || session.status !== 'signed-in') return;
      session.signOut();
      toast({ title: 'Your console session ended', body: 'Sign in again with your wallet to go on.', kind: 'info' });
    });
  }, [queryClient, session]);

  return (
    <div className="mx-auto flex w-full max-w-6xl flex-1 flex-col gap-6 px-4 py-6 sm:px-6 md:flex-row md:py-8">
      <aside className="md:w-52 md:shrink-0">
        <nav aria-label="Console" className="-mx-4 overflow-x-auto px-4 md:mx-0 md:px-0">
          <ul className="flex min-w-max gap-1 border-b border-slate-200 md:min-w-0 md:flex-col md:border-b-0 dark:border-slate-800">
            {sections.map((section) => {
              const current = isCurrent(section.href, pathname);
              return (
                <li key={section.href}>
                  <Link
                    href={section.href}
                    aria-current={current ? 'page' : undefined}
                    className={`-mb-px block border-b-2 px-3 py-2 text-sm font-medium focus-visible:outline-2 focus-visible:outline-indigo-500 md:mb-0 md:rounded-md md:border-b-0 ${
                      current
                        ? 'border-indigo-600 text-indigo-700 md:bg-indigo-50 dark:border-indigo-400 dark:text-indigo-300 md:dark:bg-indigo-950/60'
                        : 'border-transparent text-slate-600 hover:text-slate-900 md:hover:bg-slate-100 dark:text-slate-400 dark:hover:text-slate-100 md:dark:hover:bg-slate-800'
                    }`}
                  >
                    {section.label}
                  </Link>
                </li>
              );
            })}
          </ul>
        </nav>
        {session.status === 'signed-in' && session.did ? (
          <div className="mt-4 hidden space-y-2 rounded-lg border border-slate-200 p-3 text-xs md:block dark:border-slate-800">
            <p className="text-slate-500 dark:text-slate-400">Signed in as</p>
            <p className="font-mono text-slate-800 dark:text-slate-200" title={session.did}>
              {shortenDid(session.did)}
            </p>
            <Button variant="ghost" size="sm" onClick={session.signOut}>
              Sign out
            </Button>
          </div>
        ) : null}
      </aside>
      <main className="min-w-0 flex-1">
        <SignInGate>{children}</SignInGate>
      </main>
    </div>
  );
}

/** Its children once signed in; before that, the way to sign in (or to create a wallet first). */
function SignInGate({ children }: { children: ReactNode }) {
  const session = useSession();
  const wallet = useWallet();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  if (session.status === 'signed-in') return <>{children}</>;
  if (wallet.status === 'loading') return <Skeleton className="h-56 w-full rounded-xl" />;

  async function signIn() {
    setBusy(true);
    setError(null);
    try {
      await session.signIn();
    } catch (caught) {
      if (!(caught instanceof Error && 'code' in caught && caught.code === 'CANCELLED')) setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section
      aria-labelledby="console-sign-in"
      className="mx-auto max-w-xl space-y-5 rounded-xl bg-white p-6 shadow-sm ring-1 ring-slate-200 sm:p-8 dark:bg-slate-900 dark:ring-slate-800"
    >
      <div className="space-y-2">
        <h1 id="console-sign-in" className="text-2xl font-semibold tracking-tight text-slate-900 dark:text-slate-100">
          Sign in to the console
        </h1>
        <p className="text-sm text-slate-600 dark:text-slate-400">
          The console is where you deploy blocklets and manage your applications. You sign in with your wallet: it signs a one-time
          challenge from the node, and no password or key leaves this page.
        </p>
      </div>
      <ul className="space-y-1 text-sm text-slate-700 dark:text-slate-300">
        {CONSOLE_SCOPE.allows.map((item) => (
          <li key={item}>✓ It will be able to {item}.</li>
        ))}
        {CONSOLE_SCOPE.forbids.map((item) => (
          <li key={item}>✗ It cannot {item}.</li>
        ))}
      </ul>
      {wallet.status === 'empty' ? (
        <div className="space-y-2">
          <p className="text-sm text-slate-600 dark:text-slate-400">You need a wallet first: it takes a minute, in this page.</p>
          <Link href="/wallet" className={buttonClass()}>
            Create a wallet
          </Link>
        </div>
      ) : (
        <div className="space-y-3">
          {wallet.active ? (
            <p className="text-sm text-slate-600 dark:text-slate-400">
              You will sign in as <span className="font-mono text-slate-800 dark:text-slate-200">{shortenDid(wallet.active.did)}</span> (
              {wallet.active.label}).
            </p>
          ) : null}
          <Button onClick={signIn} loading={busy}>
            Sign in with your wallet
          </Button>
        </div>
      )}
      {error ? <ErrorNotice error={error} onRetry={signIn} /> : null}
    </section>
  );
}
