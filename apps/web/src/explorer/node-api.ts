import type { AppRouter } from '@arc/node/router';
import { createTRPCClient, httpBatchLink, TRPCClientError } from '@trpc/client';
import { notFound } from 'next/navigation';
import { env } from '../env.ts';

/**
 * The node's tRPC API as the web SERVER reaches it (NODE_URL), for the explorer's server-rendered pages: a page
 * renders whole without JavaScript, then its client parts go live. One client per request: calls a page makes at
 * once go out as one batched request.
 */
export function nodeApi() {
  return createTRPCClient<AppRouter>({
    links: [httpBatchLink({ url: `${env.NODE_URL}/trpc`, maxItems: 10, maxURLLength: 4000 })],
  });
}

export type NodeApi = ReturnType<typeof nodeApi>;

/** True when the node answered that the thing does not exist. */
export function isNotFound(error: unknown): boolean {
  if (!(error instanceof TRPCClientError)) return false;
  const data = error.data as { code?: string; appCode?: string } | null | undefined;
  return data?.appCode === 'NOT_FOUND' || data?.code === 'NOT_FOUND';
}

/** The value, or Next's 404 page when the node says there is no such thing; other failures go to the error page. */
export async function orNotFound<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    if (isNotFound(error)) notFound();
    throw error;
  }
}

/** The value, or null when the node says there is no such thing. */
export async function orNull<T>(call: Promise<T>): Promise<T | null> {
  try {
    return await call;
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}
