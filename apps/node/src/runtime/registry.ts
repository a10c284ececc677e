import { decodeTx, type Tx, toHex } from '@arc/core';
import type { Database, Sql } from '../db/client.ts';
import { claimIndex } from '../db/index-claim.ts';
import { NodeError } from '../errors.ts';
import type { BlockCommitted, Ledger } from '../ledger/ledger.ts';

/** Retries of a block the index could not write: backoff from the base, doubling up to the cap, until it is written. */
export const REGISTRY_LIMITS = { retryBaseMs: 50, retryMaxMs: 5_000 } as const;

export interface VersionRow {
  name: string;
  version: string;
  owner: string;
  manifestHash: string;
  bundleHash: string;
  txHash: string;
  height: number;
  deployedAtMs: number;
}

export interface AliasRow {
  alias: 'live' | 'canary';
  version: string;
  shareBps: number;
}

/** A deployBlocklet transaction of the chain, with the height and time of its block. */
interface DeployRow {
  hashHex: string;
  height: number;
  timeMs: number;
  tx: Tx;
}

const VERSION_COLUMNS =
  'name, version, owner, manifest_hash AS "manifestHash", bundle_hash AS "bundleHash", tx_hash AS "txHash", height::float8 AS height, deployed_at_ms::float8 AS "deployedAtMs"';

/**
 * Who deployed what, read from the chain: every committed deployBlocklet transaction, in chain order. A name
 * belongs to its first deployer; a later deploy of the name by another DID, or of a version that exists, is
 * ignored. Every node reading the same chain builds the same index. Aliases are this node's routing state.
 */
export class BlockletRegistry {
  #indexed = 0;
  #chain: Promise<void> = Promise.resolve();
  #stopped = false;
  /** Why the last write of the index failed, while it is being retried (null when the index is current). */
  #lastError: string | null = null;
  readonly #waiters = new Set<{ height: number; resolve: () => void }>();

  constructor(
    readonly db: Database,
    readonly ledger: Ledger,
    readonly log: (line: string) => void = () => undefined,
    readonly onVersion: (version: VersionRow) => void = () => undefined,
  ) {}

  /** Indexes what the chain holds beyond the last indexed height, then follows new blocks. */
  async start(): Promise<void> {
    const [meta] = await this.db.query<{ height: number }>('SELECT height::float8 AS height FROM blocklet_index_meta WHERE id = 1');
    this.#indexed = meta?.height ?? 0;
    await this.#indexUpTo(this.ledger.head.height);
    this.ledger.events.on('block', this.#onBlock);
  }

  stop(): void {
    this.#stopped = true;
    this.ledger.events.off('block', this.#onBlock);
  }

  get indexedHeight(): number {
    return this.#indexed;
  }

  /** Where the index stands, and why it is behind while a failed write is being retried. */
  health(): { indexedHeight: number; lastError: string | null } {
    return { indexedHeight: this.#indexed, lastError: this.#lastError };
  }

  /** Resolves once the index has read the chain up to `height`; UNAVAILABLE (with the reason) after `timeoutMs`. */
  waitIndexed(height: number, timeoutMs: number): Promise<void> {
    if (this.#indexed >= height) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter = {
        height,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        const why = this.#lastError ? `: writing it fails (${this.#lastError}) and is being retried` : '';
        reject(new NodeError('UNAVAILABLE', `The blocklet index has not read height ${height} yet${why}; ask blocklet.get later.`));
      }, timeoutMs);
      this.#waiters.add(waiter);
    });
  }

