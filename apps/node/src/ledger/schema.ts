import { bigint, bigserial, boolean, index, integer, json, jsonb, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { amount, bytea } from '../db/columns.ts';

/** One row per committed block; header and seal are the canonical bytes, the rest is for queries. */
export const blocks = pgTable(
  'blocks',
  {
    height: bigint('height', { mode: 'number' }).primaryKey(),
    hash: bytea('hash').notNull(),
    prevHash: bytea('prev_hash').notNull(),
    timeMs: bigint('time_ms', { mode: 'number' }).notNull(),
    proposer: text('proposer').notNull(),
    txRoot: bytea('tx_root').notNull(),
    stateRoot: bytea('state_root').notNull(),
    txCount: integer('tx_count').notNull(),
    header: bytea('header').notNull(),
    seal: bytea('seal').notNull(),
    /** The vote certificate that finalized the block; consensus fills it, one-node mode leaves it null. */
    certificate: bytea('certificate'),
  },
  (t) => [uniqueIndex('blocks_hash_idx').on(t.hash)],
);

/**
 * One row per committed transaction, in block order. A *failed* one (its inner transaction failed after its fee was
 * charged) has `failed_code` and `failed_message`: it paid its fee and advanced its nonce, nothing else happened, so
 * indexes of what transactions did skip it.
 */
export const txs = pgTable(
  'txs',
  {
    hash: bytea('hash').primaryKey(),
    height: bigint('height', { mode: 'number' }).notNull(),
    idx: integer('idx').notNull(),
    fromDid: text('from_did').notNull(),
    nonce: bigint('nonce', { mode: 'number' }).notNull(),
    type: text('type').notNull(),
    fee: amount('fee').notNull(),
    feePayer: text('fee_payer'),
    accounts: text('accounts').array().notNull(),
    bytes: bytea('bytes').notNull(),
    events: json('events').notNull(),
    failedCode: text('failed_code'),
    failedMessage: text('failed_message'),
  },
  (t) => [uniqueIndex('txs_position_idx').on(t.height, t.idx)],
);

/** Which transactions touched which account, for per-account history pages. */
export const txAccounts = pgTable(
  'tx_accounts',
  {
    did: text('did').notNull(),
    height: bigint('height', { mode: 'number' }).notNull(),
    idx: integer('idx').notNull(),
  },
  (t) => [primaryKey({ columns: [t.did, t.height, t.idx] })],
);

/** Transactions the node accepted but could not commit (failed in a block, or expired in the mempool). */
export const rejectedTxs = pgTable(
  'rejected_txs',
  {
    hash: bytea('hash').primaryKey(),
    code: text('code').notNull(),
    message: text('message').notNull(),
    atMs: bigint('at_ms', { mode: 'number' }).notNull(),
  },
  // Retention prunes by age (db/retention.ts).
  (t) => [index('rejected_txs_at_idx').on(t.atMs)],
);

/**
 * The state trie's nodes, content-addressed: `hash` is the node's hash, `node` core's encodeNode bytes. Written in the
 * block's own transaction; `height` is the block that built the row, which pruning compares against. A node built
 * again after it went stale (a key set back to an earlier value) gets a second row at the new height, and pruning
 * deletes the older one once its stale record leaves the kept window: a row per (hash, height), so inserts need no
 * uniqueness check. Looked up by a hash index: at a million accounts (3M rows) it is half the size of a B-tree on the
 * 32-byte hashes, and a block's inserts and path lookups take 40% and 25% less time (migration 0021).
 */
export const trieNodes = pgTable(
  'trie_nodes',
  {
    hash: bytea('hash').notNull(),
    node: bytea('node').notNull(),
    height: bigint('height', { mode: 'number' }).notNull(),
  },
  (t) => [index('trie_nodes_hash_idx').using('hash', t.hash)],
);

/**
 * The nodes the root of block `height` no longer reaches (TrieUpdateResult.stale), their 32-byte hashes end to end.
 * Once `height` leaves the kept window each is deleted, unless a block at or after `height` built it again (its
 * trie_nodes.height says so); then the row goes.
 */
export const trieStale = pgTable('trie_stale', {
  height: bigint('height', { mode: 'number' }).primaryKey(),
  hashes: bytea('hashes').notNull(),
});

/**
 * Reports that someone replayed the chain from its genesis and reached the node's own state root at a height
 * (`arc node verify --report`, ledger/verify-reports.ts). The explorer reads the highest; the index serves it.
 */
export const verifyReports = pgTable(
  'verify_reports',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    /** The DID that signed the report. */
    verifier: text('verifier').notNull(),
    height: bigint('height', { mode: 'number' }).notNull(),
    stateRoot: bytea('state_root').notNull(),
    /** When the node recorded it, by the node's clock. */
    atMs: bigint('at_ms', { mode: 'number' }).notNull(),
  },
  (t) => [index('verify_reports_latest_idx').on(t.height.desc(), t.id.desc())],
);

