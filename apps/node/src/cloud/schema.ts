import { bigint, bigserial, index, integer, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { bytea } from '../db/columns.ts';

/**
 * Transactions a process of a cloud node admitted and the producer has not yet put in a block (cloud/README.md). A
 * row is written before `tx.send` answers and deleted in the transaction of the block that holds or drops it, so an
 * acknowledged transaction survives the producer's death. `taken_epoch`: the producer lease epoch that took it into
 * its mempool (a new producer takes every row again).
 */
export const txQueue = pgTable(
  'tx_queue',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    hash: bytea('hash').notNull(),
    sender: text('sender').notNull(),
    nonce: bigint('nonce', { mode: 'number' }).notNull(),
    bytes: bytea('bytes').notNull(),
    admittedAtMs: bigint('admitted_at_ms', { mode: 'number' }).notNull(),
    takenEpoch: bigint('taken_epoch', { mode: 'number' }),
  },
  (t) => [uniqueIndex('tx_queue_hash_idx').on(t.hash), uniqueIndex('tx_queue_sender_nonce_idx').on(t.sender, t.nonce)],
);

/**
 * The producer's lease: one row per lease name. `epoch` grows by one at every take-over and is the fencing token: a
 * block commits only while its producer's holder and epoch are the row's and the lease has not expired (read under
 * the row's lock in the block's own transaction), so a paused old producer can never commit.
 */
export const nodeLease = pgTable('node_lease', {
  name: text('name').primaryKey(),
  holder: text('holder').notNull(),
  epoch: bigint('epoch', { mode: 'number' }).notNull(),
  expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
  takenAt: timestamp('taken_at', { withTimezone: true, mode: 'date' }).notNull(),
});

/** Every take-over of the producer lease: who took it from whom, and the height the chain was at. */
export const leaseHistory = pgTable(
  'lease_history',
  {
    epoch: bigint('epoch', { mode: 'number' }).primaryKey(),
    holder: text('holder').notNull(),
    previous: text('previous'),
    height: bigint('height', { mode: 'number' }).notNull(),
    takenAtMs: bigint('taken_at_ms', { mode: 'number' }).notNull(),
  },
  (t) => [index('lease_history_taken_idx').on(t.takenAtMs)],
);

/** The processes of a cloud node: each beats every second; one silent for long is shown as gone, then removed. */
export const nodeProcesses = pgTable('node_processes', {
  id: text('id').primaryKey(),
  url: text('url').notNull(),
  host: text('host').notNull(),
  pid: integer('pid').notNull(),
  startedAtMs: bigint('started_at_ms', { mode: 'number' }).notNull(),
  seenAtMs: bigint('seen_at_ms', { mode: 'number' }).notNull(),
  height: bigint('height', { mode: 'number' }).notNull(),
});

/** Which process, under which lease epoch, committed each block of a cloud node (written in the block's transaction). */
export const blockProducers = pgTable('block_producers', {
  height: bigint('height', { mode: 'number' }).primaryKey(),
  holder: text('holder').notNull(),
  epoch: bigint('epoch', { mode: 'number' }).notNull(),
});
