import { type ClientError, toClientError } from '@arc/client/errors';
import { errorSentence } from '@arc/core';

/** What a failed call means for people: the catalogue's sentence split into what happened and what to do. */
export interface ErrorExplanation {
  code: string | null;
  what: string;
  nextStep: string | null;
  /** The node's own, more precise message when it says more than the catalogue. */
  detail: string | null;
  retriable: boolean;
}

/** Reads any thrown value (tRPC error, ClientError, network failure, a bug) as an explanation. */
export function explainError(error: unknown): ErrorExplanation {
  let clientError: ClientError | null = null;
  try {
    clientError = toClientError(error);
  } catch {
    // Not an operating error (a bug): say so plainly below instead of crashing the page.
  }
  if (!clientError) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      code: null,
      what: 'Something went wrong on this page.',
      nextStep: 'Reload the page; if it happens again, tell us what you did.',
      detail: message,
      retriable: false,
    };
  }
  const sentence = errorSentence(clientError.code);
  const cut = sentence.indexOf('; ');
  const what = cut === -1 ? sentence : `${sentence.slice(0, cut)}.`;
  const nextStep = cut === -1 ? null : capitalize(sentence.slice(cut + 2));
  const detail = clientError.message && clientError.message !== sentence ? clientError.message : null;
  return { code: clientError.code, what, nextStep, detail, retriable: clientError.retriable };
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