  readonly #onBlock = (block: BlockCommitted) => {
    // Never rejects: a failed write is retried (with backoff) until it succeeds or the registry stops.
    this.#chain = this.#chain.then(() => this.#indexWithRetry(block));
  };

  /** The block's deploys as the producer handed them over, when they are all the index lacks; null: read the chain. */
  #deploysOf(block: BlockCommitted): DeployRow[] | null {
    const { height, timeMs } = block.header;
    if (block.txs === undefined || this.#indexed !== height - 1) return null;
    // A failed deploy paid its fee and published nothing.
    return block.txs
      .filter((t) => t.type === 'deployBlocklet' && t.failed === null)
      .map((t) => ({ hashHex: t.hashHex, height, timeMs, tx: t.tx }));
  }

  async #indexWithRetry(block: BlockCommitted): Promise<void> {
    const height = block.header.height;
    for (let attempt = 0; !this.#stopped; attempt += 1) {
      try {
        await this.#indexUpTo(height, this.#deploysOf(block));
        this.#lastError = null;
        return;
      } catch (error) {
        this.#lastError = (error as Error).message;
        const delayMs = Math.min(REGISTRY_LIMITS.retryMaxMs, REGISTRY_LIMITS.retryBaseMs * 2 ** Math.min(attempt, 16));
        this.log(
          `blocklet index: writing heights up to ${height} failed (attempt ${attempt + 1}), retrying in ${delayMs} ms: ${this.#lastError}`,
        );
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    }
  }

  /** Indexes the deploys above the indexed height up to `height`: those given, else those the chain's tables hold. */
  async #indexUpTo(height: number, given: DeployRow[] | null = null): Promise<void> {
    const rows = given ?? (await this.#readDeploys(height));
    await this.db.transaction(async (sql) => {
      const done = await claimIndex(sql, 'blocklet_index_meta');
      for (const row of rows) if (row.height > done) await this.#indexOne(sql, row);
      await sql.query(
        'INSERT INTO blocklet_index_meta (id, height) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET height = GREATEST(blocklet_index_meta.height, $1)',
        [height],
      );
    });
    this.#indexed = Math.max(this.#indexed, height);
    for (const waiter of this.#waiters) {
      if (waiter.height <= this.#indexed) {
        this.#waiters.delete(waiter);
        waiter.resolve();
      }
    }
  }

  async #readDeploys(height: number): Promise<DeployRow[]> {
    const rows = await this.db.query<{ hash: Uint8Array; height: number; bytes: Uint8Array; time_ms: number }>(
      `SELECT t.hash, t.height::float8 AS height, t.bytes, b.time_ms::float8 AS time_ms FROM txs t JOIN blocks b ON b.height = t.height
       WHERE t.type = 'deployBlocklet' AND t.failed_code IS NULL AND t.height > $1 AND t.height <= $2 ORDER BY t.height, t.idx`,
      [this.#indexed, height],
    );
    return rows.map((row) => ({ hashHex: toHex(row.hash), height: row.height, timeMs: row.time_ms, tx: decodeTx(row.bytes) }));
  }

  async #indexOne(sql: Sql, row: DeployRow): Promise<void> {
    const { tx } = row;
    if (tx.itx.type !== 'deployBlocklet') return;
    const { name, version } = tx.itx;
    await sql.query('INSERT INTO blocklets (name, owner, created_height) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING', [
      name,
      tx.from,
      row.height,
    ]);
    const [owner] = await sql.query<{ owner: string }>('SELECT owner FROM blocklets WHERE name = $1', [name]);
    if (owner?.owner !== tx.from) return;
    const inserted = await sql.query<VersionRow>(
      `INSERT INTO blocklet_versions (name, version, owner, manifest_hash, bundle_hash, tx_hash, height, deployed_at_ms)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (name, version) DO NOTHING RETURNING ${VERSION_COLUMNS}`,
      [name, version, tx.from, toHex(tx.itx.manifestHash), toHex(tx.itx.bundleHash), row.hashHex, row.height, row.timeMs],
    );
    if (inserted[0]) this.onVersion(inserted[0]);
  }

  async owner(name: string): Promise<string | null> {
    const [row] = await this.db.query<{ owner: string }>('SELECT owner FROM blocklets WHERE name = $1', [name]);
    return row?.owner ?? null;
  }

  async version(name: string, version: string): Promise<VersionRow | null> {
    const [row] = await this.db.query<VersionRow>(`SELECT ${VERSION_COLUMNS} FROM blocklet_versions WHERE name = $1 AND version = $2`, [
      name,
      version,
    ]);
    return row ?? null;
  }

  /** Every version of a blocklet, newest deploy first. */
  async versions(name: string): Promise<VersionRow[]> {
    return this.db.query<VersionRow>(
      `SELECT ${VERSION_COLUMNS} FROM blocklet_versions WHERE name = $1 ORDER BY height DESC, version DESC`,
      [name],
    );
  }

  async aliases(name: string): Promise<AliasRow[]> {
    return this.db.query<AliasRow>(
      'SELECT alias, version, share_bps AS "shareBps" FROM blocklet_aliases WHERE name = $1 ORDER BY alias DESC',
      [name],
    );
  }

  async setAlias(name: string, alias: 'live' | 'canary', version: string | null, shareBps: number, nowMs: number): Promise<void> {
    if (version === null) {
      await this.db.query('DELETE FROM blocklet_aliases WHERE name = $1 AND alias = $2', [name, alias]);
      return;
    }
    await this.db.query(
      `INSERT INTO blocklet_aliases (name, alias, version, share_bps, updated_at_ms) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (name, alias) DO UPDATE SET version = $3, share_bps = $4, updated_at_ms = $5`,
      [name, alias, version, alias === 'live' ? 10_000 : shareBps, nowMs],
    );
  }

  /** Blocklets with a live version, by name, one page. */
  async list(cursor: string | undefined, limit: number): Promise<{ name: string; owner: string }[]> {
    return this.db.query<{ name: string; owner: string }>(
      'SELECT name, owner FROM blocklets WHERE ($1::text IS NULL OR name > $1) ORDER BY name LIMIT $2',
      [cursor ?? null, limit],
    );
  }
}
