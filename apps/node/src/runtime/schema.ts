import { bigint, bigserial, boolean, doublePrecision, index, integer, jsonb, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';

/** Bundles by content (sha-256 hex of the ES module). Uploaded before a deploy names them. */
export const blockletBundles = pgTable('blocklet_bundles', {
  hash: text('hash').primaryKey(),
  code: text('code').notNull(),
  bytes: integer('bytes').notNull(),
  createdAtMs: bigint('created_at_ms', { mode: 'number' }).notNull(),
});

/** Manifests by content (sha-256 hex of the canonical JSON). */
export const blockletManifests = pgTable('blocklet_manifests', {
  hash: text('hash').primaryKey(),
  manifest: jsonb('manifest').notNull(),
  createdAtMs: bigint('created_at_ms', { mode: 'number' }).notNull(),
});

/** A name and its owner: the DID whose deploy of the name came first in chain order. */
export const blocklets = pgTable('blocklets', {
  name: text('name').primaryKey(),
  owner: text('owner').notNull(),
  createdHeight: bigint('created_height', { mode: 'number' }).notNull(),
});

/** Immutable versions, indexed from committed deployBlocklet transactions. */
export const blockletVersions = pgTable(
  'blocklet_versions',
  {
    name: text('name').notNull(),
    version: text('version').notNull(),
    owner: text('owner').notNull(),
    manifestHash: text('manifest_hash').notNull(),
    bundleHash: text('bundle_hash').notNull(),
    txHash: text('tx_hash').notNull(),
    height: bigint('height', { mode: 'number' }).notNull(),
    deployedAtMs: bigint('deployed_at_ms', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.name, t.version] }), index('blocklet_versions_height_idx').on(t.name, t.height)],
);

/** Aliases (live, canary) point at versions; a canary takes `shareBps` of traffic. */
export const blockletAliases = pgTable(
  'blocklet_aliases',
  {
    name: text('name').notNull(),
    alias: text('alias').notNull(),
    version: text('version').notNull(),
    shareBps: integer('share_bps').notNull(),
    updatedAtMs: bigint('updated_at_ms', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.name, t.alias] })],
);

/** Environment per blocklet; secure values are AES-256-GCM ciphertext (base64), never returned by the API. */
export const blockletEnv = pgTable(
  'blocklet_env',
  {
    name: text('name').notNull(),
    key: text('key').notNull(),
    value: text('value').notNull(),
    secure: boolean('secure').notNull(),
    updatedAtMs: bigint('updated_at_ms', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.name, t.key] })],
);

/** Each blocklet's own state; written only when an invocation succeeds. */
export const blockletKv = pgTable(
  'blocklet_kv',
  {
    name: text('name').notNull(),
    key: text('key').notNull(),
    value: jsonb('value').notNull(),
    updatedAtMs: bigint('updated_at_ms', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.name, t.key] })],
);

export const blockletLogs = pgTable(
  'blocklet_logs',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    name: text('name').notNull(),
    version: text('version').notNull(),
    invocationId: text('invocation_id').notNull(),
    level: text('level').notNull(),
    message: text('message').notNull(),
    atMs: bigint('at_ms', { mode: 'number' }).notNull(),
  },
  // at_ms: retention prunes by age (db/retention.ts).
  (t) => [index('blocklet_logs_name_idx').on(t.name, t.id), index('blocklet_logs_at_idx').on(t.atMs)],
);

/** One row per invocation (metrics: counts, p50/p99, CPU). */
export const blockletInvocations = pgTable(
  'blocklet_invocations',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    version: text('version').notNull(),
    trigger: text('trigger').notNull(),
    ok: boolean('ok').notNull(),
    errorCode: text('error_code'),
    cpuMs: doublePrecision('cpu_ms').notNull(),
    wallMs: doublePrecision('wall_ms').notNull(),
    memoryBytes: bigint('memory_bytes', { mode: 'number' }).notNull(),
    atMs: bigint('at_ms', { mode: 'number' }).notNull(),
  },
  (t) => [index('blocklet_invocations_name_idx').on(t.name, t.version, t.atMs), index('blocklet_invocations_at_idx').on(t.atMs)],
);

/** Metered usage per blocklet version per period (hour), which the economy issue bills. */
export const blockletUsage = pgTable(
  'blocklet_usage',
  {
    name: text('name').notNull(),
    version: text('version').notNull(),
    periodStartMs: bigint('period_start_ms', { mode: 'number' }).notNull(),
    invocations: integer('invocations').notNull(),
    errors: integer('errors').notNull(),
    cpuMs: doublePrecision('cpu_ms').notNull(),
    wallMs: doublePrecision('wall_ms').notNull(),
    memoryMbMs: doublePrecision('memory_mb_ms').notNull(),
  },
  (t) => [primaryKey({ columns: [t.name, t.version, t.periodStartMs] })],
);

/** Chain-event triggers: where each trigger's stream stands, and the events already handled (dedup keys). */
export const blockletTriggerState = pgTable(
  'blocklet_trigger_state',
  {
    name: text('name').notNull(),
    triggerId: text('trigger_id').notNull(),
    checkpoint: jsonb('checkpoint'),
    updatedAtMs: bigint('updated_at_ms', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.name, t.triggerId] })],
);

export const blockletDedup = pgTable(
  'blocklet_dedup',
  {
    name: text('name').notNull(),
    dedupKey: text('dedup_key').notNull(),
    atMs: bigint('at_ms', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.name, t.dedupKey] })],
);

/** How far the deploy index has read the chain. */
export const blockletIndexMeta = pgTable('blocklet_index_meta', {
  id: integer('id').primaryKey(),
  height: bigint('height', { mode: 'number' }).notNull(),
});
