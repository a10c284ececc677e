import { bigint, index, pgTable, text } from 'drizzle-orm/pg-core';

/**
 * Signed admin requests already accepted (gateway.setTopicRules, gateway.createApiKey, blocklet.upload and the
 * blocklet management calls): a request is usable once. Kept until its signed time leaves the clock-skew window,
 * after which verifyAdmin refuses it anyway.
 */
export const usedSignedRequests = pgTable(
  'used_signed_requests',
  {
    /** SHA-256 (hex) of the signer's DID and the signed message (operation, name, time, parameters). */
    requestHash: text('request_hash').primaryKey(),
    /** The signed time plus the skew window: the row can go once the clock passes it. */
    expiresAtMs: bigint('expires_at_ms', { mode: 'number' }).notNull(),
  },
  (t) => [index('used_signed_requests_expiry_idx').on(t.expiresAtMs)],
);
