import { TRPCError } from '@trpc/server';
import { publicProcedure, router, toTrpcError } from '../api/trpc.ts';
import type { Services } from '../services.ts';
import {
  ChallengeOut,
  CreateApiKeyIn,
  CreateApiKeyOut,
  LoginIn,
  LoginOut,
  RevokeApiKeyIn,
  RevokeApiKeyOut,
  SetTopicRulesIn,
  TopicRulesIn,
  TopicRulesOut,
} from './api-schemas.ts';
import type { GatewayAuthService } from './auth.ts';
import { GatewayError } from './types.ts';

async function withAuth<T>(services: Services, run: (auth: GatewayAuthService) => Promise<T> | T): Promise<T> {
  const gateway = services.gateway;
  if (!gateway) throw new TRPCError({ code: 'SERVICE_UNAVAILABLE', message: 'The gateway is starting; try again.' });
  try {
    return await run(gateway.auth);
  } catch (error) {
    // The catalogue's tRPC code, and its code and retriable flag in `data`, as for every other refusal.
    if (error instanceof GatewayError) throw toTrpcError(error);
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
  /** Revokes an application's API key, signed by the application DID: connections with it are refused from now on. */
  revokeApiKey: publicProcedure
    .input(RevokeApiKeyIn)
    .output(RevokeApiKeyOut)
    .mutation(({ ctx, input }) => withAuth(ctx.services, (auth) => auth.revokeApiKey(input))),
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
