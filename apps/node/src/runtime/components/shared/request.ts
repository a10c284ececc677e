import type { BlockletContext, BlockletHttpRequest, BlockletHttpResponse } from '@arc/core';

/**
 * What the built-in components share about HTTP requests: a caller's mistake as an error with its status, the
 * JSON body, DIDs, page sizes, newest-first keys. One file; each component folder links to it as `request.ts`
 * (a symbolic link), so a folder still uploads whole — the bundler puts this module into each bundle.
 */

/** A request the caller got wrong: its HTTP status and a sentence. */
export class RequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** A did:abt: DID (base58, as the ledger writes them). */
export const DID = /^did:abt:z[1-9A-HJ-NP-Za-km-z]{20,60}$/;

/** The answer to a path the component does not serve (a fresh object each time: the runtime may keep it). */
export function notFound(): BlockletHttpResponse {
  return { status: 404, body: { error: 'not found' } };
}

/** Keys sort newest first: the time is stored as its distance to this far future (ms). */
const TIME_MAX_MS = 9_999_999_999_999;

/** An id whose key order is newest first, unique per invocation. */
export function newestFirstId(atMs: number, invocationId: string): string {
  return `${String(TIME_MAX_MS - atMs).padStart(13, '0')}-${invocationId}`;
}

/** The body as a JSON object; `example` shows the caller what to send. */
export function jsonObjectBody(body: string, example: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new RequestError(400, `the body is JSON: ${example}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new RequestError(400, 'the body is a JSON object');
  return value as Record<string, unknown>;
}

/** The `limit` query parameter: `fallback` when absent, else a whole number from 1 to `max`. */
export function pageLimit(text: string | undefined, fallback: number, max: number): number {
  const limit = text === undefined ? fallback : Number(text);
  if (!Number.isInteger(limit) || limit < 1 || limit > max) throw new RequestError(400, `limit is 1 to ${max}`);
  return limit;
}

/** The HTTP answer to a RequestError; null for anything else (the caller rethrows it). */
export function requestErrorResponse(error: unknown): BlockletHttpResponse | null {
  return error instanceof RequestError ? { status: error.status, body: { error: error.message } } : null;
}

/** A `fetch` handler from a router: a RequestError it throws becomes its HTTP answer; anything else fails the call. */
export function serveRequests(
  route: (request: BlockletHttpRequest, ctx: BlockletContext) => Promise<BlockletHttpResponse>,
): (request: BlockletHttpRequest, ctx: BlockletContext) => Promise<BlockletHttpResponse> {
  return async (request, ctx) => {
    try {
      return await route(request, ctx);
    } catch (error) {
      const answer = requestErrorResponse(error);
      if (answer === null) throw error;
      return answer;
    }
  };
}
