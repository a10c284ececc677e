'use client';

import { reviewComponent, textHash } from '@arc/client';
import { Button, Textarea } from '@arc/ui';
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { ErrorNotice } from '../components/error-notice.tsx';
import { plural } from '../explorer/format.ts';
import { useTRPC, useTRPCClient } from '../trpc/react.tsx';
import { useWallet } from '../wallet/index.ts';
import { useAfterCommit } from './reviews.tsx';
import { useMarketTx } from './use-market-tx.ts';

/** Longest review body in characters (the node stores at most 4 KB). */
const reviewCharsMax = 2000;
const starWords = ['', 'Poor', 'Fair', 'Good', 'Very good', 'Excellent'];
/** How often an account without a recorded use asks again whether it has one. */
const useRecheckMs = 3_000;

/**
 * Write (or edit) a review: the node says whether the wallet's account has used the component (market.use); if it
 * has, stars and text → the text stored by hash (market.putText) → a signed reviewComponent transaction → committed.
 */
export function ReviewForm({ name }: { name: string }) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const wallet = useWallet();
  const tx = useMarketTx();
  const after = useAfterCommit();
  const account = wallet.active?.did ?? null;
  // Until the node has recorded a use (it flushes usage every few seconds), ask again now and then.
  const use = useQuery({
    ...trpc.market.use.queryOptions({ name, account: account ?? '' }),
    enabled: account !== null,
    refetchInterval: (query) => (query.state.data && !query.state.data.verified ? useRecheckMs : false),
  });
  const existing = use.data?.review ?? null;
  const [stars, setStars] = useState<number | null>(null);
  const [text, setText] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);

  if (wallet.status === 'loading') return null;
  if (account === null)
    return (
      <p className="text-sm text-slate-600 dark:text-slate-400">
        To review it, open your{' '}
        <Link href="/wallet" className="text-indigo-600 underline underline-offset-2 dark:text-indigo-400">
          wallet
        </Link>{' '}
        with the account that used it.
      </p>
    );
  if (use.isPending) return <p className="text-sm text-slate-500 dark:text-slate-400">Checking whether your account has used it…</p>;
  if (use.isError) return <ErrorNotice error={use.error} onRetry={() => void use.refetch()} />;
  if (!use.data.verified)
    return (
      <p className="text-sm text-slate-700 dark:text-slate-300" data-testid="review-not-allowed">
        <span className="font-medium">You cannot review it yet.</span> {use.data.reason}
      </p>
    );

  const chosenStars = stars ?? existing?.stars ?? null;
  const body = text ?? existing?.text ?? '';
  const submit = async () => {
    if (chosenStars === null) return;
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      await client.market.putText.mutate({ text: body, purpose: 'review' });
      const result = await tx.submit({
        title: `${existing ? 'Edit your review' : 'Review'} of ${name}`,
        details: [
          { label: 'Stars', value: `${chosenStars} of 5` },
          { label: 'What happens', value: 'Your review is recorded on the ledger under your DID; the latest one counts.' },
        ],
        itx: () => reviewComponent({ name, stars: chosenStars, textHash: textHash(body), edit: existing !== null }),
      });
      setDone(`Your review is on the ledger (block #${result.height ?? '…'}). The rank below is recomputed with it.`);
      setStars(null);
      setText(null);
      after();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      className="space-y-3"
      aria-label={existing ? 'Edit your review' : 'Write a review'}
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <p className="text-xs text-emerald-700 dark:text-emerald-400">
        Verified use: {plural(use.data.calls, 'call')}, {plural(use.data.installs, 'install')}.
        {existing ? ' You have reviewed it; a new review replaces yours.' : ''}
      </p>
      <fieldset>
        <legend className="text-sm font-medium text-slate-800 dark:text-slate-200">Your rating</legend>
        <div className="mt-1 flex flex-wrap gap-1">
          {[1, 2, 3, 4, 5].map((n) => (
            <label
              key={n}
              className={`cursor-pointer rounded-md px-2 py-1 text-sm ring-1 ring-inset has-[:focus-visible]:ring-2 has-[:focus-visible]:ring-indigo-500 ${
                chosenStars !== null && n <= chosenStars
                  ? 'bg-amber-50 text-amber-800 ring-amber-300 dark:bg-amber-500/10 dark:text-amber-300 dark:ring-amber-500/40'
                  : 'text-slate-600 ring-slate-300 dark:text-slate-400 dark:ring-slate-700'
              }`}
            >
              <input type="radio" name="stars" value={n} checked={chosenStars === n} onChange={() => setStars(n)} className="sr-only" />
              <span aria-hidden="true">★</span> {n} <span className="sr-only">{n === 1 ? 'star' : 'stars'}, </span>
              <span className="hidden sm:inline">{starWords[n]}</span>
            </label>
          ))}
        </div>
      </fieldset>
      <div>
        <label htmlFor={`review-text-${name}`} className="text-sm font-medium text-slate-800 dark:text-slate-200">
          Your review
        </label>
        <Textarea
          id={`review-text-${name}`}
          rows={4}
          maxLength={reviewCharsMax}
          value={body}
          onChange={(e) => setText(e.target.value)}
          placeholder="What did you use it for? What worked, what did not?"
        />
      </div>
      {error ? <ErrorNotice error={error} /> : null}
      {done ? (
        <p role="status" className="text-sm text-emerald-700 dark:text-emerald-400">
          {done}
        </p>
      ) : null}
      <Button type="submit" disabled={busy || chosenStars === null || body.trim() === ''}>
        {busy ? 'Signing and sending…' : existing ? 'Sign and update review' : 'Sign and post review'}
      </Button>
    </form>
  );
}
