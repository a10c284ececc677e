import { NodeApiError, OcapError, type OcapErrorCode } from '@arc/core';

/**
 * The ledger's, the node's and the client's codes on the OCAP taxonomy. A code missing here is a node the
 * adapter does not know yet: it surfaces as INTERNAL with the original as `cause`.
 */
const CODE_MAP: Record<string, OcapErrorCode> = {
  // The ledger (packages/core/src/ledger/errors.ts).
  MALFORMED_TX: 'INVALID_ARGUMENT',
  TX_TOO_LARGE: 'INVALID_ARGUMENT',
  UNKNOWN_TX_TYPE: 'INVALID_ARGUMENT',
  WRONG_CHAIN: 'INVALID_ARGUMENT',
  INVALID_DID: 'INVALID_ADDRESS',
  INVALID_SIGNATURE: 'INVALID_ARGUMENT',
  INVALID_TX: 'INVALID_ARGUMENT',
  FEE_TOO_LOW: 'FEE_TOO_LOW',
  UNKNOWN_ACCOUNT: 'NOT_FOUND',
  ACCOUNT_EXISTS: 'INVALID_ARGUMENT',
  NONCE_TOO_LOW: 'NONCE_TOO_LOW',
  // Our nonce ran ahead of the chain's; like a low one it means "build again with a fresh nonce".
  NONCE_GAP: 'NONCE_TOO_LOW',
  INSUFFICIENT_FUNDS: 'INSUFFICIENT_FUNDS',
  UNKNOWN_TOKEN: 'NOT_FOUND',
  TOKEN_EXISTS: 'INVALID_ARGUMENT',
  UNKNOWN_ASSET: 'NOT_FOUND',
  ASSET_NOT_OWNED: 'FORBIDDEN',
  ASSET_NOT_TRANSFERABLE: 'FORBIDDEN',
  ASSET_CONSUMED: 'FORBIDDEN',
  ASSET_READONLY: 'FORBIDDEN',
  GRANT_NOT_FOUND: 'FORBIDDEN',
  GRANT_EXPIRED: 'FORBIDDEN',
  GRANT_EXCEEDED: 'FORBIDDEN',
  // The node (apps/node/src/errors.ts) and tRPC codes without an application code.
  BAD_INPUT: 'INVALID_ARGUMENT',
  NOT_FOUND: 'NOT_FOUND',
  MEMPOOL_FULL: 'UNAVAILABLE',
  RATE_LIMITED: 'UNAVAILABLE',
  UNAVAILABLE: 'UNAVAILABLE',
  INTERNAL_SERVER_ERROR: 'UNAVAILABLE',
  SERVICE_UNAVAILABLE: 'UNAVAILABLE',
  TOO_MANY_REQUESTS: 'UNAVAILABLE',
  FORBIDDEN: 'FORBIDDEN',
  // An HTTP NodeApi (packages/client/src/errors.ts). A request timeout is a node that did not answer.
  NETWORK: 'UNAVAILABLE',
  TIMEOUT: 'UNAVAILABLE',
  PROOF_INVALID: 'INTERNAL',
  BAD_RESPONSE: 'INTERNAL',
  TX_DROPPED: 'NOT_FOUND',
};

/** Where the error happened: a send reads "unknown account" as "this sender has never been funded". */
export type ErrorContext = 'read' | 'send';

/** The OCAP code for a ledger, node or client code. */
export function ocapCodeOf(code: string, context: ErrorContext = 'read'): OcapErrorCode {
  // The ledger refuses a sender it has never seen (it was never funded): to the caller that is no money.
  if (code === 'UNKNOWN_ACCOUNT' && context === 'send') return 'INSUFFICIENT_FUNDS';
  return CODE_MAP[code] ?? 'INTERNAL';
}

/** Turns whatever a NodeApi call threw into an OcapError, keeping the original as `cause`. */
export function toOcapError(error: unknown, context: ErrorContext = 'read', chainId?: string): OcapError {
  if (error instanceof OcapError) return error;
  const options = chainId === undefined ? { cause: error } : { cause: error, chainId };
  if (error instanceof NodeApiError) {
    const code = ocapCodeOf(error.code, context);
    const prefix = code === 'INTERNAL' ? `the Arc node answered ${error.code}: ` : '';
    return new OcapError(code, `${prefix}${error.message}`, options);
  }
  const message = error instanceof Error ? error.message : String(error);
  return new OcapError('INTERNAL', `the native adapter failed unexpectedly: ${message}`, options);
}
