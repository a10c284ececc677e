import { bigint, doublePrecision, index, integer, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { amount } from '../db/columns.ts';

/**
 * What applications' users used, priced as it was metered, per (application, billing period, UTC day, line): a
 * component's calls (paid to its beneficiaries) or a node's CPU time (paid to the node). Written in the same database
 * transaction as the invocations it counts, so each invocation is billed exactly once. `settleTx` marks the rows a
 * settle transaction carries (in flight until it commits).
 */
export const economyUsage = pgTable(
  'economy_usage',
  {
    application: text('application').notNull(),
    period: integer('period').notNull(),
    day: integer('day').notNull(),
    /** 'component' or 'node' (the bill line kinds of the ledger). */
    kind: text('kind').notNull(),
    /** The component's name, or the node's DID. */
    payee: text('payee').notNull(),
    /** Calls, or CPU milliseconds. */
    quantity: doublePrecision('quantity').notNull(),
    unit: text('unit').notNull(),
    amount: amount('amount').notNull(),
    settleTx: text('settle_tx'),
  },
  (t) => [
    primaryKey({ columns: [t.application, t.period, t.day, t.kind, t.payee] }),
    index('economy_usage_period_idx').on(t.period, t.application),
  ],
);

/** Each application's settled periods: what the settlement charged and whether the deposit covered it. */
export const economySettlements = pgTable(
  'economy_settlements',
  {
    application: text('application').notNull(),
    period: integer('period').notNull(),
    txHash: text('tx_hash').notNull(),
    height: bigint('height', { mode: 'number' }).notNull(),
    charged: amount('charged').notNull(),
    paid: integer('paid').notNull(),
    settledAtMs: bigint('settled_at_ms', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.application, t.period] })],
);
