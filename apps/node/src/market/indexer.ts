import {
  decodeAccount,
  decodeComponent,
  decodeComponentVersion,
  decodeReport,
  decodeReview,
  decodeTx,
  decodeUsage,
  type Tx,
  toHex,
} from '@arc/core';
import type { Database, Sql } from '../db/client.ts';
import type { BlockCommitted, Ledger } from '../ledger/ledger.ts';

/** Retries of a block the index could not write (backoff doubling to the cap); rank recompute debounce. */
export const MARKET_INDEX_LIMITS = { retryBaseMs: 50, retryMaxMs: 5_000, rankDebounceMs: 5_000 } as const;

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

/** What a batch of transactions changed beyond whole components: the entries to re-read. */
interface Scope {
  /** [component, reviewer] of reviews written or replied to. */
  reviewPairs: Map<string, [string, string]>;
  /** [component, account] of usage entries the batch added to. */
  usagePairs: Map<string, [string, string]>;
  /** Components whose reports changed. */
  reports: Set<string>;
  /** Components whose every review is re-read (a resolved report may hide one). */
  allReviews: Set<string>;
  /** Components with a new version: their search document is rebuilt. */
  documents: Set<string>;
}

interface MarketTxRow {
  hashHex: string;
  height: number;
  tx: Tx;
}

