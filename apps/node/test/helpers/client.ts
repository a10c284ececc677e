import { createTRPCClient, httpBatchLink, TRPCClientError } from '@trpc/client';
import type { AppRouter } from '../../src/api/router.ts';

/** A raw tRPC client of one node (batched, as a browser would talk to it). */
export function nodeClient(url: string) {
  return createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: `${url}/trpc` })] });
}

export type NodeClient = ReturnType<typeof nodeClient>;

/** What the node answers with when it refuses a call. */
export interface AppErrorShape {
  appCode: string;
  retriable: boolean;
  trpcCode: string;
  message: string;
}

/** The typed error a call ends with; fails the test when the call succeeds or the error is untyped. */
export async function appError(call: Promise<unknown>): Promise<AppErrorShape> {
  let result: unknown;
  try {
    result = await call;
  } catch (error) {
    if (!(error instanceof TRPCClientError)) throw error;
    const data = error.data as { appCode?: string; retriable?: boolean; code?: string } | undefined;
    if (data?.appCode === undefined) throw new Error(`the call failed without an app code: ${error.message}`);
    return { appCode: data.appCode, retriable: data.retriable === true, trpcCode: data.code ?? '', message: error.message };
  }
  throw new Error(`expected the call to be refused, it answered ${JSON.stringify(result)}`);
}

/** True for a failure to reach the node at all (refused, reset), as opposed to an answer. */
export function isNetworkError(error: unknown): boolean {
  return error instanceof TRPCClientError && (error.data as { appCode?: string } | undefined)?.appCode === undefined;
}
