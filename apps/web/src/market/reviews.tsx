'use client';

import { replyReview, textHash } from '@arc/client';
import { Button, Dialog, Textarea } from '@arc/ui';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { ErrorNotice } from '../components/error-notice.tsx';
import { useTRPC, useTRPCClient } from '../trpc/react.tsx';
import { useWallet } from '../wallet/index.ts';
import { formatDate } from './format.ts';
import { developerHref } from './query.ts';
import { Stars } from './stars.tsx';
import type { Review, ReviewsPage } from './types.ts';
import { useMarketTx } from './use-market-tx.ts';

/** Reviews per page. */
export const reviewsPageSize = 10;
/** Longest reply or report reason, in characters (the node's review bound is 4 KB). */
const replyCharsMax = 2000;
const reportReasonCharsMax = 280;

/**
 * The component's reviews: the first page server-rendered (and read again after a review commits), then "More reviews"
 * by cursor. (Pages are fetched by hand: the node's input is strict, and an infinite query adds its own fields.)
 */
export function Reviews({ name, owner, initial }: { name: string; owner: string; initial: ReviewsPage }) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const wallet = useWallet();
  const first = useQuery({ ...trpc.market.reviews.queryOptions({ name, limit: reviewsPageSize }), initialData: initial });
  const [more, setMore] = useState<{ items: Review[]; nextCursor: string | null } | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<unknown>(null);
  // Later pages belong to the first page they followed: when it is read again, start over from it.
  const [firstSeen, setFirstSeen] = useState(first.data);
  if (first.data !== firstSeen) {
    setFirstSeen(first.data);
    setMore(null);
  }
  const items = [...first.data.items, ...(more?.items ?? [])];
  const nextCursor = more ? more.nextCursor : first.data.nextCursor;
  const loadMore = async () => {
    if (nextCursor === null) return;
    setLoading(true);
    setError(null);
    try {
      const page = await client.market.reviews.query({ name, cursor: nextCursor, limit: reviewsPageSize });
      setMore({ items: [...(more?.items ?? []), ...page.items], nextCursor: page.nextCursor });
    } catch (e) {
      setError(e);
    } finally {
      setLoading(false);
    }
  };
  const me = wallet.active?.did ?? null;
  if (first.isError) return <ErrorNotice error={first.error} onRetry={() => void first.refetch()} />;
  if (items.length === 0)
    return <p className="text-sm text-slate-600 dark:text-slate-400">No reviews yet. Only someone who has used it may review it.</p>;
  return (
    <div className="space-y-4">
      <p className="text-xs text-slate-500 dark:text-slate-400">
        {first.data.total.toLocaleString('en-US')} review{first.data.total === 1 ? '' : 's'}, each from an account that used it.
      </p>
      <ol className="divide-y divide-slate-100 dark:divide-slate-800" aria-label="Reviews">
        {items.map((review) => (
          <ReviewItem key={review.reviewer} name={name} review={review} isOwner={me !== null && me === owner} />
        ))}
      </ol>
      {error ? <ErrorNotice error={error} onRetry={() => void loadMore()} /> : null}
      {nextCursor !== null ? (
        <Button variant="secondary" onClick={() => void loadMore()} disabled={loading}>
          {loading ? 'Loading…' : 'More reviews'}
        </Button>
      ) : null}
    </div>
  );
}

function ReviewItem({ name, review, isOwner }: { name: string; review: Review; isOwner: boolean }) {
  return (
    <li className="py-4 first:pt-0" data-testid="review">
      <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
        <Stars average={review.stars} count={1} single />
        <Link href={developerHref(review.reviewer)} className="text-sm font-medium text-slate-900 hover:underline dark:text-slate-100">
          {review.reviewerMoniker || `${review.reviewer.slice(0, 16)}…`}
        </Link>
        <span className="text-xs text-slate-500 dark:text-slate-400">
          {formatDate(review.updatedAtMs)}
          {review.revision > 1 ? ' · edited' : ''}
        </span>
      </div>
      <p className="mt-1 text-xs text-emerald-700 dark:text-emerald-400">Verified use: {review.verifiedUse}</p>
      {review.hidden ? (
        <p className="mt-2 text-sm text-slate-500 italic dark:text-slate-400">Hidden after an upheld report; it carries no weight.</p>
      ) : (
        <p className="mt-2 text-sm whitespace-pre-line text-slate-700 dark:text-slate-300">
          {review.text ?? <span className="italic">The node does not hold this review's text.</span>}
        </p>
      )}
      {review.reply ? (
        <div className="mt-3 ml-4 border-l-2 border-indigo-200 pl-3 text-sm dark:border-indigo-500/40">
          <p className="text-xs font-semibold text-slate-700 dark:text-slate-300">
            Reply from the author · {formatDate(review.reply.atMs)}
          </p>
          <p className="mt-1 whitespace-pre-line text-slate-700 dark:text-slate-300">
            {review.reply.text ?? '(text not held by this node)'}
          </p>
        </div>
      ) : null}
      <div className="mt-2 flex gap-3">
        {isOwner && review.reply === null ? <ReplyDialog name={name} reviewer={review.reviewer} /> : null}
        <ReportDialog name={name} reviewer={review.reviewer} label={`Report the review by ${review.reviewerMoniker || 'this reviewer'}`} />
      </div>
    </li>
  );
}

const linkButton = 'text-xs font-medium text-indigo-600 hover:underline dark:text-indigo-400';

export function useAfterCommit() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  return () => {
    void queryClient.invalidateQueries({ queryKey: trpc.market.reviews.pathKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.market.use.pathKey() });
    router.refresh();
  };
}