/** Current state: one row per entry, `value` is the canonical encoding the state trie commits to. */
export const accounts = pgTable('accounts', {
  did: text('did').primaryKey(),
  nonce: bigint('nonce', { mode: 'number' }).notNull(),
  balance: amount('balance').notNull(),
  value: bytea('value').notNull(),
  updatedHeight: bigint('updated_height', { mode: 'number' }).notNull(),
});

export const tokens = pgTable(
  'tokens',
  {
    address: text('address').primaryKey(),
    symbol: text('symbol').notNull(),
    owner: text('owner').notNull(),
    createdHeight: bigint('created_height', { mode: 'number' }).notNull(),
    value: bytea('value').notNull(),
  },
  (t) => [uniqueIndex('tokens_symbol_idx').on(t.symbol)],
);

/**
 * Who holds how much of each application token: an index of the `tokens` map inside each account's value,
 * rewritten with the account (store.ts), read by the explorer's holders list largest balance first.
 */
export const tokenBalances = pgTable(
  'token_balances',
  {
    did: text('did').notNull(),
    token: text('token').notNull(),
    balance: amount('balance').notNull(),
  },
  (t) => [primaryKey({ columns: [t.did, t.token] }), index('token_balances_holders_idx').on(t.token, t.balance.desc(), t.did)],
);

export const assets = pgTable(
  'assets',
  {
    address: text('address').primaryKey(),
    owner: text('owner').notNull(),
    consumed: boolean('consumed').notNull(),
    updatedHeight: bigint('updated_height', { mode: 'number' }).notNull(),
    value: bytea('value').notNull(),
  },
  (t) => [index('assets_owner_idx').on(t.owner, t.address)],
);

export const grants = pgTable(
  'grants',
  {
    payer: text('payer').notNull(),
    grantee: text('grantee').notNull(),
    value: bytea('value').notNull(),
  },
  (t) => [primaryKey({ columns: [t.payer, t.grantee] })],
);

/**
 * Marketplace state (issue 19), one row per entry like the tables above: `value` is the canonical encoding the
 * state trie commits to; the other columns are what queries filter on. The market service keeps its own indexes.
 */
export const components = pgTable(
  'components',
  {
    name: text('name').primaryKey(),
    kind: text('kind').notNull(),
    owner: text('owner').notNull(),
    updatedHeight: bigint('updated_height', { mode: 'number' }).notNull(),
    value: bytea('value').notNull(),
  },
  (t) => [index('components_owner_idx').on(t.owner, t.name)],
);

export const componentVersions = pgTable(
  'component_versions',
  {
    name: text('name').notNull(),
    version: text('version').notNull(),
    status: text('status').notNull(),
    publishedHeight: bigint('published_height', { mode: 'number' }).notNull(),
    value: bytea('value').notNull(),
  },
  (t) => [primaryKey({ columns: [t.name, t.version] })],
);

export const reviews = pgTable(
  'reviews',
  {
    component: text('component').notNull(),
    reviewer: text('reviewer').notNull(),
    updatedHeight: bigint('updated_height', { mode: 'number' }).notNull(),
    value: bytea('value').notNull(),
  },
  (t) => [primaryKey({ columns: [t.component, t.reviewer] }), index('reviews_reviewer_idx').on(t.reviewer, t.component)],
);

export const abuseReports = pgTable(
  'abuse_reports',
  {
    id: text('id').primaryKey(),
    component: text('component').notNull(),
    status: text('status').notNull(),
    createdHeight: bigint('created_height', { mode: 'number' }).notNull(),
    value: bytea('value').notNull(),
  },
  (t) => [index('abuse_reports_status_idx').on(t.status, t.createdHeight)],
);

export const componentUsage = pgTable(
  'component_usage',
  {
    component: text('component').notNull(),
    account: text('account').notNull(),
    value: bytea('value').notNull(),
  },
  (t) => [primaryKey({ columns: [t.component, t.account] })],
);

/**
 * Token economy state (stakes, application billing accounts, one-time receipts), one row per entry like the tables
 * above: `value` is the canonical encoding the state trie commits to. Applications are listed by owner.
 */
export const stakes = pgTable('stakes', {
  did: text('did').primaryKey(),
  value: bytea('value').notNull(),
});

export const applications = pgTable(
  'applications',
  {
    did: text('did').primaryKey(),
    owner: text('owner').notNull(),
    value: bytea('value').notNull(),
  },
  (t) => [index('applications_owner_idx').on(t.owner, t.did)],
);

/** `slash:<evidence hex>` or `burn:<eth tx hash hex>:<log index>`: what may happen only once. */
export const receipts = pgTable('receipts', {
  id: text('id').primaryKey(),
  value: bytea('value').notNull(),
});

/** Facts about the chain this database holds (chain id, genesis hash), checked at every start. */
export const chainMeta = pgTable('chain_meta', {
  key: text('key').primaryKey(),
  value: jsonb('value').notNull(),
});
