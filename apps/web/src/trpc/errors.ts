import { TRPCClientError } from '@trpc/client';

/**
 * True when the node never answered: a refused connection behind the proxy, a proxy error page,
 * a network failure. An answer from the node is a tRPC error shape, which carries `data`.
 */
export function isNodeUnreachable(error: unknown): boolean {
  return !(error instanceof TRPCClientError) || error.data == null;
}

/** The sentence to show for a failed call. */
export function describeError(error: unknown, nodeUrl: string): string {
  if (isNodeUnreachable(error)) return `Cannot reach the node at ${nodeUrl}, is it running?`;
  return error instanceof Error ? error.message : String(error);
}
