import { OcapError } from '@arc/core';
import { initTRPC, TRPCError } from '@trpc/server';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';
import { ZodError } from 'zod';
import { type AppErrorCode, NodeError } from '../errors.ts';
import type { Services } from '../services.ts';

export interface Context {
  services: Services;
  /** The caller's address, for rate limits. */
  ip: string;
}

/** The one table from our error codes to tRPC's. */
const TRPC_CODES: Partial<Record<AppErrorCode, TRPC_ERROR_CODE_KEY>> = {
  NOT_FOUND: 'NOT_FOUND',
  MEMPOOL_FULL: 'SERVICE_UNAVAILABLE',
  MEMPOOL_ACCOUNT_FULL: 'TOO_MANY_REQUESTS',
  UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  RATE_LIMITED: 'TOO_MANY_REQUESTS',
  FAUCET_DISABLED: 'FORBIDDEN',
  CONFLICT: 'CONFLICT',
  INVALID_SIGNATURE: 'UNAUTHORIZED',
  ADAPTER_UNSUPPORTED: 'METHOD_NOT_SUPPORTED',
  INVALID_ARGUMENT: 'BAD_REQUEST',
  IDEMPOTENCY_CONFLICT: 'CONFLICT',
  FORBIDDEN: 'FORBIDDEN',
  TIMEOUT: 'TIMEOUT',
  INTERNAL: 'INTERNAL_SERVER_ERROR',
  BLOCKLET_NOT_FOUND: 'NOT_FOUND',
  BLOCKLET_HANDLER_NOT_FOUND: 'NOT_FOUND',
  BLOCKLET_NAME_TAKEN: 'CONFLICT',
  BLOCKLET_VERSION_EXISTS: 'CONFLICT',
  PERMISSION_DENIED: 'FORBIDDEN',
  REPLAYED: 'CONFLICT',
  BLOCKLET_TIMEOUT: 'TIMEOUT',
  BLOCKLET_OVERLOADED: 'SERVICE_UNAVAILABLE',
  BLOCKLET_CRASHED: 'SERVICE_UNAVAILABLE',
  BUNDLE_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
};

/** Turns a NodeError into the TRPCError the client sees (code and retriable travel in `data`). */
export function toTrpcError(error: NodeError): TRPCError {
  return new TRPCError({ code: TRPC_CODES[error.code] ?? 'BAD_REQUEST', message: error.message, cause: error });
}

const t = initTRPC.context<Context>().create({
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    const app =
      cause instanceof NodeError
        ? {
            appCode: cause.code as string,
            retriable: cause.retriable,
            ...(cause.retryAfterMs === undefined ? {} : { retryAfterMs: cause.retryAfterMs }),
          }
        : cause instanceof ZodError
          ? { appCode: 'BAD_INPUT', retriable: false }
          : error.code === 'INTERNAL_SERVER_ERROR'
            ? { appCode: 'INTERNAL', retriable: true }
            : error.code === 'PARSE_ERROR' || error.code === 'BAD_REQUEST'
              ? { appCode: 'BAD_INPUT', retriable: false }
              : { appCode: error.code, retriable: false };
    const message =
      cause instanceof ZodError
        ? `Bad input: ${cause.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ')}`
        : shape.message;
    return { ...shape, message, data: { code: shape.data.code, httpStatus: shape.data.httpStatus, path: shape.data.path, ...app } };
  },
});

/** Maps NodeErrors thrown by services, and OcapErrors thrown by chain adapters, to typed tRPC errors. */
const mapErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (result.ok) return result;
  const cause = result.error.cause;
  if (cause instanceof NodeError) throw toTrpcError(cause);
  if (cause instanceof OcapError) throw toTrpcError(new NodeError(cause.code, cause.message));
  return result;
});

export const router = t.router;
export const publicProcedure = t.procedure.use(mapErrors);
