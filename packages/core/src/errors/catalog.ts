/**
 * The error catalogue: the one place that says, for every error code the platform raises (ledger, OCAP, blocklet
 * runtime, gateway, node API, admin, client, CLI, consensus), who raises it, its default sentence, its HTTP status, its tRPC
 * code and whether a retry can help. Every other table (LEDGER_ERRORS, OCAP_ERRORS, BLOCKLET_ERRORS, the node's
 * tRPC and HTTP statuses, the gateway's payloads, the client's ClientError) is read from here.
 *
 * The rule for `retriable`: the same request, sent again later unchanged, can succeed. So RATE_LIMITED,
 * UNAVAILABLE, NONCE_GAP and INSUFFICIENT_FUNDS (the payer may be funded meanwhile) are retriable; FEE_TOO_LOW is
 * not (only a new transaction with a higher fee passes), nor REPLAYED (only a new signature passes), nor INTERNAL
 * (a bug answers the same way until it is fixed). BLOCKLET_TIMEOUT is retriable: the wall clock includes waits on
 * hosts, chains and a busy sandbox, which a later call may not meet; BLOCKLET_CPU_LIMIT is not.
 *
 * Each family's entries live in a file of their own (ledger-codes.ts, …); a code shared by families is written
 * once, in its owner's file, listing every family that raises it.
 */
import { BLOCKLET_SECTION } from './blocklet-codes.ts';
import { CLIENT_SECTION } from './client-codes.ts';
import { CONSENSUS_SECTION } from './consensus-codes.ts';
import { GATEWAY_SECTION } from './gateway-codes.ts';
import { LEDGER_SECTION } from './ledger-codes.ts';
import { NODE_SECTION } from './node-codes.ts';
import { OCAP_SECTION } from './ocap-codes.ts';
import type { ErrorFamily, ErrorSpec, TrpcCode } from './spec.ts';

export type { ErrorFamily, ErrorSpec, TrpcCode } from './spec.ts';

/** The sections as written, for the test that no code is written twice (a spread would hide it). */
export const ERROR_SECTIONS = [
  LEDGER_SECTION,
  OCAP_SECTION,
  BLOCKLET_SECTION,
  NODE_SECTION,
  GATEWAY_SECTION,
  CLIENT_SECTION,
  CONSENSUS_SECTION,
] as const;

/** Every error code of the platform, with its family, sentence, HTTP status, tRPC code and retriable flag. */
export const ERROR_CATALOG = {
  ...LEDGER_SECTION,
  ...OCAP_SECTION,
  ...BLOCKLET_SECTION,
  ...NODE_SECTION,
  ...GATEWAY_SECTION,
  ...CLIENT_SECTION,
  ...CONSENSUS_SECTION,
} as const;

type Catalog = typeof ERROR_CATALOG;

/** A code of the catalogue. */
export type ErrorCode = keyof Catalog;

/** The codes a family raises (a shared code belongs to each family that lists it). */
export type ErrorCodeOf<F extends ErrorFamily> = {
  [C in ErrorCode]: F extends Catalog[C]['families'][number] ? C : never;
}[ErrorCode];

/** True when `code` is a code of the catalogue. */
export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERROR_CATALOG, code);
}

/** The catalogue's entry for a code, or undefined for a string that is not one. */
export function errorSpec(code: string): ErrorSpec | undefined {
  return isErrorCode(code) ? ERROR_CATALOG[code] : undefined;
}

/** Whether retrying the same request later can help; false for a code the catalogue does not know. */
export function isRetriable(code: string): boolean {
  return errorSpec(code)?.retriable ?? false;
}

/** The catalogue's sentence for a code (what happened, what to do); a generic one for an unknown code. */
export function errorSentence(code: string): string {
  return errorSpec(code)?.sentence ?? `The request failed with ${code}.`;
}

/** The HTTP status for a code; 500 for a code the catalogue does not know (a bug: every code is in it). */
export function httpStatusOf(code: string): number {
  return errorSpec(code)?.httpStatus ?? 500;
}

/** The tRPC code for a code; INTERNAL_SERVER_ERROR for a code the catalogue does not know. */
export function trpcCodeOf(code: string): TrpcCode {
  return errorSpec(code)?.trpcCode ?? 'INTERNAL_SERVER_ERROR';
}

/** The codes of a family, in catalogue order. */
export function errorCodesOf<F extends ErrorFamily>(family: F): ErrorCodeOf<F>[] {
  return (Object.keys(ERROR_CATALOG) as ErrorCode[]).filter((code) =>
    (ERROR_CATALOG[code].families as readonly ErrorFamily[]).includes(family),
  ) as ErrorCodeOf<F>[];
}

/** A family's view `code → retriable`, read from the catalogue (what LEDGER_ERRORS and the like are). */
export function retriableTable<F extends ErrorFamily>(family: F): Readonly<Record<ErrorCodeOf<F>, boolean>> {
  return Object.fromEntries(errorCodesOf(family).map((code) => [code, ERROR_CATALOG[code].retriable])) as Record<ErrorCodeOf<F>, boolean>;
}

/** `code → retriable` for a list of codes (a subset one module raises, such as the sandbox's). */
export function retriableOf<C extends ErrorCode>(codes: readonly C[]): Readonly<Record<C, boolean>> {
  return Object.fromEntries(codes.map((code) => [code, ERROR_CATALOG[code].retriable])) as Record<C, boolean>;
}

/**
 * What a bare tRPC code stands for when an error carries no code of ours (tRPC's own refusals: a body that does
 * not parse, an unknown procedure, a payload over the server's bound; or an older node).
 */
export const TRPC_FALLBACK_CODES: Readonly<Record<TrpcCode, ErrorCode>> = {
  PARSE_ERROR: 'BAD_INPUT',
  BAD_REQUEST: 'BAD_INPUT',
  UNPROCESSABLE_CONTENT: 'BAD_INPUT',
  UNSUPPORTED_MEDIA_TYPE: 'BAD_INPUT',
  INTERNAL_SERVER_ERROR: 'INTERNAL',
  NOT_IMPLEMENTED: 'METHOD_NOT_ALLOWED',
  METHOD_NOT_SUPPORTED: 'METHOD_NOT_ALLOWED',
  BAD_GATEWAY: 'BAD_RESPONSE',
  SERVICE_UNAVAILABLE: 'UNAVAILABLE',
  GATEWAY_TIMEOUT: 'TIMEOUT',
  TIMEOUT: 'TIMEOUT',
  UNAUTHORIZED: 'UNAUTHORIZED',
  PAYMENT_REQUIRED: 'BAD_INPUT',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  PRECONDITION_FAILED: 'CONFLICT',
  PRECONDITION_REQUIRED: 'CONFLICT',
  PAYLOAD_TOO_LARGE: 'TOO_LARGE',
  TOO_MANY_REQUESTS: 'RATE_LIMITED',
  CLIENT_CLOSED_REQUEST: 'CLOSED',
};

/** The code of the catalogue a tRPC code stands for; undefined for a string that is not a tRPC code. */
export function codeOfTrpc(trpcCode: string): ErrorCode | undefined {
  return Object.hasOwn(TRPC_FALLBACK_CODES, trpcCode) ? TRPC_FALLBACK_CODES[trpcCode as TrpcCode] : undefined;
}
