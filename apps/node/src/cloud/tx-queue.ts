import { type AccountState, type CheckedTx, checkTxStatic, LedgerError, stateKey } from '@arc/core';
import type { Database, Sql } from '../db/client.ts';
import { NodeError } from '../errors.ts';
import type { SubmitResult } from '../ledger/admission.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { localNextNonce, type SharedQueue } from '../ledger/ledger-reads.ts';

/** Channels of the shared database's NOTIFY: a transaction was queued; a block committed (payload: its height). */
export const QUEUED_CHANNEL = 'arc_tx_queued';
export const BLOCK_CHANNEL = 'arc_block';
/** Rows the producer takes into its mempool in one statement. */
const TAKE_BATCH_MAX = 5000;

interface NonceRow {
  committed: string | number | null;
  queued: string | number | null;
  count: string | number;
}

/**
 * The queue of admitted transactions a cloud node's processes share (cloud/README.md). Every process admits into it
 * (signatures checked on its own threads); the process holding the producer lease takes its rows into its mempool;
 * a block deletes the rows of what it holds or drops in its own transaction. So a transaction acknowledged by any
 * process survives any process's death, and a new producer starts from every row still queued.
 */
export class TxQueue implements SharedQueue {
  constructor(
    readonly db: Database,
    readonly ledger: Ledger,
  ) {}

  async nextNonce(did: string): Promise<number> {
    const row = await this.#nonces(did);
    return Math.max(Number(row.committed ?? 0), Number(row.queued ?? 0)) + 1;
  }

  async holds(hash: string): Promise<boolean> {
    const rows = await this.db.query("SELECT 1 FROM tx_queue WHERE hash = decode($1, 'hex')", [hash]);
    return rows.length > 0;
  }

