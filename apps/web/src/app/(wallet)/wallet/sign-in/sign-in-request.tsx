'use client';

import { Button, buttonClass, Skeleton, shortenDid } from '@arc/ui';
import Link from 'next/link';
import { useState } from 'react';
import { ErrorNotice } from '../../../../components/error-notice.tsx';
import { applicationScope, requestSession, type SessionGrant } from '../../../../session/index.ts';
import { useWallet } from '../../../../wallet/index.ts';

const APP_NAME_MAX = 64;

/** Where to send the user back: an http(s) URL only (never javascript: or data:), or null. */
export function returnTarget(raw: string | null): URL | null {
  if (!raw) return null;
  try {
    const url = new URL(raw);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url : null;
  } catch {
    return null;
  }
}

/** The return URL with the session in its fragment (never sent to a server in a request line or a Referer). */
export function returnWithSession(target: URL, grant: SessionGrant): string {
  const url = new URL(target);
  url.hash = new URLSearchParams({ arc_session: grant.token, did: grant.did, expires: String(grant.expiresAtMs) }).toString();
  return url.toString();
}

/** Says which application asks, what it will and will not be able to do, and signs the challenge on the user's word. */
export function SignInRequest({ app, returnUrl }: { app: string | null; returnUrl: string | null }) {
  const wallet = useWallet();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<SessionGrant | null>(null);
  const appName = app?.trim().slice(0, APP_NAME_MAX) || null;
  const target = returnTarget(returnUrl);
  const scope = applicationScope(appName ?? 'An application');

  async function signIn() {
    setBusy(true);
    setError(null);
    try {
      const grant = await requestSession(wallet, scope);
      setDone(grant);
      if (target) window.location.assign(returnWithSession(target, grant));
    } catch (caught) {
      if (!(caught instanceof Error && 'code' in caught && caught.code === 'CANCELLED')) setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="mx-auto w-full max-w-lg px-4 py-8 sm:py-12">
      <section
        aria-labelledby="sign-in-title"
        className="space-y-5 rounded-xl bg-white p-6 shadow-sm ring-1 ring-slate-200 sm:p-8 dark:bg-slate-900 dark:ring-slate-800"
      >
        <div className="space-y-2">
          <p className="text-sm font-medium text-indigo-700 dark:text-indigo-300">Sign-in request</p>
          <h1 id="sign-in-title" className="text-2xl font-semibold tracking-tight text-slate-900 dark:text-slate-100">
            {appName ? `${appName} asks you to sign in` : 'An application asks you to sign in'}
          </h1>
          {!appName ? (
            <p className="text-sm text-amber-800 dark:text-amber-300">
              The request does not name the application: sign in only if you know who sent you here.
            </p>
          ) : null}
        </div>
        <div className="space-y-2 text-sm">
          <p className="font-medium text-slate-800 dark:text-slate-200">It will be able to</p>
          <ul className="space-y-1 text-slate-700 dark:text-slate-300">
            {scope.allows.map((item) => (
              <li key={item}>✓ {item}</li>
            ))}
          </ul>
          <p className="pt-2 font-medium text-slate-800 dark:text-slate-200">It cannot</p>
          <ul className="space-y-1 text-slate-700 dark:text-slate-300">
            {scope.forbids.map((item) => (
              <li key={item}>✗ {item}</li>
            ))}
          </ul>
        </div>
        {target ? (
          <p className="text-sm text-slate-600 dark:text-slate-400">
            Afterwards you go back to <span className="font-medium text-slate-900 dark:text-slate-100">{target.host}</span>.
          </p>
        ) : returnUrl ? (
          <p className="text-sm text-red-700 dark:text-red-400">The return address is not a web address; you will stay on this page.</p>
        ) : null}
        {wallet.status === 'loading' ? (
          <Skeleton className="h-10 w-48" />
        ) : wallet.status === 'empty' ? (
          <div className="space-y-2">
            <p className="text-sm text-slate-600 dark:text-slate-400">
              You need a wallet to sign in. It lives in this page; no app to install.
            </p>
            <Link href="/wallet" className={buttonClass()}>
              Create a wallet
            </Link>
          </div>
        ) : done ? (
          <p role="status" className="text-sm font-medium text-emerald-700 dark:text-emerald-400">
            Signed in as <span className="font-mono">{shortenDid(done.did)}</span>
            {target ? '; taking you back…' : '. You can close this page.'}
          </p>
        ) : (
          <div className="space-y-2">
            {wallet.active ? (
              <p className="text-sm text-slate-600 dark:text-slate-400">
                As <span className="font-mono text-slate-800 dark:text-slate-200">{shortenDid(wallet.active.did)}</span> (
                {wallet.active.label})
                {wallet.accounts.length > 1 ? (
                  <>
                    {' '}
                    ·{' '}
                    <Link href="/wallet/accounts" className="text-indigo-700 underline underline-offset-2 dark:text-indigo-300">
                      use another account
                    </Link>
                  </>
                ) : null}
              </p>
            ) : null}
            <div className="flex flex-wrap gap-2">
              <Button onClick={signIn} loading={busy}>
                Sign in with your wallet
              </Button>
              {target ? (
                <a href={target.toString()} className={buttonClass({ variant: 'secondary' })}>
                  Cancel
                </a>
              ) : null}
            </div>
          </div>
        )}
        {error ? <ErrorNotice error={error} onRetry={signIn} /> : null}
      </section>
    </main>
  );
}
