import type { IncomingMessage } from 'node:http';
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
  /** The request's `authorization` header (`Bearer <gateway session token>`), resolved only by sessionProcedure. */
  authorization?: string | null;
}

/** The context of one HTTP request: the node's services, the caller's address and its credential. */
export function createContext(services: Services, req: IncomingMessage): Context {
  const header = req.headers.authorization;
  return { services, ip: req.socket.remoteAddress ?? 'unknown', authorization: typeof header === 'string' ? header : null };
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

/** The signed-in caller of a sessionProcedure: the DID that answered the gateway's challenge. */
export interface Session {
  did: string;
  expiresAtMs: number;
}

/**
 * The DID of the `authorization: Bearer <token>` header: a session token from gateway.login. No header, an unknown or
 * forged token, an API key (an application's server, not a person) → UNAUTHORIZED; an expired one → SESSION_EXPIRED.
 */
export async function resolveSession(ctx: Context): Promise<Session> {
  const header = ctx.authorization?.trim() ?? '';
  if (header === '')
    throw new NodeError('UNAUTHORIZED', 'Sign in first: this needs a session (authorization: Bearer <token from gateway.login>).');
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw new NodeError('UNAUTHORIZED', 'The authorization header is not "Bearer <session token>"; sign in again.');
  const gateway = ctx.services.gateway;
  if (!gateway) throw new NodeError('UNAVAILABLE', 'The node is starting; try again in a moment.');
  const principal = await gateway.auth.resolve(match[1]);
  if (principal.kind !== 'did') throw new NodeError('UNAUTHORIZED', 'An API key cannot sign in to the console; sign in with your wallet.');
  return { did: principal.did, expiresAtMs: principal.expiresAtMs };
}

/** A procedure for a signed-in DID: `ctx.session` is the caller, who answered the gateway's challenge. */
export const sessionProcedure = publicProcedure.use(async ({ ctx, next }) => {
  const session = await resolveSession(ctx);
  return next({ ctx: { ...ctx, session } });
});
