import {
  type BlockHeader,
  type BlockSeal,
  type CheckedTx,
  decodeEntry,
  encodeHeader,
  encodeSeal,
  type LedgerEvent,
  type StateEntry,
  type StateKind,
  type StateWrite,
  stateKey,
} from '@arc/core';
import type { Database, Sql } from '../db/client.ts';
import { hex } from './hex.ts';
import { writeState, writeTokenBalances } from './state-rows.ts';
import { keysOfKind, STATE_TABLES, type StateKeys, splitId } from './state-tables.ts';
import { insertRejected, insertTxs } from './tx-rows.ts';

// Where state lives is the store's to say; the table map has a file of its own, and its importers find it here too.
export { emptyStateKeys, keysOfKind, STATE_TABLES, type StateKeys } from './state-tables.ts';

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

/** The chain_meta key naming the DID the chain's parameters were made under, when not this node's (Ledger.paramsDid). */
export const PARAMS_DID = 'paramsDid';
/** The chain_meta key holding the height a node started from a snapshot at: it holds no block below it. */
export const SNAPSHOT_FROM = 'snapshotFrom';

/** The chain_meta key that says the token-holder index covers every account (see indexTokenBalancesOnce). */
export const TOKEN_BALANCES_INDEXED = 'tokenBalancesIndexed';

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

  /**
   * Every state entry, page by page (building the state trie of a chain stored before the trie tables). Pages follow
   * each table's primary key, composite ones by their columns, so each page is an index range scan.
   */
  async *allState(pageSize = 5000): AsyncGenerator<StateEntry[]> {
    for (const [kind, { table, idSql, split }] of Object.entries(STATE_TABLES) as [StateKind, (typeof STATE_TABLES)[StateKind]][]) {
      const [a, b] = split ? split.columns : [idSql, null];
      let after: [string, string] = ['', ''];
      for (;;) {
        const rows = await this.db.query<{ a: string; b: string | null; value: Uint8Array }>(
          b === null
            ? `SELECT ${a} AS a, NULL AS b, value FROM ${table} WHERE ${a} > $1 ORDER BY ${a} LIMIT $2`
            : `SELECT ${a} AS a, ${b} AS b, value FROM ${table} WHERE (${a}, ${b}) > ($1, $2) ORDER BY ${a}, ${b} LIMIT $3`,
          b === null ? [after[0], pageSize] : [after[0], after[1], pageSize],
        );
        if (rows.length === 0) break;
        yield rows.map((r) => decodeEntry(kind, r.value));
        const last = rows[rows.length - 1] as { a: string; b: string | null };
        after = [last.a, last.b ?? ''];
      }
    }
  }

  /**
   * Commits a block, its transactions, its state writes and the records of what it rejected or
   * dropped from the mempool atomically (with `alongside`, e.g. genesis metadata).
   */
  async commitBlock(block: CommitBlock, alongside?: (tx: Sql) => Promise<void>, last?: (tx: Sql) => Promise<void>): Promise<void> {
    // A cloud node commits blocks on a connection of their own (db/client.ts blockTransaction).
    const transaction = this.db.blockTransaction?.bind(this.db) ?? this.db.transaction.bind(this.db);
    await transaction(async (tx) => {
      await alongside?.(tx);
      await insertBlock(tx, block);
      await insertTxs(tx, block);
      await writeState(tx, block.writes, block.header.height);
      await insertRejected(tx, block.rejected, block.header.timeMs);
      // Right before COMMIT (a cloud node's lease fence: its row is locked for as short a time as can be).
      await last?.(tx);
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

export async function insertBlock(tx: Sql, b: CommitBlock): Promise<void> {
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
