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
import { toJsonValue } from './json.ts';

/** A block ready to commit: its header and seal, its transactions and every state write. */
export interface CommitBlock {
  header: BlockHeader;
  hash: Uint8Array;
  seal: BlockSeal;
  txs: { checked: CheckedTx; accounts: string[]; events: LedgerEvent[] }[];
  writes: StateWrite[];
  rejected: { hashHex: string; code: string; message: string }[];
}

/** Keys of the state a block will read, grouped by kind. */
export interface StateKeys {
  accounts: Set<string>;
  tokens: Set<string>;
  assets: Set<string>;
  grants: Set<string>; // grantId(payer, grantee)
}

export function emptyStateKeys(): StateKeys {
  return { accounts: new Set(), tokens: new Set(), assets: new Set(), grants: new Set() };
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
    const load = async (kind: StateKind, table: string, idSql: string, ids: Set<string>) => {
      if (ids.size === 0) return;
      const rows = await this.db.query<{ id: string; value: Uint8Array }>(
        `SELECT ${idSql} AS id, value FROM ${table} WHERE ${idSql} = ANY($1::text[])`,
        [[...ids]],
      );
      for (const row of rows) out.set(stateKey(kind, row.id), decodeEntry(kind, row.value));
    };
    await Promise.all([
      load('account', 'accounts', 'did', keys.accounts),
      load('token', 'tokens', 'address', keys.tokens),
      load('asset', 'assets', 'address', keys.assets),
      load('grant', 'grants', "payer || '/' || grantee", keys.grants),
    ]);
    return out;
  }

  /** Every state entry, page by page (for rebuilding the state trie at start). */
  async *allState(pageSize = 5000): AsyncGenerator<StateEntry[]> {
    const tables: [StateKind, string, string][] = [
      ['account', 'accounts', 'did'],
      ['token', 'tokens', 'address'],
      ['asset', 'assets', 'address'],
      ['grant', 'grants', "payer || '/' || grantee"],
    ];
    for (const [kind, table, idSql] of tables) {
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
  };
  const links = { did: [] as string[], idx: [] as number[] };
  b.txs.forEach(({ checked, accounts, events }, i) => {
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
    for (const did of accounts) {
      links.did.push(did);
      links.idx.push(i);
    }
  });
  await tx.query(
    `INSERT INTO txs (hash, height, idx, from_did, nonce, type, fee, fee_payer, accounts, bytes, events)
     SELECT decode(h,'hex'), $1, i, f, n, ty, fee::numeric, fp, string_to_array(acc, ','), decode(b,'hex'), ev::json
     FROM unnest($2::text[], $3::int[], $4::text[], $5::bigint[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[])
       AS x(h, i, f, n, ty, fee, fp, acc, b, ev)`,
    [b.header.height, cols.hash, cols.idx, cols.from, cols.nonce, cols.type, more.fee, more.payer, more.accounts, more.bytes, more.events],
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
  const revoked = { payer: [] as string[], grantee: [] as string[] };
  for (const w of writes) {
    if (w.value === null) {
      const [payer, grantee] = (w as { key: string }).key.slice('grant:'.length).split('/') as [string, string];
      revoked.payer.push(payer);
      revoked.grantee.push(grantee);
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
    }
  }
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
  if (revoked.payer.length > 0) {
    await tx.query(`DELETE FROM grants USING unnest($1::text[], $2::text[]) AS x(p, g) WHERE payer = x.p AND grantee = x.g`, [
      revoked.payer,
      revoked.grantee,
    ]);
  }
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
