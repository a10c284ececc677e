import { decodeTx, type Tx, toHex } from '@arc/core';
import type { Database, Sql } from '../db/client.ts';
import { claimIndex } from '../db/index-claim.ts';
import type { BlockCommitted, Ledger } from '../ledger/ledger.ts';
import { DOCUMENT_SQL, projectEntries, type Scope, wordsSql } from './projection.ts';

/**
 * Retries of a block the index could not write (backoff doubling to the cap); the rank recompute's debounce after
 * blocks that hold market transactions; and how often (in block time) ranks are recomputed without any, for the
 * parts that change with time alone (recency, the 30-day usage window, stake).
 */
export const MARKET_INDEX_LIMITS = { retryBaseMs: 50, retryMaxMs: 5_000, rankDebounceMs: 5_000, rankRefreshMs: 3_600_000 } as const;

/** The transaction types whose effects the market index reads. */
export const MARKET_TX_TYPES = [
  'publishComponent',
  'transferComponent',
  'deprecateVersion',
  'reviewComponent',
  'replyReview',
  'reportAbuse',
  'resolveReport',
  'recordUsage',
] as const;

const MARKET_TYPE_SET: ReadonlySet<string> = new Set(MARKET_TX_TYPES);

const DAY_MS = 86_400_000;

interface MarketTxRow {
  hashHex: string;
  height: number;
  tx: Tx;
}

/**
 * The marketplace's read model, built from the chain: it follows committed blocks (catching up from the chain's
 * tables at start), and for every component a block's market transactions touch, re-reads the ledger's state
 * entries (component, versions, reviews, reports, usage) into decoded, searchable rows. Usage per day comes from
 * the recordUsage transactions themselves. Every node reading the same chain builds the same index.
 */
export class MarketIndexer {
  #indexed = 0;
  #chain: Promise<void> = Promise.resolve();
  #stopped = false;
  #lastError: string | null = null;
  #rankTimer: NodeJS.Timeout | null = null;

  constructor(
    readonly db: Database,
    readonly ledger: Ledger,
    readonly log: (line: string) => void,
    /** Called after a batch of blocks is indexed (debounced: the rank recompute). */
    readonly onIndexed: () => Promise<void>,
    /** Hashes of committed recordUsage transactions, so the usage flusher can drop their deltas (same SQL tx). */
    readonly onUsageCommitted: (sql: Sql, txHashes: string[]) => Promise<void> = async () => undefined,
  ) {}

