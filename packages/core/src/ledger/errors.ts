import { type ErrorCodeOf, retriableTable } from '../errors/catalog.ts';

/** The ledger's error codes, each with whether retrying the same transaction later can succeed (from the catalogue). */
export const LEDGER_ERRORS = retriableTable('ledger');

export type LedgerErrorCode = ErrorCodeOf<'ledger'>;

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