/** The text search document of a component: name (A), description and categories (B), README (C). */
export const DOCUMENT_SQL = `setweight(to_tsvector('english', replace(c.name, '-', ' ')), 'A')
  || setweight(to_tsvector('english', c.description || ' ' || array_to_string(c.categories, ' ')), 'B')
  || setweight(to_tsvector('english', coalesce((SELECT t.text FROM market_texts t WHERE t.hash = c.readme_hash), '')), 'C')`;

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
        await this.#indexUpTo(height, block);
        this.#lastError = null;
        this.#scheduleRank();
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
   * just committed and handed over with its transactions, they are taken from it instead of read back.
   */
  async #indexUpTo(height: number, block?: BlockCommitted): Promise<void> {
    if (height <= this.#indexed) return;
    const txs: MarketTxRow[] =
      block?.txs && height === this.#indexed + 1
        ? block.txs.filter((c) => MARKET_TYPE_SET.has(c.type)).map((c) => ({ hashHex: c.hashHex, height, tx: c.tx }))
        : (
            await this.db.query<{ hash: Uint8Array; height: number; bytes: Uint8Array }>(
              `SELECT hash, height::float8 AS height, bytes FROM txs WHERE type = ANY($3::text[]) AND height > $1 AND height <= $2 ORDER BY height, idx`,
              [this.#indexed, height, [...MARKET_TX_TYPES]],
            )
          ).map((row) => ({ hashHex: toHex(row.hash), height: row.height, tx: decodeTx(row.bytes) }));
    if (txs.length === 0 && height === this.#indexed + 1 && block?.txs) {
      // Nothing of the market's in this block: the meta height catches up with the next block that has some.
      this.#indexed = height;
      return;
    }
    await this.db.transaction(async (sql) => {
      await this.#apply(sql, txs);
      await sql.query(
        'INSERT INTO market_index_meta (id, height) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET height = GREATEST(market_index_meta.height, $1)',
        [height],
      );
    });
    this.#indexed = Math.max(this.#indexed, height);
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
    await this.#project(sql, [...names], txHashOf, scope);
  }

  /** Re-reads the ledger's entries of these components into the market tables. */
  async #project(sql: Sql, names: string[], txHashOf: Map<string, string>, scope: Scope): Promise<void> {
    const reviewPairs = [...scope.reviewPairs.values()];
    const usagePairs = [...scope.usagePairs.values()];
    const none = Promise.resolve([] as { value: Uint8Array }[]);
    const [components, versions, reviews, reports, usage] = await Promise.all([
      names.length > 0 ? sql.query<{ value: Uint8Array }>('SELECT value FROM components WHERE name = ANY($1::text[])', [names]) : none,
      names.length > 0
        ? sql.query<{ value: Uint8Array }>('SELECT value FROM component_versions WHERE name = ANY($1::text[])', [names])
        : none,
      reviewPairs.length > 0 || scope.allReviews.size > 0
        ? sql.query<{ value: Uint8Array }>(
            'SELECT value FROM reviews WHERE (component, reviewer) IN (SELECT * FROM unnest($1::text[], $2::text[])) OR component = ANY($3::text[])',
            [reviewPairs.map((p) => p[0]), reviewPairs.map((p) => p[1]), [...scope.allReviews]],
          )
        : none,
      scope.reports.size > 0
        ? sql.query<{ value: Uint8Array }>('SELECT value FROM abuse_reports WHERE component = ANY($1::text[])', [[...scope.reports]])
        : none,
      usagePairs.length > 0
        ? sql.query<{ value: Uint8Array }>(
            'SELECT value FROM component_usage WHERE (component, account) IN (SELECT * FROM unnest($1::text[], $2::text[]))',
            [usagePairs.map((p) => p[0]), usagePairs.map((p) => p[1])],
          )
        : none,
    ]);
    const componentStates = components.map((row) => decodeComponent(row.value));
    const versionStates = versions.map((row) => decodeComponentVersion(row.value));
    const reviewStates = reviews.map((row) => decodeReview(row.value));
    const heights = new Set<number>();
    for (const c of componentStates) heights.add(c.createdAtHeight).add(c.updatedAtHeight);
    for (const v of versionStates) heights.add(v.publishedAtHeight);
    for (const r of reviewStates) {
      heights.add(r.createdAtHeight).add(r.updatedAtHeight);
      if (r.reply) heights.add(r.reply.atHeight);
    }
    const times = await sql.query<{ height: number; time_ms: number }>(
      'SELECT height::float8 AS height, time_ms::float8 AS time_ms FROM blocks WHERE height = ANY($1::bigint[])',
      [[...heights]],
    );
    const timeAt = new Map(times.map((row) => [row.height, row.time_ms]));
    const msAt = (height: number) => timeAt.get(height) ?? 0;
    const owners = [...new Set(componentStates.map((c) => c.owner))];
    const accountRows = await sql.query<{ value: Uint8Array }>('SELECT value FROM accounts WHERE did = ANY($1::text[])', [owners]);
    const monikerOf = new Map(accountRows.map((row) => decodeAccount(row.value)).map((a) => [a.did, a.moniker]));

    if (versionStates.length > 0) {
      await sql.query(
        `INSERT INTO market_versions (name, version, release_notes, manifest_hash, bundle_hash, readme_hash, published_by, published_at_ms, height, tx_hash, status, status_reason)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[], $9::bigint[], $10::text[], $11::text[], $12::text[])
         ON CONFLICT (name, version) DO UPDATE SET status = EXCLUDED.status, status_reason = EXCLUDED.status_reason,
           tx_hash = CASE WHEN EXCLUDED.tx_hash = '' THEN market_versions.tx_hash ELSE EXCLUDED.tx_hash END`,
        [
          versionStates.map((v) => v.name),
          versionStates.map((v) => v.version),
          versionStates.map((v) => v.releaseNotes),
          versionStates.map((v) => toHex(v.manifestHash)),
          versionStates.map((v) => toHex(v.bundleHash)),
          versionStates.map((v) => toHex(v.readmeHash)),
          versionStates.map((v) => v.publishedBy),
          versionStates.map((v) => msAt(v.publishedAtHeight)),
          versionStates.map((v) => v.publishedAtHeight),
          versionStates.map((v) => txHashOf.get(`v/${v.name}/${v.version}`) ?? ''),
          versionStates.map((v) => v.status),
          versionStates.map((v) => v.statusReason),
        ],
      );
    }
    const versionOf = new Map(versionStates.map((v) => [`${v.name}/${v.version}`, v]));
    const firstPublishMs = new Map<string, number>();
    for (const v of versionStates) {
      const ms = msAt(v.publishedAtHeight);
      firstPublishMs.set(v.name, Math.min(firstPublishMs.get(v.name) ?? ms, ms));
    }
    const cs = componentStates.flatMap((c) => {
      const latest = versionOf.get(`${c.name}/${c.latestVersion}`);
      return latest ? [{ c, latest }] : [];
    });
    if (cs.length > 0) {
      await sql.query(
        `INSERT INTO market_components (name, kind, owner, owner_moniker, publisher, description, latest_version, categories, chains, price_model,
           price_amount, stake, manifest_hash, bundle_hash, readme_hash, beneficiaries, deprecated, created_height, published_at_ms, updated_at_ms, document)
         SELECT u.name, u.kind, u.owner, u.moniker, u.publisher, u.description, u.latest, ARRAY(SELECT jsonb_array_elements_text(u.categories)),
           ARRAY(SELECT jsonb_array_elements_text(u.chains)), u.price_model, u.price_amount::numeric, u.stake::numeric, u.manifest_hash, u.bundle_hash,
           u.readme_hash, u.beneficiaries, u.deprecated = 'true', u.created_height, u.published_at_ms, u.updated_at_ms, ''::tsvector
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::jsonb[], $9::jsonb[], $10::text[],
           $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::jsonb[], $17::text[], $18::bigint[], $19::bigint[], $20::bigint[])
           AS u(name, kind, owner, moniker, publisher, description, latest, categories, chains, price_model, price_amount, stake, manifest_hash,
             bundle_hash, readme_hash, beneficiaries, deprecated, created_height, published_at_ms, updated_at_ms)
         ON CONFLICT (name) DO UPDATE SET kind = EXCLUDED.kind, owner = EXCLUDED.owner, owner_moniker = EXCLUDED.owner_moniker,
           publisher = EXCLUDED.publisher, description = EXCLUDED.description, latest_version = EXCLUDED.latest_version,
           categories = EXCLUDED.categories, chains = EXCLUDED.chains, price_model = EXCLUDED.price_model, price_amount = EXCLUDED.price_amount,
           stake = EXCLUDED.stake, manifest_hash = EXCLUDED.manifest_hash, bundle_hash = EXCLUDED.bundle_hash, readme_hash = EXCLUDED.readme_hash,
           beneficiaries = EXCLUDED.beneficiaries, deprecated = EXCLUDED.deprecated, updated_at_ms = EXCLUDED.updated_at_ms`,
        [
          cs.map(({ c }) => c.name),
          cs.map(({ c }) => c.kind),
          cs.map(({ c }) => c.owner),
          cs.map(({ c }) => monikerOf.get(c.owner) ?? ''),
          cs.map(({ c }) => c.publisher),
          cs.map(({ latest }) => latest.description),
          cs.map(({ c }) => c.latestVersion),
          cs.map(({ latest }) => JSON.stringify(latest.categories)),
          cs.map(({ latest }) => JSON.stringify(latest.chains)),
          cs.map(({ latest }) => latest.price.model),
          cs.map(({ latest }) => latest.price.amount.toString()),
          cs.map(({ c }) => c.stake.toString()),
          cs.map(({ latest }) => toHex(latest.manifestHash)),
          cs.map(({ latest }) => toHex(latest.bundleHash)),
          cs.map(({ latest }) => toHex(latest.readmeHash)),
          cs.map(({ latest }) => JSON.stringify(latest.beneficiaries)),
          cs.map(({ latest }) => (latest.status !== 'active' ? 'true' : 'false')),
          cs.map(({ c }) => c.createdAtHeight),
          cs.map(({ c }) => firstPublishMs.get(c.name) ?? msAt(c.createdAtHeight)),
          cs.map(({ latest }) => msAt(latest.publishedAtHeight)),
        ],
      );
      await sql.query(`UPDATE market_components c SET document = ${DOCUMENT_SQL} WHERE c.name = ANY($1::text[])`, [
        cs.map(({ c }) => c.name),
      ]);
    }
    if (reviewStates.length > 0) {
      await sql.query(
        `INSERT INTO market_reviews (component, reviewer, stars, text_hash, revision, created_at_ms, updated_at_ms, hidden, reply_hash, reply_at_ms, tx_hash)
         SELECT u.c, u.r, u.stars, u.th, u.rev, u.ca, u.ua, u.hidden = 'true', u.rh, u.ra, u.tx
         FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::int[], $6::bigint[], $7::bigint[], $8::text[], $9::text[], $10::bigint[], $11::text[])
           AS u(c, r, stars, th, rev, ca, ua, hidden, rh, ra, tx)
         ON CONFLICT (component, reviewer) DO UPDATE SET stars = EXCLUDED.stars, text_hash = EXCLUDED.text_hash, revision = EXCLUDED.revision,
           updated_at_ms = EXCLUDED.updated_at_ms, hidden = EXCLUDED.hidden, reply_hash = EXCLUDED.reply_hash, reply_at_ms = EXCLUDED.reply_at_ms,
           tx_hash = CASE WHEN EXCLUDED.tx_hash = '' THEN market_reviews.tx_hash ELSE EXCLUDED.tx_hash END`,
        [
          reviewStates.map((r) => r.component),
          reviewStates.map((r) => r.reviewer),
          reviewStates.map((r) => r.stars),
          reviewStates.map((r) => toHex(r.textHash)),
          reviewStates.map((r) => r.revision),
          reviewStates.map((r) => msAt(r.createdAtHeight)),
          reviewStates.map((r) => msAt(r.updatedAtHeight)),
          reviewStates.map((r) => (r.hidden ? 'true' : 'false')),
          reviewStates.map((r) => (r.reply ? toHex(r.reply.textHash) : null)),
          reviewStates.map((r) => (r.reply ? msAt(r.reply.atHeight) : null)),
          reviewStates.map((r) => txHashOf.get(`r/${r.component}/${r.reviewer}`) ?? ''),
        ],
      );
    }
    const reportStates = reports.map((row) => decodeReport(row.value));
    if (reportStates.length > 0) {
      await sql.query(
        `INSERT INTO market_reports (id, component, reviewer, status) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
         ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status`,
        [
          reportStates.map((r) => r.id),
          reportStates.map((r) => r.component),
          reportStates.map((r) => r.reviewer),
          reportStates.map((r) => r.status),
        ],
      );
    }
    const usageStates = usage.map((row) => decodeUsage(row.value));
    if (usageStates.length > 0) {
      await sql.query(
        `INSERT INTO market_account_usage (component, account, calls, installs, paid)
         SELECT u.c, u.a, u.calls, u.installs, u.paid::numeric FROM unnest($1::text[], $2::text[], $3::bigint[], $4::int[], $5::text[]) AS u(c, a, calls, installs, paid)
         ON CONFLICT (component, account) DO UPDATE SET calls = EXCLUDED.calls, installs = EXCLUDED.installs, paid = EXCLUDED.paid`,
        [
          usageStates.map((u) => u.component),
          usageStates.map((u) => u.account),
          usageStates.map((u) => u.calls),
          usageStates.map((u) => u.installs),
          usageStates.map((u) => u.paid.toString()),
        ],
      );
    }
    await sql.query(
      `UPDATE market_components c SET installs = coalesce((SELECT sum(installs) FROM market_account_usage u WHERE u.component = c.name), 0),
         upheld_reports = (SELECT count(*) FROM market_reports r WHERE r.component = c.name AND r.reviewer = '' AND r.status = 'upheld')
       WHERE c.name = ANY($1::text[])`,
      [[...new Set([...scope.reports, ...usagePairs.map((p) => p[0])])]],
    );
  }

  /**
   * A README that arrives after its transaction: rebuild the documents that name it. It runs in the index's own
   * queue, after any block being indexed has committed: on PostgreSQL an index transaction still open when the text
   * lands would otherwise keep the document it built without the text, and this update would not see its row.
   */
  async linkText(hash: string): Promise<void> {
    const linked = this.#chain.then(async () => {
      await this.db.query(`UPDATE market_components c SET document = ${DOCUMENT_SQL} WHERE c.readme_hash = $1`, [hash]);
    });
    this.#chain = linked.catch(() => undefined);
    await linked;
  }
}

/** UTC day number of a time (the recordUsage period). */
export function dayOf(ms: number): number {
  return Math.floor(ms / DAY_MS);
}
