'use client';

import dynamic from 'next/dynamic';

export interface ErrorNoticeProps {
  error: unknown;
  /** Shown as "Try again" when the error is one a retry can help. */
  onRetry?: () => void;
  className?: string;
}

// The notice reads errors with @arc/client's error model, whose wire schemas bring zod: it is downloaded when a page
// has an error to show (server-rendered ones come with the page), not with every page that could show one.
const ErrorNoticeView = dynamic(() => import('./error-notice-view.tsx').then((m) => m.ErrorNoticeView));

/** A failed call in plain words: what happened, what to do next, the node's detail and the code for support. */
export function ErrorNotice(props: ErrorNoticeProps) {
  return <ErrorNoticeView {...props} />;
}
