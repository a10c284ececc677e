import {
  type BlockHeader,
  type BlockSeal,
  type CheckedTx,
  decodeEntry,
  encodeEntry,
  encodeHeader,
  encodeSeal,
  type LedgerEvent,
  type StateEntry,
  type StateKind,
  type StateWrite,
  stateKey,
} from '@arc/core';
import type { Database, Sql } from '../db/client.ts';
import { EconomyRows } from './economy-rows.ts';
import { toJsonValue } from './json.ts';

/** A block ready to commit: its header and seal, its transactions and every state write. */
export interface CommitBlock {
  header: BlockHeader;
  hash: Uint8Array;
  seal: BlockSeal;
  /** Successes and failed transactions (`failed`: the fee was charged, nothing else happened), in block order. */
  txs: { checked: CheckedTx; accounts: string[]; events: LedgerEvent[]; failed: { code: string; message: string } | null }[];
  writes: StateWrite[];
  rejected: { hashHex: string; code: string; message: string }[];
}

/** Keys of the state a block will read, grouped by kind. */
export interface StateKeys {
  accounts: Set<string>;
  tokens: Set<string>;
  assets: Set<string>;
  grants: Set<string>; // grantId(payer, grantee)
  components: Set<string>; // name
  componentVersions: Set<string>; // componentVersionId(name, version)
  reviews: Set<string>; // reviewId(component, reviewer)
  reports: Set<string>; // report id (hex)
  usage: Set<string>; // usageId(component, account)
  stakes: Set<string>; // staker DID
  applications: Set<string>; // application DID
  receipts: Set<string>; // receipt id (`slash:<hex>`, `burn:<hex>:<n>`)
}

export function emptyStateKeys(): StateKeys {
  return {
    accounts: new Set(),
    tokens: new Set(),
    assets: new Set(),
    grants: new Set(),
    components: new Set(),
    componentVersions: new Set(),
    reviews: new Set(),
    reports: new Set(),
    usage: new Set(),
    stakes: new Set(),
    applications: new Set(),
    receipts: new Set(),
  };
}

/**
 * Where each kind of state lives: its table and the SQL of its id (the part after `kind:` in its state key). A
 * composite id is split on its separator for the lookup, so the primary key's index serves it; component names
 * and versions never hold the separators (BLOCKLET_NAME, SEMVER).
 */
export const STATE_TABLES: Record<StateKind, { table: string; idSql: string; split?: { sep: string; columns: [string, string] } }> = {
  account: { table: 'accounts', idSql: 'did' },
  token: { table: 'tokens', idSql: 'address' },
  asset: { table: 'assets', idSql: 'address' },
  grant: { table: 'grants', idSql: "payer || '/' || grantee", split: { sep: '/', columns: ['payer', 'grantee'] } },
  component: { table: 'components', idSql: 'name' },
  componentVersion: {
    table: 'component_versions',
    idSql: "name || '@' || version",
    split: { sep: '@', columns: ['name', 'version'] },
  },
  review: { table: 'reviews', idSql: "component || '/' || reviewer", split: { sep: '/', columns: ['component', 'reviewer'] } },
  report: { table: 'abuse_reports', idSql: 'id' },
  usage: { table: 'component_usage', idSql: "component || '/' || account", split: { sep: '/', columns: ['component', 'account'] } },
  stake: { table: 'stakes', idSql: 'did' },
  application: { table: 'applications', idSql: 'did' },
  receipt: { table: 'receipts', idSql: 'id' },
};

/** The key set of each kind. */
export function keysOfKind(keys: StateKeys, kind: StateKind): Set<string> {
  switch (kind) {
    case 'account':
      return keys.accounts;
    case 'token':
      return keys.tokens;
    case 'asset':
      return keys.assets;
    case 'grant':
      return keys.grants;
    case 'component':
      return keys.components;
    case 'componentVersion':
      return keys.componentVersions;
    case 'review':
      return keys.reviews;
    case 'report':
      return keys.reports;
    case 'usage':
      return keys.usage;
    case 'stake':
      return keys.stakes;
    case 'application':
      return keys.applications;
    case 'receipt':
      return keys.receipts;
  }
}

