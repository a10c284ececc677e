/**
 * One error taxonomy for every chain adapter. Each adapter maps its chain's own errors (JSON-RPC codes,
 * revert reasons, ledger codes) onto these codes, so an application handles "insufficient funds" once.
 * The flag says whether retrying the same call later can succeed.
 */
export const OCAP_ERRORS = {
  /** The adapter does not offer this feature: `capabilities()` says `false` for it. */
  ADAPTER_UNSUPPORTED: false,
  /** Input that no chain would accept (a negative amount, an empty key, a malformed hash). */
  INVALID_ARGUMENT: false,
  /** The address is not an address of this chain (bad checksum, wrong network, wrong length). */
  INVALID_ADDRESS: false,
  /** The block, transaction, token or asset does not exist (yet). */
  NOT_FOUND: false,
  /** The sender cannot pay the amount plus the fee; funding the sender and retrying can succeed. */
  INSUFFICIENT_FUNDS: true,
  /** The nonce (or an input) was already spent by another transaction. */
  NONCE_TOO_LOW: false,
  /** The chain already holds this exact transaction. */
  KNOWN_TRANSACTION: false,
  /** The fee is below what the chain accepts now. */
  FEE_TOO_LOW: true,
  /** The transaction was mined but failed (a contract revert, a ledger rule). */
  REVERTED: false,
  /** The same idempotency key was used before with a different payload. */
  IDEMPOTENCY_CONFLICT: false,
  /** The caller may not do this (not the owner of the asset, not permitted by the host). */
  FORBIDDEN: false,
  /** The chain's node cannot be reached or answered with a server error. */
  UNAVAILABLE: true,
  /** A wait ran out of time; the transaction may still confirm later. */
  TIMEOUT: true,
  /** A checkpoint no longer matches the chain deeper than the stream can repair (reorg past its window). */
  CHECKPOINT_INVALID: false,
  /** The chain answered something the adapter cannot interpret: a bug in the adapter or the node. */
  INTERNAL: false,
} as const;

export type OcapErrorCode = keyof typeof OCAP_ERRORS;

/** An adapter's refusal: a stable code, a sentence for people, whether a retry can help, and the chain's own error. */
export class OcapError extends Error {
  override name = 'OcapError';
  readonly retriable: boolean;

  constructor(
    readonly code: OcapErrorCode,
    message: string,
    options: { cause?: unknown; chainId?: string } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.retriable = OCAP_ERRORS[code];
    this.chainId = options.chainId;
  }

  readonly chainId: string | undefined;
}

/** Shorthand for building an OcapError. */
export function ocapError(code: OcapErrorCode, message: string, options?: { cause?: unknown; chainId?: string }): OcapError {
  return new OcapError(code, message, options);
}

/** True when `value` is an OcapError (optionally with the given code). */
export function isOcapError(value: unknown, code?: OcapErrorCode): value is OcapError {
  return value instanceof OcapError && (code === undefined || value.code === code);
}

/** The error thrown for a feature an adapter's capabilities mark `false`. */
export function unsupported(adapter: string, feature: string): OcapError {
  return new OcapError(
    'ADAPTER_UNSUPPORTED',
    `The ${adapter} adapter does not support ${feature}; check capabilities() before calling it.`,
  );
}
