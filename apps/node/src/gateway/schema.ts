import { bigint, index, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';

/** Gateway sessions opened by a signed challenge; only the SHA-256 of the token is stored. */
export const gatewaySessions = pgTable(
  'gateway_sessions',
  {
    tokenHash: text('token_hash').primaryKey(),
    did: text('did').notNull(),
    createdAtMs: bigint('created_at_ms', { mode: 'number' }).notNull(),
    expiresAtMs: bigint('expires_at_ms', { mode: 'number' }).notNull(),
  },
  (t) => [index('gateway_sessions_expiry_idx').on(t.expiresAtMs)],
);

/** API keys of application servers: the key id is public, only the SHA-256 of the secret is stored. */
export const gatewayApiKeys = pgTable('gateway_api_keys', {
  keyId: text('key_id').primaryKey(),
  secretHash: text('secret_hash').notNull(),
  appDid: text('app_did').notNull(),
  createdAtMs: bigint('created_at_ms', { mode: 'number' }).notNull(),
});

/** Who may publish and subscribe on `app:<appDid>:<name>`, set by the application's owner. */
export const gatewayTopicRules = pgTable(
  'gateway_topic_rules',
  {
    appDid: text('app_did').notNull(),
    /** The topic name after `app:<appDid>:`, or `*` for the application's default. */
    name: text('name').notNull(),
    publish: text('publish').$type<'owner' | 'authenticated' | 'anyone'>().notNull(),
    subscribe: text('subscribe').$type<'owner' | 'authenticated' | 'anyone'>().notNull(),
    updatedAtMs: bigint('updated_at_ms', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.appDid, t.name] })],
);