function splitId(id: string, sep: string): [string, string] {
  const at = id.indexOf(sep);
  return at < 0 ? [id, ''] : [id.slice(0, at), id.slice(at + sep.length)];
}

/** The chain_meta key that says the token-holder index covers every account (see indexTokenBalancesOnce). */
export const TOKEN_BALANCES_INDEXED = 'tokenBalancesIndexed';

/** Hex for SQL's decode(…, 'hex'): node's native encoder, a flat string (core's toHex builds it a byte at a time). */
const hex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

/** Writes blocks and reads state rows. Every block goes in one database transaction. */
export class LedgerStore {
  constructor(readonly db: Database) {}

  /** Loads the given state entries (absent ones are simply missing from the result). */
  async fetchState(keys: StateKeys): Promise<Map<string, StateEntry>> {
    const out = new Map<string, StateEntry>();
    const load = async (kind: StateKind) => {
      const ids = keysOfKind(keys, kind);
      if (ids.size === 0) return;
      const { table, idSql, split } = STATE_TABLES[kind];
      let rows: { id: string; value: Uint8Array }[];
      if (split) {
        const parts = [...ids].map((id) => splitId(id, split.sep));
        const [a, b] = split.columns;
        rows = await this.db.query(
          `SELECT ${idSql} AS id, value FROM ${table} WHERE (${a}, ${b}) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
          [parts.map((p) => p[0]), parts.map((p) => p[1])],
        );
      } else {
        rows = await this.db.query(`SELECT ${idSql} AS id, value FROM ${table} WHERE ${idSql} = ANY($1::text[])`, [[...ids]]);
      }
      for (const row of rows) out.set(stateKey(kind, row.id), decodeEntry(kind, row.value));
    };
    await Promise.all((Object.keys(STATE_TABLES) as StateKind[]).map(load));
    return out;
  }

  /** Every state entry, page by page (for rebuilding the state trie at start). */
  async *allState(pageSize = 5000): AsyncGenerator<StateEntry[]> {
    for (const [kind, { table, idSql }] of Object.entries(STATE_TABLES) as [StateKind, (typeof STATE_TABLES)[StateKind]][]) {
      let after = '';
      for (;;) {
        const rows = await this.db.query<{ id: string; value: Uint8Array }>(
          `SELECT ${idSql} AS id, value FROM ${table} WHERE ${idSql} > $1 ORDER BY ${idSql} LIMIT $2`,
          [after, pageSize],
        );
        if (rows.length === 0) break;
        yield rows.map((r) => decodeEntry(kind, r.value));
        after = (rows[rows.length - 1] as { id: string }).id;
      }
    }
  }

  /**
   * Commits a block, its transactions, its state writes and the records of what it rejected or
   * dropped from the mempool atomically (with `alongside`, e.g. genesis metadata).
   */
  async commitBlock(block: CommitBlock, alongside?: (tx: Sql) => Promise<void>): Promise<void> {
    await this.db.transaction(async (tx) => {
      await alongside?.(tx);
      await insertBlock(tx, block);
      await insertTxs(tx, block);
      await writeState(tx, block.writes, block.header.height);
      await insertRejected(tx, block.rejected, block.header.timeMs);
    });
  }

  /**
   * Fills the token-holder index from the accounts' values once, for a database written before the index existed
   * (migration 0007). Marked done in chain_meta in the same transaction.
   */
  async indexTokenBalancesOnce(pageSize = 5000): Promise<number> {
    if ((await this.getMeta(TOKEN_BALANCES_INDEXED)) !== undefined) return 0;
    let rows = 0;
    await this.db.transaction(async (tx) => {
      let after = '';
      for (;;) {
        const page = await tx.query<{ did: string; value: Uint8Array }>(
          'SELECT did, value FROM accounts WHERE did > $1 ORDER BY did LIMIT $2',
          [after, pageSize],
        );
        if (page.length === 0) break;
        const held = { did: [] as string[], token: [] as string[], balance: [] as string[] };
        for (const row of page) {
          const entry = decodeEntry('account', new Uint8Array(row.value));
          if (entry.kind !== 'account') continue;
          for (const [token, balance] of entry.value.tokens) {
            held.did.push(row.did);
            held.token.push(token);
            held.balance.push(balance.toString());
          }
        }
        await writeTokenBalances(
          tx,
          page.map((r) => r.did),
          held,
        );
        rows += held.did.length;
        after = (page[page.length - 1] as { did: string }).did;
      }
      await this.setMeta(tx, TOKEN_BALANCES_INDEXED, true);
    });
    return rows;
  }

  async getMeta(key: string): Promise<unknown> {
    const rows = await this.db.query<{ value: unknown }>('SELECT value FROM chain_meta WHERE key = $1', [key]);
    return rows[0]?.value;
  }

  async setMeta(tx: Sql, key: string, value: unknown): Promise<void> {
    await tx.query('INSERT INTO chain_meta (key, value) VALUES ($1, $2::jsonb) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value', [
      key,
      JSON.stringify(value),
    ]);
  }
}

async function insertBlock(tx: Sql, b: CommitBlock): Promise<void> {
  const h = b.header;
  await tx.query(
    `INSERT INTO blocks (height, hash, prev_hash, time_ms, proposer, tx_root, state_root, tx_count, header, seal)
     VALUES ($1, decode($2,'hex'), decode($3,'hex'), $4, $5, decode($6,'hex'), decode($7,'hex'), $8, decode($9,'hex'), decode($10,'hex'))`,
    [
      h.height,
      hex(b.hash),
      hex(h.prevHash),
      h.timeMs,
      h.proposer,
      hex(h.txRoot),
      hex(h.stateRoot),
      h.txCount,
      hex(encodeHeader(h)),
      hex(encodeSeal(b.seal)),
    ],
  );
}

async function insertTxs(tx: Sql, b: CommitBlock): Promise<void> {
  if (b.txs.length === 0) return;
  const cols = { hash: [] as string[], idx: [] as number[], from: [] as string[], nonce: [] as number[], type: [] as string[] };
  const more = {
    fee: [] as string[],
    payer: [] as (string | null)[],
    accounts: [] as string[],
    bytes: [] as string[],
    events: [] as string[],
    failedCode: [] as (string | null)[],
    failedMessage: [] as (string | null)[],
  };
  const links = { did: [] as string[], idx: [] as number[] };
  b.txs.forEach(({ checked, accounts, events, failed }, i) => {
    const t = checked.tx;
    cols.hash.push(checked.hashHex);
    cols.idx.push(i);
    cols.from.push(t.from);
    cols.nonce.push(t.nonce);
    cols.type.push(t.itx.type);
    more.fee.push(t.fee.toString());
    more.payer.push(t.feePayer?.did ?? null);
    more.accounts.push(accounts.join(','));
    more.bytes.push(hex(checked.bytes));
    more.events.push(JSON.stringify(toJsonValue(events)));
    more.failedCode.push(failed?.code ?? null);
    more.failedMessage.push(failed?.message ?? null);
    for (const did of accounts) {
      links.did.push(did);
      links.idx.push(i);
    }
  });
  await tx.query(
    `INSERT INTO txs (hash, height, idx, from_did, nonce, type, fee, fee_payer, accounts, bytes, events, failed_code, failed_message)
     SELECT decode(h,'hex'), $1, i, f, n, ty, fee::numeric, fp, string_to_array(acc, ','), decode(b,'hex'), ev::json, fc, fm
     FROM unnest($2::text[], $3::int[], $4::text[], $5::bigint[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[],
       $12::text[], $13::text[])
       AS x(h, i, f, n, ty, fee, fp, acc, b, ev, fc, fm)`,
    [
      b.header.height,
      cols.hash,
      cols.idx,
      cols.from,
      cols.nonce,
      cols.type,
      more.fee,
      more.payer,
      more.accounts,
      more.bytes,
      more.events,
      more.failedCode,
      more.failedMessage,
    ],
  );
  await tx.query(`INSERT INTO tx_accounts (did, height, idx) SELECT d, $1, i FROM unnest($2::text[], $3::int[]) AS x(d, i)`, [
    b.header.height,
    links.did,
    links.idx,
  ]);
}

async function writeState(tx: Sql, writes: StateWrite[], height: number): Promise<void> {
  const acc = { did: [] as string[], nonce: [] as number[], balance: [] as string[], value: [] as string[] };
  const held = { did: [] as string[], token: [] as string[], balance: [] as string[] };
  const tok = { address: [] as string[], symbol: [] as string[], owner: [] as string[], created: [] as number[], value: [] as string[] };
  const ast = { address: [] as string[], owner: [] as string[], consumed: [] as boolean[], value: [] as string[] };
  const grt = { payer: [] as string[], grantee: [] as string[], value: [] as string[] };
  const removed = new Map<StateKind, string[]>();
  const market = new MarketRows();
  const economy = new EconomyRows();
  for (const w of writes) {
    if (w.value === null) {
      const { kind, key } = w as { kind: StateKind; key: string };
      removed.set(kind, [...(removed.get(kind) ?? []), key.slice(kind.length + 1)]);
      continue;
    }
    const entry = w as StateEntry;
    const value = hex(encodeEntry(entry));
    switch (entry.kind) {
      case 'account':
        acc.did.push(entry.value.did);
        acc.nonce.push(entry.value.nonce);
        acc.balance.push(entry.value.balance.toString());
        acc.value.push(value);
        for (const [token, balance] of entry.value.tokens) {
          held.did.push(entry.value.did);
          held.token.push(token);
          held.balance.push(balance.toString());
        }
        break;
      case 'token':
        tok.address.push(entry.value.address);
        tok.symbol.push(entry.value.symbol);
        tok.owner.push(entry.value.owner);
        tok.created.push(entry.value.createdAtHeight);
        tok.value.push(value);
        break;
      case 'asset':
        ast.address.push(entry.value.address);
        ast.owner.push(entry.value.owner);
        ast.consumed.push(entry.value.consumed);
        ast.value.push(value);
        break;
      case 'grant':
        grt.payer.push(entry.value.payer);
        grt.grantee.push(entry.value.grantee);
        grt.value.push(value);
        break;
      case 'stake':
      case 'application':
      case 'receipt':
        economy.add(entry, value);
        break;
      default:
        market.add(entry, value);
        break;
    }
  }
  await market.write(tx, height);
  await economy.write(tx);
  if (acc.did.length > 0) {
    await tx.query(
      `INSERT INTO accounts (did, nonce, balance, value, updated_height)
       SELECT d, n, b::numeric, decode(v,'hex'), $1 FROM unnest($2::text[], $3::bigint[], $4::text[], $5::text[]) AS x(d, n, b, v)
       ON CONFLICT (did) DO UPDATE SET nonce = EXCLUDED.nonce, balance = EXCLUDED.balance, value = EXCLUDED.value, updated_height = EXCLUDED.updated_height`,
      [height, acc.did, acc.nonce, acc.balance, acc.value],
    );
    await writeTokenBalances(tx, acc.did, held);
  }
  if (tok.address.length > 0) {
    await tx.query(
      `INSERT INTO tokens (address, symbol, owner, created_height, value)
       SELECT a, s, o, c, decode(v,'hex') FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[]) AS x(a, s, o, c, v)
       ON CONFLICT (address) DO UPDATE SET owner = EXCLUDED.owner, value = EXCLUDED.value`,
      [tok.address, tok.symbol, tok.owner, tok.created, tok.value],
    );
  }
  if (ast.address.length > 0) {
    await tx.query(
      `INSERT INTO assets (address, owner, consumed, updated_height, value)
       SELECT a, o, c::bool, $1, decode(v,'hex') FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) AS x(a, o, c, v)
       ON CONFLICT (address) DO UPDATE SET owner = EXCLUDED.owner, consumed = EXCLUDED.consumed, updated_height = EXCLUDED.updated_height, value = EXCLUDED.value`,
      // postgres.js sends a boolean array as one boolean, so the flags travel as text.
      [height, ast.address, ast.owner, ast.consumed.map(String), ast.value],
    );
  }
  if (grt.payer.length > 0) {
    await tx.query(
      `INSERT INTO grants (payer, grantee, value)
       SELECT p, g, decode(v,'hex') FROM unnest($1::text[], $2::text[], $3::text[]) AS x(p, g, v)
       ON CONFLICT (payer, grantee) DO UPDATE SET value = EXCLUDED.value`,
      [grt.payer, grt.grantee, grt.value],
    );
  }
  for (const [kind, ids] of removed) await deleteState(tx, kind, ids);
}

/** Deletes entries by id (a revoked grant; any kind the ledger removes), by the primary key as fetchState reads it. */
async function deleteState(tx: Sql, kind: StateKind, ids: string[]): Promise<void> {
  const { table, idSql, split } = STATE_TABLES[kind];
  if (split) {
    const parts = ids.map((id) => splitId(id, split.sep));
    const [a, b] = split.columns;
    await tx.query(`DELETE FROM ${table} USING unnest($1::text[], $2::text[]) AS x(a, b) WHERE ${a} = x.a AND ${b} = x.b`, [
      parts.map((p) => p[0]),
      parts.map((p) => p[1]),
    ]);
  } else {
    await tx.query(`DELETE FROM ${table} WHERE ${idSql} = ANY($1::text[])`, [ids]);
  }
  // The token-holder index follows its accounts.
  if (kind === 'account') await tx.query('DELETE FROM token_balances WHERE did = ANY($1::text[])', [ids]);
}

/** A block's marketplace writes, one column array per table column, upserted table by table. */
class MarketRows {
  private readonly rows = {
    components: { name: [] as string[], kind: [] as string[], owner: [] as string[], value: [] as string[] },
    versions: { name: [] as string[], version: [] as string[], status: [] as string[], published: [] as number[], value: [] as string[] },
    reviews: { component: [] as string[], reviewer: [] as string[], value: [] as string[] },
    reports: { id: [] as string[], component: [] as string[], status: [] as string[], created: [] as number[], value: [] as string[] },
    usage: { component: [] as string[], account: [] as string[], value: [] as string[] },
  };

  add(entry: StateEntry, value: string): void {
    const r = this.rows;
    switch (entry.kind) {
      case 'component':
        push(r.components, { name: entry.value.name, kind: entry.value.kind, owner: entry.value.owner, value });
        return;
      case 'componentVersion': {
        const v = entry.value;
        push(r.versions, { name: v.name, version: v.version, status: v.status, published: v.publishedAtHeight, value });
        return;
      }
      case 'review':
        push(r.reviews, { component: entry.value.component, reviewer: entry.value.reviewer, value });
        return;
      case 'report': {
        const v = entry.value;
        push(r.reports, { id: v.id, component: v.component, status: v.status, created: v.createdAtHeight, value });
        return;
      }
      case 'usage':
        push(r.usage, { component: entry.value.component, account: entry.value.account, value });
        return;
      default:
        throw new Error(`a ${entry.kind} entry is not marketplace state`);
    }
  }

  async write(tx: Sql, height: number): Promise<void> {
    const { components: c, versions: v, reviews: r, reports: p, usage: u } = this.rows;
    if (c.name.length > 0) {
      await tx.query(
        `INSERT INTO components (name, kind, owner, updated_height, value)
         SELECT n, k, o, $1, decode(v,'hex') FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) AS x(n, k, o, v)
         ON CONFLICT (name) DO UPDATE SET owner = EXCLUDED.owner, updated_height = EXCLUDED.updated_height, value = EXCLUDED.value`,
        [height, c.name, c.kind, c.owner, c.value],
      );
    }
    if (v.name.length > 0) {
      await tx.query(
        `INSERT INTO component_versions (name, version, status, published_height, value)
         SELECT n, ve, s, h, decode(v,'hex') FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[]) AS x(n, ve, s, h, v)
         ON CONFLICT (name, version) DO UPDATE SET status = EXCLUDED.status, value = EXCLUDED.value`,
        [v.name, v.version, v.status, v.published, v.value],
      );
    }
    if (r.component.length > 0) {
      await tx.query(
        `INSERT INTO reviews (component, reviewer, updated_height, value)
         SELECT c, r, $1, decode(v,'hex') FROM unnest($2::text[], $3::text[], $4::text[]) AS x(c, r, v)
         ON CONFLICT (component, reviewer) DO UPDATE SET updated_height = EXCLUDED.updated_height, value = EXCLUDED.value`,
        [height, r.component, r.reviewer, r.value],
      );
    }
    if (p.id.length > 0) {
      await tx.query(
        `INSERT INTO abuse_reports (id, component, status, created_height, value)
         SELECT i, c, s, h, decode(v,'hex') FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[]) AS x(i, c, s, h, v)
         ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, value = EXCLUDED.value`,
        [p.id, p.component, p.status, p.created, p.value],
      );
    }
    if (u.component.length > 0) {
      await tx.query(
        `INSERT INTO component_usage (component, account, value)
         SELECT c, a, decode(v,'hex') FROM unnest($1::text[], $2::text[], $3::text[]) AS x(c, a, v)
         ON CONFLICT (component, account) DO UPDATE SET value = EXCLUDED.value`,
        [u.component, u.account, u.value],
      );
    }
  }
}

function push<T extends Record<string, unknown[]>>(columns: T, row: { [K in keyof T]: T[K][number] }): void {
  for (const key of Object.keys(columns) as (keyof T)[]) (columns[key] as unknown[]).push(row[key]);
}

/** Rewrites the token-holder index rows of the written accounts: a token an account no longer holds loses its row. */
async function writeTokenBalances(tx: Sql, dids: string[], held: { did: string[]; token: string[]; balance: string[] }): Promise<void> {
  await tx.query('DELETE FROM token_balances WHERE did = ANY($1::text[])', [dids]);
  if (held.did.length === 0) return;
  await tx.query(
    `INSERT INTO token_balances (did, token, balance)
     SELECT d, t, b::numeric FROM unnest($1::text[], $2::text[], $3::text[]) AS x(d, t, b)`,
    [held.did, held.token, held.balance],
  );
}

async function insertRejected(tx: Sql, rejected: CommitBlock['rejected'], atMs: number): Promise<void> {
  if (rejected.length === 0) return;
  await tx.query(
    `INSERT INTO rejected_txs (hash, code, message, at_ms)
     SELECT decode(h,'hex'), c, m, $1 FROM unnest($2::text[], $3::text[], $4::text[]) AS x(h, c, m)
     ON CONFLICT (hash) DO UPDATE SET code = EXCLUDED.code, message = EXCLUDED.message, at_ms = EXCLUDED.at_ms`,
    [atMs, rejected.map((r) => r.hashHex), rejected.map((r) => r.code), rejected.map((r) => r.message)],
  );
}
