'use client';

import { Button } from '@arc/ui';
import type { ErrorNoticeProps } from './error-notice.tsx';
import { explainError } from './explain-error.ts';

/** A failed call in plain words: what happened, what to do next, the node's detail and the code for support. */
export function ErrorNoticeView({ error, onRetry, className = '' }: ErrorNoticeProps) {
  const { code, what, nextStep, detail, retriable } = explainError(error);
  return (
    <div
      role="alert"
      data-error-code={code ?? undefined}
      className={`flex gap-3 rounded-xl bg-red-50 p-4 text-sm ring-1 ring-red-200 dark:bg-red-500/10 dark:ring-red-500/30 ${className}`}
    >
      <span
        aria-hidden="true"
        className="flex size-5 shrink-0 items-center justify-center rounded-full bg-red-600 text-xs font-bold text-white"
      >
        !
      </span>
      <div className="min-w-0 flex-1 space-y-1">
        <p className="font-semibold text-red-900 dark:text-red-200">{what}</p>
        {nextStep ? <p className="text-red-800 dark:text-red-300">{nextStep}</p> : null}
        {detail ? <p className="break-words text-red-700/80 dark:text-red-300/80">{detail}</p> : null}
        {code ? <p className="font-mono text-xs text-red-700 dark:text-red-300/80">{code}</p> : null}
        {onRetry && retriable ? (
          <div className="pt-2">
            <Button size="sm" variant="secondary" onClick={onRetry}>
              Try again
            </Button>
          </div>
        ) : null}
      </div>
    </div>
  );
}
