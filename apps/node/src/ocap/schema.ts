import { bigint, jsonb, pgTable, text } from 'drizzle-orm/pg-core';

/** First results of OCAP sends by idempotency key, so a retried send returns the same transaction after a restart. */
export const ocapSends = pgTable('ocap_sends', {
  key: text('key').primaryKey(),
  payloadHash: text('payload_hash').notNull(),
  result: jsonb('result').$type<{ hash: string; from: string; nonce?: number }>().notNull(),
  atMs: bigint('at_ms', { mode: 'number' }).notNull(),
});
