import { type ErrorCode, type ErrorCodeOf, errorSentence, isRetriable, retriableTable } from '@arc/core';

/** Error codes of the node itself (its API, mempool, faucet, admin requests), each with whether a retry can help. */
export const NODE_ERRORS = retriableTable('node');

export type NodeErrorCode = ErrorCodeOf<'node'>;
/** Any code of the catalogue: services also throw the ledger's, OCAP's and the runtime's codes as NodeErrors. */
export type AppErrorCode = ErrorCode;

/** A node error: a stable code, a sentence saying what to do, and whether a retry can help (the catalogue's). */
export class NodeError extends Error {
  override name = 'NodeError';
  readonly retriable: boolean;
  constructor(
    readonly code: AppErrorCode,
    message: string = errorSentence(code),
    /** For a refusal of load (RATE_LIMITED, UNAVAILABLE…): how long until a retry can succeed. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.retriable = isRetriable(code);
  }
}
