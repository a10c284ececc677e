/**
 * The shape of one entry of the error catalogue (catalog.ts). Kept apart so each family's section can say
 * `satisfies ErrorSections` without importing the catalogue that merges them.
 */

/** The domains that raise errors; a code shared by several lists each of them, its owner first. */
export type ErrorFamily = 'ledger' | 'ocap' | 'blocklet' | 'gateway' | 'node' | 'admin' | 'client' | 'cli' | 'consensus';

/** tRPC's error codes (v11) this platform answers with; a subset of `TRPC_ERROR_CODE_KEY`. */
export type TrpcCode =
  | 'PARSE_ERROR'
  | 'BAD_REQUEST'
  | 'INTERNAL_SERVER_ERROR'
  | 'NOT_IMPLEMENTED'
  | 'BAD_GATEWAY'
  | 'SERVICE_UNAVAILABLE'
  | 'GATEWAY_TIMEOUT'
  | 'UNAUTHORIZED'
  | 'PAYMENT_REQUIRED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'METHOD_NOT_SUPPORTED'
  | 'TIMEOUT'
  | 'CONFLICT'
  | 'PRECONDITION_FAILED'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'UNPROCESSABLE_CONTENT'
  | 'PRECONDITION_REQUIRED'
  | 'TOO_MANY_REQUESTS'
  | 'CLIENT_CLOSED_REQUEST';

/** What the platform says about one error code, wherever it is raised and whichever protocol carries it. */
export interface ErrorSpec {
  /** Who raises it: the first family owns its meaning, the others reuse it as is. */
  families: readonly ErrorFamily[];
  /** The status of an HTTP answer with this code (blocklet routes, the node's plain HTTP errors). */
  httpStatus: number;
  /** The tRPC code of a tRPC error with this code (the code itself travels in `data.appCode`). */
  trpcCode: TrpcCode;
  /** The same request, sent again later unchanged, can succeed. */
  retriable: boolean;
  /** What happened and what to do, for people; a raiser may say something more precise. */
  sentence: string;
}

/** One family's section of the catalogue. */
export type ErrorSections = Record<string, ErrorSpec>;
