import { codeOfTrpc, type ErrorCodeOf, errorSentence, errorSpec, retriableTable } from '@arc/core';
import { TRPCClientError } from '@trpc/client';
import { z } from 'zod';

/**
 * Codes the client raises itself (NETWORK, TIMEOUT, PROOF_INVALID, BAD_INPUT, BAD_RESPONSE, TX_DROPPED, …), each
 * with whether a retry can help: the catalogue's (@arc/core), family 'client'. Everything else is the node's
 * `appCode` (the ledger's NONCE_TOO_LOW, the node's RATE_LIMITED…), passed through with the catalogue's flag.
 */
export const CLIENT_ERRORS = retriableTable('client');

export type ClientOwnErrorCode = ErrorCodeOf<'client'>;
/** A client code or any application code the node sends. */
export type ClientErrorCode = ClientOwnErrorCode | (string & {});

/**
 * The one error type of the client: a stable code, a sentence for people, and whether a retry can help. The flag
 * is the catalogue's for every code it knows; for another code (a blocklet's own, a newer node's) the one given, else false.
 */
export class ClientError extends Error {
  override name = 'ClientError';
  readonly code: ClientErrorCode;
  readonly retriable: boolean;

  constructor(code: ClientErrorCode, message: string = errorSentence(code), options: { retriable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retriable = errorSpec(code)?.retriable ?? options.retriable ?? false;
  }
}

/**
 * A transaction that went into a block but failed there (the ledger's code, e.g. INSUFFICIENT_FUNDS): its fee was
 * charged and its nonce used, nothing else happened. Sending it again cannot help (its nonce is spent): build a new one.
 */
export class TxFailedError extends ClientError {
  override name = 'TxFailedError';
  override readonly retriable = false;

  constructor(
    readonly hash: string,
    readonly height: number,
    code: ClientErrorCode,
    /** The ledger's sentence for why it failed. */
    readonly reason: string,
  ) {
    super(
      code,
      `transaction ${hash} failed in block ${height} (${code}: ${reason}); its fee was charged and its nonce used, nothing else happened`,
    );
  }
}

/** Shorthand for the common BAD_INPUT case. */
export function badInput(message: string): ClientError {
  return new ClientError('BAD_INPUT', message);
}

/** What the node puts in a tRPC error's `data` (apps/node/API.md): tRPC's code, ours, and whether a retry helps. */
const ErrorData = z.object({
  code: z.string().optional(),
  appCode: z.string().optional(),
  retriable: z.boolean().optional(),
});

/**
 * A refusal as the node sends it outside tRPC: a gateway ack or `error` event (`{ code, message, retriable }`), or
 * the body of a blocklet route's error (`{ error: { code, message, retriable } }`).
 */
export const ErrorPayloadWire = z.object({ code: z.string().min(1), message: z.string(), retriable: z.boolean().optional() });
const ErrorBodyWire = z.object({ error: ErrorPayloadWire });

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
}

/** A ClientError for a refusal the node sent as `{ code, message, retriable }` (a gateway ack, an `error` event). */
export function fromErrorPayload(payload: z.infer<typeof ErrorPayloadWire>, cause?: unknown): ClientError {
  return new ClientError(payload.code, payload.message || errorSentence(payload.code), { retriable: payload.retriable, cause });
}

/** A ClientError for the JSON body of a failed blocklet route (`/b/<name>/…`); BAD_RESPONSE if it is not one. */
export function fromErrorBody(body: unknown): ClientError {
  const parsed = ErrorBodyWire.safeParse(body);
  if (!parsed.success)
    return new ClientError('BAD_RESPONSE', 'the node answered with an error body that is not { error: { code, message } }');
  return fromErrorPayload(parsed.data.error);
}

/**
 * Rebuilds a ClientError from what a tRPC call threw (tRPC error, network failure, abort); rethrows bugs. The code
 * is the node's `appCode`, or else the code a bare tRPC code stands for (TOO_MANY_REQUESTS → RATE_LIMITED,
 * INTERNAL_SERVER_ERROR → INTERNAL…); its retriable flag is the catalogue's.
 */
export function toClientError(error: unknown): ClientError {
  if (error instanceof ClientError) return error;
  if (error instanceof TRPCClientError) {
    const data = ErrorData.safeParse(error.data ?? {});
    if (data.success && data.data.appCode !== undefined) {
      const { appCode, retriable } = data.data;
      return new ClientError(appCode, error.message || errorSentence(appCode), { retriable, cause: error });
    }
    if (data.success && data.data.code !== undefined) {
      const code = codeOfTrpc(data.data.code) ?? 'BAD_RESPONSE';
      return new ClientError(code, error.message || errorSentence(code), { cause: error });
    }
    if (isTimeout(error.cause)) return new ClientError('TIMEOUT', 'the node did not answer in time', { cause: error });
    return new ClientError('NETWORK', `the node could not be reached: ${error.message}`, { cause: error });
  }
  if (isTimeout(error)) return new ClientError('TIMEOUT', 'the node did not answer in time', { cause: error });
  // Anything else is a bug in this library or the caller, not an operating error: let it surface.
  throw error;
}
