import { TRPCClientError } from '@trpc/client';

/**
 * Codes the client raises itself. Everything else is the node's `appCode` (the ledger's codes such
 * as NONCE_TOO_LOW or INSUFFICIENT_FUNDS, or the node's own such as RATE_LIMITED), passed through.
 */
export const CLIENT_ERRORS = {
  /** The node could not be reached or answered with something that is not tRPC. */
  NETWORK: true,
  /** A request or a wait for commit ran out of time; the transaction may still commit. */
  TIMEOUT: true,
  /** The node's answer does not match its own Merkle proof (a faulty or lying node). */
  PROOF_INVALID: false,
  /** The caller passed something that can never work (bad amount, DID, key…). */
  BAD_INPUT: false,
  /** The node answered with data that does not fit the API contract. */
  BAD_RESPONSE: false,
  /** The node no longer knows a transaction it accepted (dropped from its mempool); resend it. */
  TX_DROPPED: true,
  /** The node refused with a tRPC code but no application code (NOT_FOUND, INTERNAL_SERVER_ERROR…). */
  NOT_FOUND: false,
} as const;

export type ClientOwnErrorCode = keyof typeof CLIENT_ERRORS;
/** A client code or any application code the node sends. */
export type ClientErrorCode = ClientOwnErrorCode | (string & {});

/** The one error type of the client: a stable code, a sentence for people, and whether a retry can help. */
export class ClientError extends Error {
  override name = 'ClientError';
  readonly code: ClientErrorCode;
  readonly retriable: boolean;

  constructor(code: ClientErrorCode, message: string, options: { retriable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retriable = options.retriable ?? (CLIENT_ERRORS as Record<string, boolean>)[code] ?? false;
  }
}

/** Shorthand for the common BAD_INPUT case. */
export function badInput(message: string): ClientError {
  return new ClientError('BAD_INPUT', message);
}

interface ErrorData {
  code?: unknown;
  appCode?: unknown;
  retriable?: unknown;
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
}

/** Rebuilds a ClientError from what a tRPC call threw (tRPC error, network failure, abort); rethrows bugs. */
export function toClientError(error: unknown): ClientError {
  if (error instanceof ClientError) return error;
  if (error instanceof TRPCClientError) {
    const data = (error.data ?? null) as ErrorData | null;
    if (data !== null && typeof data.appCode === 'string') {
      return new ClientError(data.appCode, error.message, { retriable: data.retriable === true, cause: error });
    }
    if (data !== null && typeof data.code === 'string') {
      // tRPC's own codes: input validation failures are the caller's fault, the rest the server's.
      if (data.code === 'BAD_REQUEST' || data.code === 'PARSE_ERROR') return new ClientError('BAD_INPUT', error.message, { cause: error });
      if (data.code === 'NOT_FOUND') return new ClientError('NOT_FOUND', error.message, { cause: error });
      if (data.code === 'TIMEOUT') return new ClientError('TIMEOUT', error.message, { cause: error });
      const retriable = typeof data.retriable === 'boolean' ? data.retriable : data.code === 'INTERNAL_SERVER_ERROR';
      return new ClientError(data.code, error.message, { retriable, cause: error });
    }
    if (isTimeout(error.cause)) return new ClientError('TIMEOUT', 'the node did not answer in time', { cause: error });
    return new ClientError('NETWORK', `the node could not be reached: ${error.message}`, { cause: error });
  }
  if (isTimeout(error)) return new ClientError('TIMEOUT', 'the node did not answer in time', { cause: error });
  // Anything else is a bug in this library or the caller, not an operating error: let it surface.
  throw error;
}
