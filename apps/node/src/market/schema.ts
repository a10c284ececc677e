import { sql } from 'drizzle-orm';
import { bigint, boolean, customType, doublePrecision, index, integer, jsonb, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { amount } from '../db/columns.ts';

/** PostgreSQL's full-text document type (maintained by the market indexer). */
const tsvector = customType<{ data: string; driverData: string }>({ dataType: () => 'tsvector' });

/**
 * The marketplace's read model (issue 19): what the chain's market state says, decoded into columns search and
 * pages can filter and sort on, rebuilt by the indexer from committed blocks. Nothing here is consensus state.
 */
export const marketIndexMeta = pgTable('market_index_meta', {
  id: integer('id').primaryKey(),
  height: bigint('height', { mode: 'number' }).notNull(),
  /** When every rank was last recomputed (a recompute writes only the rows whose rank changed). */
  ranksComputedAtMs: bigint('ranks_computed_at_ms', { mode: 'number' }).notNull().default(0),
});

/** Texts (README, review bodies, replies) by sha-256 hex of their UTF-8 bytes; stored before the tx naming them. */
export const marketTexts = pgTable('market_texts', {
  hash: text('hash').primaryKey(),
  text: text('text').notNull(),
  purpose: text('purpose').notNull(),
  bytes: integer('bytes').notNull(),
  createdAtMs: bigint('created_at_ms', { mode: 'number' }).notNull(),
});

/** One row per component name: the latest version's listing fields, owner, counters and rank. */
export const marketComponents = pgTable(
  'market_components',
  {
    name: text('name').primaryKey(),
    kind: text('kind').notNull(),
    owner: text('owner').notNull(),
    ownerMoniker: text('owner_moniker').notNull(),
    publisher: text('publisher').notNull(),
    description: text('description').notNull(),
    latestVersion: text('latest_version').notNull(),
    categories: text('categories').array().notNull(),
    chains: text('chains').array().notNull(),
    priceModel: text('price_model').notNull(),
    priceAmount: amount('price_amount').notNull(),
    stake: amount('stake').notNull(),
    manifestHash: text('manifest_hash').notNull(),
    bundleHash: text('bundle_hash').notNull(),
    readmeHash: text('readme_hash').notNull(),
    beneficiaries: jsonb('beneficiaries').notNull(),
    deprecated: boolean('deprecated').notNull(),
    createdHeight: bigint('created_height', { mode: 'number' }).notNull(),
    publishedAtMs: bigint('published_at_ms', { mode: 'number' }).notNull(),
    updatedAtMs: bigint('updated_at_ms', { mode: 'number' }).notNull(),
    ratingAverage: doublePrecision('rating_average'),
    ratingCount: integer('rating_count').notNull().default(0),
    calls30d: bigint('calls_30d', { mode: 'number' }).notNull().default(0),
    installs: integer('installs').notNull().default(0),
    upheldReports: integer('upheld_reports').notNull().default(0),
    verifiedPublisher: boolean('verified_publisher').notNull().default(false),
    rankScore: doublePrecision('rank_score').notNull().default(0),
    rankParts: jsonb('rank_parts').notNull().default([]),
    /** name (A), description and categories (B), README (C). */
    document: tsvector('document').notNull(),
  },
  (t) => [
    index('market_components_document_idx').using('gin', t.document),
    // Trigrams of names for KNN by distance (`<<->`: did-you-mean names, suggestions as you type) and LIKE prefixes.
    index('market_components_name_gist_idx').using('gist', sql`${t.name} gist_trgm_ops`),
    // One per sort, in the sort's own order (key descending, then name), so a page is an index walk.
    index('market_components_rank_idx').on(t.rankScore.desc(), t.name),
    index('market_components_used_idx').on(t.calls30d.desc(), t.name),
    index('market_components_newest_idx').on(t.updatedAtMs.desc(), t.name),
    index('market_components_rated_idx').on(sql`(coalesce(${t.ratingAverage}, 0)) DESC NULLS LAST`, t.name),
    index('market_components_owner_idx').on(t.owner, t.name),
    index('market_components_readme_idx').on(t.readmeHash),
  ],
);

/**
 * Every word of the catalogue's texts (names, descriptions, categories, READMEs; letters only, unstemmed): the
 * vocabulary a misspelt query is corrected against ("oracel" → "oracle"), by trigram distance (GiST).
 */
export const marketWords = pgTable('market_words', { word: text('word').primaryKey() }, (t) => [
  index('market_words_trgm_idx').using('gist', sql`${t.word} gist_trgm_ops`),
]);

export const marketVersions = pgTable(
  'market_versions',
  {
    name: text('name').notNull(),
    version: text('version').notNull(),
    releaseNotes: text('release_notes').notNull(),
    manifestHash: text('manifest_hash').notNull(),
    bundleHash: text('bundle_hash').notNull(),
    readmeHash: text('readme_hash').notNull(),
    publishedBy: text('published_by').notNull(),
    publishedAtMs: bigint('published_at_ms', { mode: 'number' }).notNull(),
    height: bigint('height', { mode: 'number' }).notNull(),
    txHash: text('tx_hash').notNull(),
    status: text('status').notNull(),
    statusReason: text('status_reason').notNull(),
  },
  (t) => [primaryKey({ columns: [t.name, t.version] }), index('market_versions_height_idx').on(t.name, t.height)],
);

export const marketReviews = pgTable(
  'market_reviews',
  {
    component: text('component').notNull(),
    reviewer: text('reviewer').notNull(),
    stars: integer('stars').notNull(),
    textHash: text('text_hash').notNull(),
    revision: integer('revision').notNull(),
    createdAtMs: bigint('created_at_ms', { mode: 'number' }).notNull(),
    updatedAtMs: bigint('updated_at_ms', { mode: 'number' }).notNull(),
    hidden: boolean('hidden').notNull(),
    replyHash: text('reply_hash'),
    replyAtMs: bigint('reply_at_ms', { mode: 'number' }),
    txHash: text('tx_hash').notNull(),
  },
  (t) => [primaryKey({ columns: [t.component, t.reviewer] }), index('market_reviews_page_idx').on(t.component, t.updatedAtMs, t.reviewer)],
);

export const marketReports = pgTable(
  'market_reports',
  {
    id: text('id').primaryKey(),
    component: text('component').notNull(),
    reviewer: text('reviewer').notNull(),
    status: text('status').notNull(),
  },
  (t) => [index('market_reports_component_idx').on(t.component, t.status)],
);

/** Verified use per (component, account), summed on the chain (component_usage decoded). */
export const marketAccountUsage = pgTable(
  'market_account_usage',
  {
    component: text('component').notNull(),
    account: text('account').notNull(),
    calls: bigint('calls', { mode: 'number' }).notNull(),
    installs: integer('installs').notNull(),
    paid: amount('paid').notNull(),
  },
  (t) => [primaryKey({ columns: [t.component, t.account] })],
);

/** Usage per (component, application, UTC day) from committed recordUsage transactions. */
export const marketUsageDaily = pgTable(
  'market_usage_daily',
  {
    component: text('component').notNull(),
    application: text('application').notNull(),
    day: integer('day').notNull(),
    account: text('account').notNull(),
    calls: bigint('calls', { mode: 'number' }).notNull(),
    installs: integer('installs').notNull(),
    paid: amount('paid').notNull(),
  },
  (t) => [primaryKey({ columns: [t.component, t.application, t.day] }), index('market_usage_daily_day_idx').on(t.day, t.component)],
);

/** Components installed into applications by this node (install procedure). */
export const marketInstalls = pgTable(
  'market_installs',
  {
    application: text('application').notNull(),
    component: text('component').notNull(),
    version: text('version').notNull(),
    blocklet: text('blocklet').notNull(),
    account: text('account').notNull(),
    txHash: text('tx_hash').notNull(),
    installedAtMs: bigint('installed_at_ms', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.application, t.component] }), index('market_installs_blocklet_idx').on(t.blocklet)],
);

/**
 * Metered calls not yet on the chain, per (component, application, account, day). `inflight` counts were put in
 * the recordUsage tx `inflightTx` and are dropped when it commits, or added back to `calls` when it does not.
 */
export const marketPendingUsage = pgTable(
  'market_pending_usage',
  {
    component: text('component').notNull(),
    application: text('application').notNull(),
    account: text('account').notNull(),
    day: integer('day').notNull(),
    calls: bigint('calls', { mode: 'number' }).notNull(),
    installs: integer('installs').notNull().default(0),
    /** What the calls cost the application (per-call price × calls, smallest unit). */
    paid: amount('paid').notNull().default('0'),
    inflight: bigint('inflight', { mode: 'number' }).notNull().default(0),
    inflightInstalls: integer('inflight_installs').notNull().default(0),
    inflightPaid: amount('inflight_paid').notNull().default('0'),
    inflightTx: text('inflight_tx'),
  },
  (t) => [primaryKey({ columns: [t.component, t.application, t.account, t.day] })],
);
