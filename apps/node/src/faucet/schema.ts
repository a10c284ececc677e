import { bigint, index, pgTable, text } from 'drizzle-orm/pg-core';

/** Faucet claims, so the rate limit and idempotency keys survive restarts. */
export const faucetClaims = pgTable(
  'faucet_claims',
  {
    idempotencyKey: text('idempotency_key').primaryKey(),
    did: text('did').notNull(),
    txHash: text('tx_hash').notNull(),
    atMs: bigint('at_ms', { mode: 'number' }).notNull(),
  },
  (t) => [index('faucet_claims_did_idx').on(t.did, t.atMs)],
);
