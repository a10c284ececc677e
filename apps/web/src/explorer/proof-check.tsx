'use client';

import { type Account, ClientError, createClient } from '@arc/client';
import { formatAmount } from '@arc/ui';
import { useRouter } from 'next/navigation';
import { useCallback, useEffect, useRef, useState } from 'react';
import { nativeToken } from '../chain/live.ts';
import { useTopic } from '../realtime/provider.tsx';

type Check = { state: 'checking' } | { state: 'verified'; account: Account } | { state: 'failed'; code: string; message: string };

/**
 * Checks the account's state proof IN THE BROWSER: @arc/client's getAccount verifies the Merkle path from the
 * account's value to the state root and that root against the block header at that height. Says so with a
 * visible mark, or says clearly that the check failed. Checks again, and re-renders the page, when a
 * transaction touching the account commits.
 */
export function ProofCheck({ did }: { did: string }) {
  const router = useRouter();
  const [check, setCheck] = useState<Check>({ state: 'checking' });
  const clientRef = useRef<ReturnType<typeof createClient> | null>(null);

  const verify = useCallback(async () => {
    // Same origin: the web server forwards /trpc to the node.
    clientRef.current ??= createClient({ url: window.location.origin });
    try {
      const account = await clientRef.current.getAccount(did);
      setCheck({ state: 'verified', account });
    } catch (error) {
      if (error instanceof ClientError) setCheck({ state: 'failed', code: error.code, message: error.message });
      else setCheck({ state: 'failed', code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) });
    }
  }, [did]);

  useEffect(() => {
    void verify();
  }, [verify]);

  useTopic(`account:${did}`, () => {
    router.refresh();
    void verify();
  });

  if (check.state === 'checking') {
    return (
      <p
        role="status"
        data-proof="checking"
        className={`${box} bg-slate-50 text-slate-700 ring-slate-200 dark:bg-slate-800/50 dark:text-slate-300 dark:ring-slate-700`}
      >
        <span aria-hidden="true" className="size-2 shrink-0 motion-safe:animate-pulse rounded-full bg-slate-400" />
        Checking the state proof in your browser…
      </p>
    );
  }
  if (check.state === 'failed') {
    const proofBad = check.code === 'PROOF_INVALID';
    return (
      <div
        role="alert"
        data-proof="failed"
        className={`${box} flex-col items-start bg-red-50 text-red-900 ring-red-200 dark:bg-red-500/10 dark:text-red-200 dark:ring-red-500/30`}
      >
        <p className="font-semibold">
          {proofBad ? '✕ Verification FAILED: the node’s answer does not match its proof' : '✕ Could not verify this account'}
        </p>
        <p className="text-xs">{check.message}</p>
        {proofBad ? <p className="text-xs">Do not trust the balances on this page.</p> : null}
        <button type="button" onClick={() => void verify()} className="text-xs font-medium underline">
          Check again
        </button>
      </div>
    );
  }
  const { account } = check;
  return (
    <p
      role="status"
      data-proof="verified"
      className={`${box} bg-emerald-50 text-emerald-900 ring-emerald-200 dark:bg-emerald-500/10 dark:text-emerald-200 dark:ring-emerald-500/30`}
    >
      <svg viewBox="0 0 20 20" fill="currentColor" aria-hidden="true" className="size-4 shrink-0 text-emerald-600 dark:text-emerald-400">
        <path
          fillRule="evenodd"
          d="M10 1.5 3 4.5v5c0 4.2 3 7.6 7 9 4-1.4 7-4.8 7-9v-5l-7-3Zm3.7 6.2a.75.75 0 0 0-1.1-1l-3.4 3.8-1.7-1.6a.75.75 0 1 0-1 1.1l2.2 2.1c.3.3.8.3 1.1 0l3.9-4.4Z"
          clipRule="evenodd"
        />
      </svg>
      <span>
        <strong>Verified against block {account.proof.height.toLocaleString('en-US')}</strong>
        <span className="block text-xs sm:inline">
          {' '}
          · balance {formatAmount(account.balance, nativeToken.decimals)} {nativeToken.symbol}, nonce {account.nonce}, checked in your
          browser against state root <span className="font-mono">{account.proof.stateRoot.slice(0, 10)}…</span>
        </span>
      </span>
    </p>
  );
}

const box = 'flex items-center gap-2 rounded-xl px-4 py-3 text-sm ring-1 ring-inset';
