/** The ledger's error codes, each with whether retrying the same transaction later can succeed. */
export const LEDGER_ERRORS = {
  MALFORMED_TX: false,
  TX_TOO_LARGE: false,
  UNKNOWN_TX_TYPE: false,
  WRONG_CHAIN: false,
  INVALID_DID: false,
  INVALID_SIGNATURE: false,
  INVALID_TX: false,
  FEE_TOO_LOW: false,
  UNKNOWN_ACCOUNT: true,
  ACCOUNT_EXISTS: false,
  NONCE_TOO_LOW: false,
  NONCE_GAP: true,
  INSUFFICIENT_FUNDS: true,
  UNKNOWN_TOKEN: false,
  TOKEN_EXISTS: false,
  UNKNOWN_ASSET: false,
  ASSET_NOT_OWNED: false,
  ASSET_NOT_TRANSFERABLE: false,
  ASSET_CONSUMED: false,
  ASSET_READONLY: false,
  GRANT_NOT_FOUND: false,
  GRANT_EXPIRED: false,
  GRANT_EXCEEDED: false,
} as const;

export type LedgerErrorCode = keyof typeof LEDGER_ERRORS;

/** A transaction the ledger refuses: a stable code, a sentence for people, and whether a retry can help. */
export class LedgerError extends Error {
  override name = 'LedgerError';
  readonly retriable: boolean;

  constructor(
    readonly code: LedgerErrorCode,
    message: string,
  ) {
    super(message);
    this.retriable = LEDGER_ERRORS[code];
  }
}

/** Shorthand for building a LedgerError. */
export function ledgerError(code: LedgerErrorCode, message: string): LedgerError {
  return new LedgerError(code, message);
}
