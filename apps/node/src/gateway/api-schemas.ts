import { z } from 'zod';

/**
 * The gateway procedures' inputs and outputs. createApiKey, revokeApiKey and setTopicRules carry `auth`: the application DID's
 * signature made with `signAdmin(appKey, 'gateway.createApiKey' | 'gateway.revokeApiKey' | 'gateway.setTopicRules', appDid, params, timeMs)`
 * from @arc/core, where params are the input without `appDid` and `auth`.
 */
const hex = (bytes: number) => z.string().regex(new RegExp(`^[0-9a-f]{${bytes * 2}}$`), `${bytes} bytes as lower-case hex`);
const Did = z.string().min(1).max(128);
const AuthIn = z.strictObject({ publicKey: hex(32), timeMs: z.number().int().nonnegative(), signature: hex(64) });
const Audience = z.enum(['owner', 'authenticated', 'anyone']);
const RuleName = z.string().regex(/^(\*|[A-Za-z0-9_.\-@/]{1,64})$/, 'a topic name without colons (1–64 characters), or * for the default');
export const TopicRuleSchema = z.strictObject({ name: RuleName, publish: Audience, subscribe: Audience });

export const ChallengeOut = z.object({ nonce: z.string(), timeMs: z.number(), expiresAtMs: z.number() });
export const LoginIn = z.strictObject({
  did: Did,
  publicKey: hex(32),
  nonce: z.string().min(1).max(64),
  timeMs: z.number().int(),
  signature: hex(64),
});
export const LoginOut = z.object({ token: z.string(), did: z.string(), expiresAtMs: z.number() });
export const CreateApiKeyIn = z.strictObject({
  appDid: Did,
  keyId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, '8–64 letters, digits, _ or -'),
  auth: AuthIn,
});
export const CreateApiKeyOut = z.object({ keyId: z.string(), apiKey: z.string() });
export const RevokeApiKeyIn = CreateApiKeyIn;
export const RevokeApiKeyOut = z.object({ keyId: z.string() });
export const SetTopicRulesIn = z.strictObject({ appDid: Did, rules: z.array(TopicRuleSchema).max(100), auth: AuthIn });
export const TopicRulesIn = z.strictObject({ appDid: Did });
export const TopicRulesOut = z.array(TopicRuleSchema);