  async start(): Promise<void> {
    const [meta] = await this.db.query<{ height: number }>('SELECT height::float8 AS height FROM market_index_meta WHERE id = 1');
    this.#indexed = meta?.height ?? 0;
    await this.#indexUpTo(this.ledger.head.height);
    this.ledger.events.on('block', this.#onBlock);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.ledger.events.off('block', this.#onBlock);
    if (this.#rankTimer) clearTimeout(this.#rankTimer);
    this.#rankTimer = null;
    await this.#chain;
  }

  get indexedHeight(): number {
    return this.#indexed;
  }

  health(): { indexedHeight: number; lastError: string | null } {
    return { indexedHeight: this.#indexed, lastError: this.#lastError };
  }

  /** Resolves once every block heard so far is indexed (tests, benches). */
  async settled(): Promise<void> {
    for (;;) {
      const chain = this.#chain;
      await chain;
      if (chain === this.#chain) return;
    }
  }

  readonly #onBlock = (block: BlockCommitted) => {
    this.#chain = this.#chain.then(() => this.#indexWithRetry(block));
  };

  async #indexWithRetry(block: BlockCommitted): Promise<void> {
    const height = block.header.height;
    for (let attempt = 0; !this.#stopped; attempt += 1) {
      try {
        const wrote = await this.#indexUpTo(height, block);
        this.#lastError = null;
        // A block without market transactions changes no rank input but time: an idle chain's heartbeat blocks do
        // not recompute every rank (seconds of work at catalogue scale) unless rankRefreshMs of block time passed.
        const atMs = block.header.timeMs;
        if (wrote || atMs - this.#rankScheduledAtMs >= MARKET_INDEX_LIMITS.rankRefreshMs) {
          this.#rankScheduledAtMs = atMs;
          this.#scheduleRank();
        }
        return;
      } catch (error) {
        this.#lastError = (error as Error).message;
        const delayMs = Math.min(MARKET_INDEX_LIMITS.retryMaxMs, MARKET_INDEX_LIMITS.retryBaseMs * 2 ** Math.min(attempt, 16));
        this.log(
          `market index: writing heights up to ${height} failed (attempt ${attempt + 1}), retrying in ${delayMs} ms: ${this.#lastError}`,
        );
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    }
  }

  /** Block time of the last block that scheduled a rank recompute (the service recomputes at start). */
  #rankScheduledAtMs = Number.NEGATIVE_INFINITY;

  #scheduleRank(): void {
    if (this.#rankTimer || this.#stopped) return;
    this.#rankTimer = setTimeout(() => {
      this.#rankTimer = null;
      this.onIndexed().catch((error: unknown) => this.log(`market rank recompute failed: ${(error as Error).message}`));
    }, MARKET_INDEX_LIMITS.rankDebounceMs);
    this.#rankTimer.unref();
  }

  /**
   * Indexes every block above the indexed height up to `height`. When that is exactly the one block the producer
   * just committed and handed over with its transactions, they are taken from it instead of read back. Failed
   * transactions (they paid their fee and did nothing else) are not indexed.
   */
  async #indexUpTo(height: number, block?: BlockCommitted): Promise<boolean> {
    if (height <= this.#indexed) return false;
    const txs: MarketTxRow[] =
      block?.txs && height === this.#indexed + 1
        ? block.txs.filter((c) => MARKET_TYPE_SET.has(c.type) && c.failed === null).map((c) => ({ hashHex: c.hashHex, height, tx: c.tx }))
        : (
            await this.db.query<{ hash: Uint8Array; height: number; bytes: Uint8Array }>(
              `SELECT hash, height::float8 AS height, bytes FROM txs WHERE type = ANY($3::text[]) AND failed_code IS NULL AND height > $1 AND height <= $2 ORDER BY height, idx`,
              [this.#indexed, height, [...MARKET_TX_TYPES]],
            )
          ).map((row) => ({ hashHex: toHex(row.hash), height: row.height, tx: decodeTx(row.bytes) }));
    if (txs.length === 0 && height === this.#indexed + 1 && block?.txs) {
      // Nothing of the market's in this block: the meta height catches up with the next block that has some.
      this.#indexed = height;
      return false;
    }
    await this.db.transaction(async (sql) => {
      const done = await claimIndex(sql, 'market_index_meta');
      await this.#apply(
        sql,
        txs.filter((t) => t.height > done),
      );
      await sql.query(
        'INSERT INTO market_index_meta (id, height) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET height = GREATEST(market_index_meta.height, $1)',
        [height],
      );
    });
    this.#indexed = Math.max(this.#indexed, height);
    return txs.length > 0;
  }

  async #apply(sql: Sql, txs: MarketTxRow[]): Promise<void> {
    if (txs.length === 0) return;
    const names = new Set<string>();
    const txHashOf = new Map<string, string>();
    const usage = new Map<
      string,
      { component: string; application: string; day: number; account: string; calls: number; installs: number; paid: bigint }
    >();
    const usageTxs: string[] = [];
    const reportIds: string[] = [];
    const scope: Scope = { reviewPairs: new Map(), usagePairs: new Map(), reports: new Set(), allReviews: new Set(), documents: new Set() };
    for (const { hashHex, tx } of txs) {
      const itx = tx.itx;
      switch (itx.type) {
        case 'publishComponent':
          names.add(itx.name);
          scope.documents.add(itx.name);
          txHashOf.set(`v/${itx.name}/${itx.version}`, hashHex);
          break;
        case 'transferComponent':
        case 'deprecateVersion':
          names.add(itx.name);
          break;
        case 'reportAbuse':
          scope.reports.add(itx.name);
          break;
        case 'replyReview':
          scope.reviewPairs.set(`${itx.name}\u0000${itx.reviewer}`, [itx.name, itx.reviewer]);
          break;
        case 'reviewComponent':
          scope.reviewPairs.set(`${itx.name}\u0000${tx.from}`, [itx.name, tx.from]);
          txHashOf.set(`r/${itx.name}/${tx.from}`, hashHex);
          break;
        case 'resolveReport':
          reportIds.push(itx.report);
          break;
        case 'recordUsage':
          usageTxs.push(hashHex);
          for (const record of itx.records) {
            scope.usagePairs.set(`${record.component}\u0000${record.account}`, [record.component, record.account]);
            const key = `${record.component}/${record.application}/${itx.period}`;
            const sum = usage.get(key) ?? { ...record, day: itx.period, calls: 0, installs: 0, paid: 0n };
            sum.calls += record.calls;
            sum.installs += record.installs;
            sum.paid += record.paid;
            usage.set(key, sum);
          }
          break;
        default:
          break;
      }
    }
    if (reportIds.length > 0) {
      const reported = await sql.query<{ component: string }>('SELECT component FROM abuse_reports WHERE id = ANY($1::text[])', [
        reportIds,
      ]);
      for (const row of reported) {
        names.add(row.component);
        scope.reports.add(row.component);
        scope.allReviews.add(row.component);
      }
    }
    if (usage.size > 0) {
      const u = [...usage.values()];
      await sql.query(
        `INSERT INTO market_usage_daily (component, application, day, account, calls, installs, paid)
         SELECT u.c, u.a, u.d, u.acc, u.calls, u.installs, u.paid::numeric
         FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::bigint[], $6::int[], $7::text[]) AS u(c, a, d, acc, calls, installs, paid)
         ON CONFLICT (component, application, day) DO UPDATE SET calls = market_usage_daily.calls + EXCLUDED.calls,
           installs = market_usage_daily.installs + EXCLUDED.installs, paid = market_usage_daily.paid + EXCLUDED.paid, account = EXCLUDED.account`,
        [
          u.map((r) => r.component),
          u.map((r) => r.application),
          u.map((r) => r.day),
          u.map((r) => r.account),
          u.map((r) => r.calls),
          u.map((r) => r.installs),
          u.map((r) => r.paid.toString()),
        ],
      );
    }
    if (usageTxs.length > 0) await this.onUsageCommitted(sql, usageTxs);
    await projectEntries(sql, [...names], txHashOf, scope);
  }

  /**
   * A README that arrives after its transaction: rebuild the documents that name it. It runs in the index's own
   * queue, after any block being indexed has committed: on PostgreSQL an index transaction still open when the text
   * lands would otherwise keep the document it built without the text, and this update would not see its row.
   */
  async linkText(hash: string): Promise<void> {
    const linked = this.#chain.then(async () => {
      await this.db.transaction(async (sql) => {
        await sql.query(`UPDATE market_components c SET document = ${DOCUMENT_SQL} WHERE c.readme_hash = $1`, [hash]);
        await sql.query(wordsSql('c.readme_hash = $1'), [hash]);
      });
    });
    this.#chain = linked.catch(() => undefined);
    await linked;
  }
}

/** UTC day number of a time (the recordUsage period). */
export function dayOf(ms: number): number {
  return Math.floor(ms / DAY_MS);
}
