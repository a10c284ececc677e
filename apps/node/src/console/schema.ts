import { bigint, index, pgTable, text } from 'drizzle-orm/pg-core';

/**
 * Applications and their owners. The ledger's declareAccount has no owner field, so ownership is the developer's
 * signed statement "application <appDid> named <name> is owned by <ownerDid>", countersigned by the application's own
 * key: both signatures are kept, so anyone can check the link again.
 */
export const consoleApplications = pgTable(
  'console_applications',
  {
    appDid: text('app_did').primaryKey(),
    ownerDid: text('owner_did').notNull(),
    name: text('name').notNull(),
    /** When the statement was signed (both signatures cover it). */
    signedAtMs: bigint('signed_at_ms', { mode: 'number' }).notNull(),
    ownerPublicKey: text('owner_public_key').notNull(),
    ownerSignature: text('owner_signature').notNull(),
    appPublicKey: text('app_public_key').notNull(),
    appSignature: text('app_signature').notNull(),
    createdAtMs: bigint('created_at_ms', { mode: 'number' }).notNull(),
  },
  (t) => [index('console_applications_owner_idx').on(t.ownerDid, t.createdAtMs)],
);