  /** The account's committed nonce, its highest queued one and how many wait, in one snapshot (one statement). */
  async #nonces(did: string): Promise<NonceRow> {
    const [row] = await this.db.query<NonceRow>(
      `SELECT (SELECT nonce FROM accounts WHERE did = $1) AS committed,
              (SELECT max(nonce) FROM tx_queue WHERE sender = $1) AS queued,
              (SELECT count(*) FROM tx_queue WHERE sender = $1) AS count`,
      [did],
    );
    return row ?? { committed: null, queued: null, count: 0 };
  }

  /**
   * Queues a transaction whose signatures verified: idempotent by hash, and the account's next nonce exactly (two
   * processes admitting the same nonce at once: the database's unique index lets one in). `dryRun` runs when nothing
   * of the account waits (admission.ts).
   */
  async admit(checked: CheckedTx, dryRun: () => Promise<void>): Promise<SubmitResult> {
    const { tx, hashHex } = checked;
    // One round trip for what is known of the hash and of the account (one snapshot), one for the insert.
    const [row] = await this.db.query<NonceRow & { queued_hash: boolean; height: string | number | null; failed_code: string | null }>(
      `SELECT (SELECT nonce FROM accounts WHERE did = $1) AS committed,
              (SELECT max(nonce) FROM tx_queue WHERE sender = $1) AS queued,
              (SELECT count(*) FROM tx_queue WHERE sender = $1) AS count,
              EXISTS (SELECT 1 FROM tx_queue WHERE hash = decode($2, 'hex')) AS queued_hash,
              t.height, t.failed_code
       FROM (SELECT 1) AS one LEFT JOIN txs t ON t.hash = decode($2, 'hex')`,
      [tx.from, hashHex],
    );
    if (!row) throw new Error('the queue read answered no row');
    if (row.queued_hash) return { hash: hashHex, status: 'pending', height: null };
    if (row.height !== null)
      return { hash: hashHex, status: row.failed_code === null ? 'committed' : 'failed', height: Number(row.height) };
    const committed = Number(row.committed ?? 0);
    const next = Math.max(committed, Number(row.queued ?? 0)) + 1;
    if (tx.nonce <= committed) throw new NodeError('NONCE_TOO_LOW', `nonce ${tx.nonce} is used; the next is ${next}`);
    if (tx.nonce < next) throw new NodeError('NONCE_TOO_LOW', `nonce ${tx.nonce} is taken by a pending transaction; the next is ${next}`);
    if (tx.nonce > next) throw new NodeError('NONCE_GAP', `nonce ${tx.nonce} skips ahead; the next is ${next}`);
    const perAccount = this.ledger.mempool.maxPerAccount;
    if (Number(row.count) >= perAccount) {
      throw new NodeError(
        'MEMPOOL_ACCOUNT_FULL',
        `account ${tx.from} already has ${perAccount} transactions waiting (MEMPOOL_MAX_PER_ACCOUNT); send more once some commit`,
      );
    }
    if (Number(row.count) === 0) {
      // The dry run reads this process's state cache, which follows the database a moment behind each block: when it
      // holds the account at another nonce than the database, it is behind, and what it holds goes.
      const cached = this.ledger.cache.peek(stateKey('account', tx.from))?.value as AccountState | undefined;
      if (cached && cached.nonce !== committed) this.ledger.cache.clear();
      await dryRun();
    }
    const inserted = await this.db.query(
      `WITH queued AS (
         INSERT INTO tx_queue (hash, sender, nonce, bytes, admitted_at_ms) VALUES (decode($1, 'hex'), $2, $3, $4, $5)
         ON CONFLICT DO NOTHING RETURNING id)
       SELECT id, pg_notify($6, '') FROM queued`,
      [hashHex, tx.from, tx.nonce, checked.bytes, this.ledger.options.now(), QUEUED_CHANNEL],
    );
    if (inserted.length > 0) return { hash: hashHex, status: 'pending', height: null };
    const again = await this.#known(hashHex);
    if (again) return again;
    throw new NodeError(
      'NONCE_TOO_LOW',
      `nonce ${tx.nonce} was just taken by another pending transaction of ${tx.from}; sign it again with the next`,
    );
  }

  /** A transaction already queued or committed answers with its status. */
  async #known(hash: string): Promise<SubmitResult | null> {
    if (await this.holds(hash)) return { hash, status: 'pending', height: null };
    const [row] = await this.db.query<{ height: string | number; failed_code: string | null }>(
      "SELECT height, failed_code FROM txs WHERE hash = decode($1, 'hex')",
      [hash],
    );
    if (!row) return null;
    return { hash, status: row.failed_code === null ? 'committed' : 'failed', height: Number(row.height) };
  }

  /**
   * On the producer: takes the rows this lease epoch has not taken yet into the mempool, each account's in nonce order.
   * A row whose nonce is already committed is deleted; one that skips ahead (its predecessor was dropped) is left for a
   * later turn and, unless filled in, deleted when its time to live runs out (`sweep`). Answers how many it added.
   */
  async take(epoch: number): Promise<number> {
    const rows = await this.db.query<{ hash: Uint8Array; bytes: Uint8Array }>(
      `UPDATE tx_queue SET taken_epoch = $1 WHERE id IN (
         SELECT id FROM tx_queue WHERE taken_epoch IS DISTINCT FROM $1 ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED)
       RETURNING hash, bytes`,
      [epoch, TAKE_BATCH_MAX],
    );
    const { ledger } = this;
    const parsed: CheckedTx[] = [];
    for (const row of rows) {
      const checked = checkTxStatic(new Uint8Array(row.bytes), { chainId: ledger.chainId, params: ledger.params });
      if (!(checked instanceof LedgerError)) parsed.push(checked);
    }
    parsed.sort((a, b) => (a.tx.from < b.tx.from ? -1 : a.tx.from > b.tx.from ? 1 : a.tx.nonce - b.tx.nonce));
    const stale: string[] = [];
    const later: string[] = [];
    let added = 0;
    for (const checked of parsed) {
      if (ledger.mempool.get(checked.hashHex)) continue;
      const next = await localNextNonce(ledger, checked.tx.from);
      if (checked.tx.nonce < next) stale.push(checked.hashHex);
      else if (checked.tx.nonce > next || ledger.mempool.size >= ledger.mempool.capacity) later.push(checked.hashHex);
      else {
        ledger.mempool.add(checked, ledger.options.now());
        added += 1;
      }
    }
    if (stale.length > 0) await this.db.query(`DELETE FROM tx_queue WHERE hash IN (${HASHES})`, [stale]);
    if (later.length > 0) await this.db.query(`UPDATE tx_queue SET taken_epoch = NULL WHERE hash IN (${HASHES})`, [later]);
    if (added > 0) ledger.kick();
    return added;
  }

  /** In a block's transaction: the rows of what it holds or drops go, and the other processes hear of the block. */
  async settle(tx: Sql, height: number, hashes: string[]): Promise<void> {
    if (hashes.length > 0) await tx.query(`DELETE FROM tx_queue WHERE hash IN (${HASHES})`, [hashes]);
    await tx.query('SELECT pg_notify($1, $2)', [BLOCK_CHANNEL, String(height)]);
  }

  /** Deletes rows older than the mempool's time to live that no block took (their predecessors were dropped). */
  async sweep(): Promise<number> {
    const cutoff = this.ledger.options.now() - 2 * this.ledger.mempool.ttlMs;
    const rows = await this.db.query('DELETE FROM tx_queue WHERE admitted_at_ms < $1 RETURNING id', [cutoff]);
    return rows.length;
  }
}

const HASHES = "SELECT decode(h, 'hex') FROM unnest($1::text[]) AS x(h)";
