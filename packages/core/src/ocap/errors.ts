import { type ErrorCodeOf, retriableTable } from '../errors/catalog.ts';

/**
 * One error taxonomy for every chain adapter. Each adapter maps its chain's own errors (JSON-RPC codes,
 * revert reasons, ledger codes) onto these codes, so an application handles "insufficient funds" once.
 * The codes, their sentences and whether retrying the same call later can succeed are the catalogue's
 * (packages/core/src/errors), family 'ocap'.
 */
export const OCAP_ERRORS = retriableTable('ocap');

export type OcapErrorCode = ErrorCodeOf<'ocap'>;

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
