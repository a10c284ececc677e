import { BLOCKLET_ERRORS, type BlockletErrorCode, LEDGER_ERRORS, type LedgerErrorCode, OCAP_ERRORS, type OcapErrorCode } from '@arc/core';

/** Error codes of the node itself (the ledger's own codes come from core). */
export const NODE_ERRORS = {
  BAD_INPUT: false,
  NOT_FOUND: false,
  MEMPOOL_FULL: true,
  MEMPOOL_ACCOUNT_FULL: true,
  RATE_LIMITED: true,
  FAUCET_DISABLED: false,
  CONFLICT: false,
  EXPIRED: false,
  UNAVAILABLE: true,
  UNAUTHORIZED: false,
  /** A signed request sent a second time: signing it again (a new time) helps, sending it again does not. */
  REPLAYED: false,
} as const;

export type NodeErrorCode = keyof typeof NODE_ERRORS;
export type AppErrorCode = NodeErrorCode | LedgerErrorCode | OcapErrorCode | BlockletErrorCode;

/** A node error: a stable code, a sentence saying what to do, and whether a retry can help. */
export class NodeError extends Error {
  override name = 'NodeError';
  readonly retriable: boolean;
  constructor(
    readonly code: AppErrorCode,
    message: string,
    /** For a refusal of load (RATE_LIMITED, UNAVAILABLE…): how long until a retry can succeed. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.retriable =
      code in NODE_ERRORS
        ? NODE_ERRORS[code as NodeErrorCode]
        : code in LEDGER_ERRORS
          ? LEDGER_ERRORS[code as LedgerErrorCode]
          : code in OCAP_ERRORS
            ? OCAP_ERRORS[code as OcapErrorCode]
            : BLOCKLET_ERRORS[code as BlockletErrorCode];
  }
}
