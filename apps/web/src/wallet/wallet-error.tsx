'use client';

import { errorSentence } from '@arc/core';
import { ErrorNotice } from '../components/error-notice.tsx';
import { asClientError } from './client-error.ts';

/** The wallet's own plain-words message for an error: the catalogue's sentence, then the detail when it adds one. */
export function describeWalletError(error: unknown): { title: string; detail: string | null; code: string | null } {
  const coded = asClientError(error);
  if (coded) {
    const sentence = errorSentence(coded.code);
    const known = !sentence.startsWith('The request failed with');
    const title = known ? sentence : coded.message;
    const detail = known && coded.message && coded.message !== sentence ? coded.message : null;
    return { title, detail, code: coded.code };
  }
  return { title: error instanceof Error ? error.message : String(error), detail: null, code: null };
}

/** An error box in the wallet's pages and dialogs (role=alert, so it is read out when it appears). */
export function WalletError({ error }: { error: unknown }) {
  if (error === null || error === undefined) return null;
  // The node's and the wallet's coded errors read as everywhere else in the app.
  if (asClientError(error)) return <ErrorNotice error={error} />;
  const { title, detail, code } = describeWalletError(error);
  return (
    <div
      role="alert"
      data-code={code ?? undefined}
      className="rounded-lg border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800 dark:border-red-900 dark:bg-red-950/50 dark:text-red-200"
    >
      <p className="font-medium">{title}</p>
      {detail ? <p className="mt-0.5 text-red-700 dark:text-red-300">{detail}</p> : null}
    </div>
  );
}
