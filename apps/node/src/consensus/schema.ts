import { bigint, boolean, integer, pgTable } from 'drizzle-orm/pg-core';
import { bytea } from '../db/columns.ts';

/**
 * Each block's consensus certificate on a chain run by a network of nodes (consensus/README.md): the votes of the
 * step that decided it (core's encodeMessage of the Certificate, without the block), whether they make it final, and
 * the attempt it took. Written in the block's own transaction, so no block is stored without its proof.
 */
export const blockCertificates = pgTable('block_certificates', {
  height: bigint('height', { mode: 'number' }).primaryKey(),
  hash: bytea('hash').notNull(),
  attempt: integer('attempt').notNull(),
  step: integer('step').notNull(),
  final: boolean('final').notNull(),
  certificate: bytea('certificate').notNull(),
  /** When this node decided or imported it, for the network page's timings. */
  decidedAtMs: bigint('decided_at_ms', { mode: 'number' }).notNull(),
});
