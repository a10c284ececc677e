import { bigint, index, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';

/**
 * Who executed each chain-event invocation of a blocklet on a network of validators, as this node accepted it
 * (executors/README.md): the elected validator's DID and VRF priority, how the invocation ended and the digest of its
 * result. One row per event; a later report of the same executor (a retry that succeeded) updates it.
 */
export const blockletExecutions = pgTable(
  'blocklet_executions',
  {
    name: text('name').notNull(),
    dedupKey: text('dedup_key').notNull(),
    executorDid: text('executor_did').notNull(),
    /** The executor's priority for the event (32 bytes, hex): higher ran first. */
    priorityHex: text('priority_hex').notNull(),
    /** 'ok', or the failed invocation's error code. */
    outcome: text('outcome').notNull(),
    /** SHA3-256 (hex) of the invocation's canonical result JSON. */
    outputDigest: text('output_digest').notNull(),
    acceptedAtMs: bigint('accepted_at_ms', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.name, t.dedupKey] }), index('blocklet_executions_accepted_idx').on(t.name, t.acceptedAtMs)],
);
