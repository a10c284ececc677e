import { codeOfTrpc, isRetriable, LedgerError, OcapError, trpcCodeOf } from '@arc/core';
import { initTRPC, TRPCError } from '@trpc/server';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';
import { ZodError } from 'zod';
import { NodeError } from '../errors.ts';
import { GatewayError } from '../gateway/types.ts';
import type { Services } from '../services.ts';

export interface Context {
  services: Services;
  /** The caller's address, for rate limits. */
  ip: string;
}

/** Our errors whose code is one of the catalogue's (the code travels in `data.appCode`). */
type CodedError = NodeError | GatewayError | OcapError | LedgerError;

function isCoded(error: unknown): error is CodedError {
  return error instanceof NodeError || error instanceof GatewayError || error instanceof OcapError || error instanceof LedgerError;
}

/** Turns one of our errors into the TRPCError the client sees, with the catalogue's tRPC code (code and retriable travel in `data`). */
export function toTrpcError(error: CodedError): TRPCError {
  const code: TRPC_ERROR_CODE_KEY = trpcCodeOf(error.code);
  return new TRPCError({ code, message: error.message, cause: error });
}

/** What `data` carries besides tRPC's own fields: the catalogue's code, whether a retry can help, and when. */
function appData(cause: unknown, trpcCode: TRPC_ERROR_CODE_KEY): { appCode: string; retriable: boolean; retryAfterMs?: number } {
  if (isCoded(cause)) {
    const retryAfterMs = 'retryAfterMs' in cause ? cause.retryAfterMs : undefined;
    return { appCode: cause.code, retriable: isRetriable(cause.code), ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
  }
  if (cause instanceof ZodError) return { appCode: 'BAD_INPUT', retriable: false };
  // tRPC's own refusals (an unparsable body, an unknown procedure) and anything thrown that is not ours: a thrown
  // bug is INTERNAL, which a retry does not fix.
  const appCode = codeOfTrpc(trpcCode) ?? 'INTERNAL';
  return { appCode, retriable: isRetriable(appCode) };
}

const t = initTRPC.context<Context>().create({
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    const app = appData(cause, error.code);
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
  if (isCoded(cause)) throw toTrpcError(cause);
  return result;
});

export const router = t.router;
export const publicProcedure = t.procedure.use(mapErrors);
