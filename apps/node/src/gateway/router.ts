import { TRPCError } from '@trpc/server';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';
import { publicProcedure, router, toTrpcError } from '../api/trpc.ts';
import { NodeError } from '../errors.ts';
import type { Services } from '../services.ts';
import {
  ChallengeOut,
  CreateApiKeyIn,
  CreateApiKeyOut,
  LoginIn,
  LoginOut,
  SetTopicRulesIn,
  TopicRulesIn,
  TopicRulesOut,
} from './api-schemas.ts';
import type { GatewayAuthService } from './auth.ts';
import { GatewayError, type GatewayErrorCode } from './types.ts';

/** The one table from gateway codes to tRPC's. */
const TRPC_CODES: Record<GatewayErrorCode, TRPC_ERROR_CODE_KEY> = {
  BAD_PAYLOAD: 'BAD_REQUEST',
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  SESSION_EXPIRED: 'UNAUTHORIZED',
  TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  RATE_LIMITED: 'TOO_MANY_REQUESTS',
  TOO_MANY_SUBSCRIPTIONS: 'TOO_MANY_REQUESTS',
  SLOW_CONSUMER: 'TOO_MANY_REQUESTS',
  NOT_FOUND: 'NOT_FOUND',
  RESTARTING: 'SERVICE_UNAVAILABLE',
  REPLAYED: 'CONFLICT',
};

async function withAuth<T>(services: Services, run: (auth: GatewayAuthService) => Promise<T> | T): Promise<T> {
  const gateway = services.gateway;
  if (!gateway) throw new TRPCError({ code: 'SERVICE_UNAVAILABLE', message: 'The gateway is starting; try again.' });
  try {
    return await run(gateway.auth);
  } catch (error) {
    // RATE_LIMITED is also a node code: send it as one, so clients see the typed code and that a retry helps.
    if (error instanceof GatewayError && error.code === 'RATE_LIMITED')
      throw toTrpcError(new NodeError('RATE_LIMITED', error.message, error.retryAfterMs));
    // So is REPLAYED (the runtime's signed calls answer it too): one code for "sign it again", whichever API.
    if (error instanceof GatewayError && error.code === 'REPLAYED') throw toTrpcError(new NodeError('REPLAYED', error.message));
    if (error instanceof GatewayError) throw new TRPCError({ code: TRPC_CODES[error.code], message: error.message, cause: error });
    throw error;
  }
}

export const gatewayRouter = router({
  /** A fresh challenge to sign with challengeMessage(nonce, timeMs) from @arc/core. */
  challenge: publicProcedure.output(ChallengeOut).mutation(({ ctx }) => withAuth(ctx.services, (auth) => auth.challenge({ ip: ctx.ip }))),
  /** A session token for a signed challenge (Socket.io `auth.token`, MQTT password, DDP login). */
  login: publicProcedure
    .input(LoginIn)
    .output(LoginOut)
    .mutation(({ ctx, input }) =>
      withAuth(ctx.services, async (auth) => {
        const { token, principal } = await auth.login(input);
        return { token, did: input.did, expiresAtMs: principal.kind === 'did' ? principal.expiresAtMs : 0 };
      }),
    ),
  /** An API key for an application's server, signed by the application DID; the secret is shown once. */
  createApiKey: publicProcedure
    .input(CreateApiKeyIn)
    .output(CreateApiKeyOut)
    .mutation(({ ctx, input }) => withAuth(ctx.services, (auth) => auth.createApiKey(input))),
  /** Replaces who may publish and subscribe on the application's `app:<appDid>:<name>` topics. */
  setTopicRules: publicProcedure
    .input(SetTopicRulesIn)
    .output(TopicRulesOut)
    .mutation(({ ctx, input }) => withAuth(ctx.services, (auth) => auth.setTopicRules(input))),
  topicRules: publicProcedure
    .input(TopicRulesIn)
    .output(TopicRulesOut)
    .query(({ ctx, input }) => withAuth(ctx.services, (auth) => auth.topicRules(input.appDid))),
});
