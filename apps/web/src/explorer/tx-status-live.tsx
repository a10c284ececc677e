'use client';

import { errorSentence } from '@arc/core';
import { useQuery } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useEffect, useRef, useState } from 'react';
import { useTopic } from '../realtime/provider.tsx';
import { useTRPC } from '../trpc/react.tsx';
import { explorerPaths } from './format.ts';
import { type TxState, txStateOf } from './tx-state.ts';

export type { TxState };

/** How long one long-poll of tx.wait waits on the node before it asks again (the node's bound is 30 s). */
const waitMs = 25_000;

/**
 * A transaction's status, live: a pending one listens on `chain:tx:<hash>` (and asks tx.wait once, so a commit
 * between the server render and the subscription is not missed), then the page re-renders with the block's data.
 */
export function TxStatusLive({ hash, initial, fee }: { hash: string; initial: TxState; fee?: string | undefined }) {
  const router = useRouter();
  const trpc = useTRPC();
  const [state, setState] = useState<TxState>(initial);
  const settledRef = useRef(initial.status !== 'pending');
  const pending = state.status === 'pending';

  useEffect(() => setState(initial), [initial]);

  const settle = (next: TxState) => {
    if (settledRef.current) return;
    settledRef.current = true;
    setState(next);
    // The server renders the committed transaction's details (block, events) from the node.
    router.refresh();
  };

  useTopic(pending ? `chain:tx:${hash}` : null, (event) => {
    const p = event.payload;
    settle(
      p.status === 'committed'
        ? { status: 'committed', height: p.height }
        : p.status === 'failed'
          ? { status: 'failed', height: p.height, code: p.code, message: p.message }
          : { status: 'rejected', height: p.height, code: p.code, message: p.message },
    );
  });

  const waited = useQuery({
    ...trpc.tx.wait.queryOptions({ hash, timeoutMs: waitMs }),
    enabled: pending,
    refetchInterval: (query) => (query.state.data?.status === 'pending' ? 1 : false),
    retry: 3,
  });
  useEffect(() => {
    const data = waited.data;
    if (!data || data.status === 'pending' || data.status === 'unknown') return;
    settle(txStateOf(data));
  });

  return <TxStatusBadge state={state} fee={fee} />;
}

/**
 * The status line itself; rendered by the server first, so it reads the same without JavaScript. `fee` (formatted,
 * with its unit) is shown for a failed transaction: what it cost its payer.
 */
export function TxStatusBadge({ state, fee }: { state: TxState; fee?: string | undefined }) {
  if (state.status === 'committed') {
    return (
      <p
        role="status"
        data-tx-status="committed"
        className={`${box} bg-emerald-50 text-emerald-900 ring-emerald-200 dark:bg-emerald-500/10 dark:text-emerald-200 dark:ring-emerald-500/30`}
      >
        <Dot className="bg-emerald-500" />
        <span>
          <strong>Committed</strong> in block{' '}
          <a href={explorerPaths.block(state.height)} className="font-medium underline">
            {state.height.toLocaleString('en-US')}
          </a>
        </span>
      </p>
    );
  }
  if (state.status === 'failed') {
    return (
      <div
        role="alert"
        data-tx-status="failed"
        className={`${box} flex-col items-start bg-red-50 text-red-900 ring-red-200 dark:bg-red-500/10 dark:text-red-200 dark:ring-red-500/30`}
      >
        <p className="flex items-center gap-2">
          <Dot className="bg-red-500" />
          <strong>Failed</strong> in block{' '}
          <a href={explorerPaths.block(state.height)} className="font-medium underline">
            {state.height.toLocaleString('en-US')}
          </a>
          <code className="rounded bg-red-100 px-1.5 py-0.5 font-mono text-xs dark:bg-red-500/20">{state.code}</code>
        </p>
        <p>{errorSentence(state.code)}</p>
        {state.message && state.message !== errorSentence(state.code) ? (
          <p className="text-xs text-red-800 dark:text-red-300">The ledger said: {state.message}</p>
        ) : null}
        <p className="text-xs text-red-800 dark:text-red-300">
          The fee{fee ? ` of ${fee}` : ''} was charged and the nonce used; nothing else this transaction asked for happened.
        </p>
      </div>
    );
  }
  if (state.status === 'rejected') {
    return (
      <div
        role="alert"
        data-tx-status="rejected"
        className={`${box} flex-col items-start bg-red-50 text-red-900 ring-red-200 dark:bg-red-500/10 dark:text-red-200 dark:ring-red-500/30`}
      >
        <p className="flex items-center gap-2">
          <Dot className="bg-red-500" />
          <strong>Rejected</strong>
          <code className="rounded bg-red-100 px-1.5 py-0.5 font-mono text-xs dark:bg-red-500/20">{state.code}</code>
        </p>
        <p>{errorSentence(state.code)}</p>
        {state.message && state.message !== errorSentence(state.code) ? (
          <p className="text-xs text-red-800 dark:text-red-300">The node said: {state.message}</p>
        ) : null}
      </div>
    );
  }
  return (
    <p
      role="status"
      data-tx-status="pending"
      className={`${box} bg-amber-50 text-amber-900 ring-amber-200 dark:bg-amber-500/10 dark:text-amber-200 dark:ring-amber-500/30`}
    >
      <Dot className="motion-safe:animate-pulse bg-amber-500" />
      <span>
        <strong>Pending</strong>: waiting in the mempool for the next block. This line turns to Committed by itself.
      </span>
    </p>
  );
}

const box = 'flex items-center gap-2 rounded-xl px-4 py-3 text-sm ring-1 ring-inset';

function Dot({ className }: { className: string }) {
  return <span aria-hidden="true" className={`size-2 shrink-0 rounded-full ${className}`} />;
}