/** The author's one reply to a review: stored by hash, then a signed replyReview transaction. */
function ReplyDialog({ name, reviewer }: { name: string; reviewer: string }) {
  const client = useTRPCClient();
  const tx = useMarketTx();
  const after = useAfterCommit();
  const [open, setOpen] = useState(false);
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const send = async () => {
    setBusy(true);
    setError(null);
    try {
      await client.market.putText.mutate({ text, purpose: 'reply' });
      await tx.submit({
        title: `Reply to a review of ${name}`,
        details: [{ label: 'What happens', value: 'Your reply is recorded on the ledger; you can reply to a review only once.' }],
        itx: () => replyReview({ name, reviewer, textHash: textHash(text) }),
      });
      setOpen(false);
      after();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      open={open}
      onOpenChange={setOpen}
      dismissible={!busy}
      trigger={
        <button type="button" className={linkButton}>
          Reply
        </button>
      }
      title="Reply to this review"
      description="Your one reply, shown under the review. It cannot be changed later."
      footer={
        <Button onClick={() => void send()} disabled={busy || text.trim() === ''}>
          {busy ? 'Sending…' : 'Sign and reply'}
        </Button>
      }
    >
      <label htmlFor={`reply-${reviewer}`} className="text-sm font-medium text-slate-800 dark:text-slate-200">
        Reply
      </label>
      <Textarea id={`reply-${reviewer}`} value={text} maxLength={replyCharsMax} rows={4} onChange={(e) => setText(e.target.value)} />
      {error ? <ErrorNotice error={error} /> : null}
    </Dialog>
  );
}

/** Anyone reports a component or a review: a reason, then a signed reportAbuse transaction that a moderator resolves. */
export function ReportDialog({ name, reviewer, label }: { name: string; reviewer: string; label: string }) {
  const tx = useMarketTx();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const send = async () => {
    setBusy(true);
    setError(null);
    try {
      await tx.submit({
        title: reviewer ? `Report a review of ${name}` : `Report ${name}`,
        details: [{ label: 'Reason', value: reason }],
        itx: () => ({ type: 'reportAbuse', name, reviewer, reason }),
      });
      setDone(true);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (!next) setDone(false);
      }}
      dismissible={!busy}
      trigger={
        <button type="button" className={linkButton} aria-label={label}>
          Report
        </button>
      }
      title={reviewer ? 'Report this review' : `Report ${name}`}
      description="Say what is wrong. A moderator reads it; an upheld report hides a review or lowers a component's rank."
      footer={
        done ? null : (
          <Button variant="danger" onClick={() => void send()} disabled={busy || reason.trim().length < 4}>
            {busy ? 'Sending…' : 'Sign and report'}
          </Button>
        )
      }
    >
      {done ? (
        <p role="status" className="text-sm text-emerald-700 dark:text-emerald-400">
          Reported. The report is on the ledger; a moderator will resolve it.
        </p>
      ) : (
        <>
          <label htmlFor={`report-${name}-${reviewer || 'component'}`} className="text-sm font-medium text-slate-800 dark:text-slate-200">
            Reason
          </label>
          <Textarea
            id={`report-${name}-${reviewer || 'component'}`}
            value={reason}
            maxLength={reportReasonCharsMax}
            rows={3}
            onChange={(e) => setReason(e.target.value)}
          />
          {error ? <ErrorNotice error={error} /> : null}
        </>
      )}
    </Dialog>
  );
}
