import { decodeAccount, type KeyPair } from '@arc/core';
import type { z } from 'zod';
import type { Database } from '../db/client.ts';
import { publisherStake } from '../economy/service-level.ts';
import { NodeError } from '../errors.ts';
import type { Admission } from '../ledger/admission.ts';
import type { Ledger } from '../ledger/ledger.ts';
import {
  type ComponentOut,
  ConformanceOut,
  type DeveloperOut,
  type ReviewOut,
  type ReviewsIn,
  type ReviewsOut,
  type UseOut,
} from './api-schemas.ts';
import { dayOf, MarketIndexer } from './indexer.ts';
import { MarketInstaller } from './install.ts';
import { permissionsOf } from './permissions.ts';
import { type developerReputation, REVIEWER_FUNDED_MIN, reviewWeight } from './rank.ts';
import { computeRanks, readRankInputs, recomputeAll } from './recompute.ts';
import { CARD_COLUMNS, type CardRow, MarketSearch, toCard } from './search.ts';
import { MarketTexts } from './texts.ts';
import { UsageMeter } from './usage.ts';

const DAY_MS = 86_400_000;
const ZERO_HASH = '0'.repeat(64);

type Review = z.infer<typeof ReviewOut>;

export interface MarketOptions {
  db: Database;
  ledger: Ledger;
  admission: Admission;
  /** Signs the recordUsage transactions (the node key: a usage reporter on dev chains). */
  nodeKey: KeyPair;
  now: () => number;
  log: (line: string) => void;
  /** How often metered use is flushed to the chain (USAGE_LIMITS.flushMsDefault). */
  usageFlushMs?: number;
}

/** The marketplace: its index of the chain's market state, texts by hash, search, pages and rank. */
export class MarketService {
  readonly db: Database;
  readonly texts: MarketTexts;
  readonly search: MarketSearch;
  readonly indexer: MarketIndexer;
  readonly now: () => number;
  readonly usage: UsageMeter;
  readonly installer: MarketInstaller;

  constructor(readonly options: MarketOptions) {
    this.db = options.db;
    this.now = options.now;
    this.search = new MarketSearch(this.db);
    this.indexer = new MarketIndexer(
      this.db,
      options.ledger,
      options.log,
      async () => {
        await this.recompute();
      },
      (sql, hashes) => this.usage.committed(sql, hashes),
    );
    this.usage = new UsageMeter(
      this.db,
      options.ledger,
      options.admission,
      { ...options.nodeKey, did: options.ledger.nodeDid },
      options.now,
      options.log,
      options.usageFlushMs,
    );
    this.installer = new MarketInstaller(this.db, options.now);
    this.installer.meter = this.usage;
    this.texts = new MarketTexts(this.db, options.now, async (hash, purpose) => {
      if (purpose === 'readme') await this.indexer.linkText(hash);
    });
  }

  /** Whether start() began flushing metered use (stop() then flushes what is left). */
  #flushes = false;

  /** Follows blocks into the index; `usage: false` leaves the flushing of metered use to its caller (a leader job). */
  async start({ usage = true }: { usage?: boolean } = {}): Promise<void> {
    await this.indexer.start();
    await this.recompute();
    if (usage) {
      this.usage.start();
      this.#flushes = true;
    }
  }

  /** Flushes metered use if it started it (kept in the database if the flush cannot finish) and stops following blocks. */
  async stop(): Promise<void> {
    if (this.#flushes) await this.usage.stop();
    await this.indexer.stop();
  }

  /** Recomputes every component's rank now; the indexer also calls it (debounced) after indexed blocks. */
  async recompute(nowMs = this.now()): Promise<{ components: number; written: number }> {
    // One at a time: the indexer's debounced recompute and a caller's never interleave their reads and writes.
    const run = this.#recomputing.then(() => recomputeAll(this.db, nowMs));
    this.#recomputing = run.catch(() => undefined);
    const { components, written, reputations } = await run;
    this.#reputations = reputations;
    return { components, written };
  }

  /** Resolves once no rank recompute is running or queued (benches time theirs alone). */
  async recomputeIdle(): Promise<void> {
    for (;;) {
      const running = this.#recomputing;
      await running;
      if (running === this.#recomputing) return;
    }
  }

  #recomputing: Promise<unknown> = Promise.resolve();

  /** Every owner's reputation as of the last recompute (pages read it instead of recomputing it per request). */
  #reputations = new Map<string, ReturnType<typeof developerReputation>>();

  async component(name: string): Promise<z.infer<typeof ComponentOut>> {
    const [row] = await this.db.query<
      CardRow & {
        readmeHash: string;
        manifestHash: string;
        bundleHash: string;
        beneficiaries: { did: string; shareBps: number }[];
        stake: string;
        rankParts: z.infer<typeof ComponentOut>['rank']['parts'];
        rankComputedAtMs: number;
      }
    >(
      `SELECT ${CARD_COLUMNS}, c.readme_hash AS "readmeHash", c.manifest_hash AS "manifestHash", c.bundle_hash AS "bundleHash",
         c.beneficiaries, c.stake::text AS stake, c.rank_parts AS "rankParts",
         coalesce((SELECT m.ranks_computed_at_ms FROM market_index_meta m WHERE m.id = 1), 0)::float8 AS "rankComputedAtMs"
       FROM market_components c WHERE c.name = $1`,
      [name],
    );
    if (!row) throw new NodeError('NOT_FOUND', `No component is named ${name}; search the market for its name.`);
    const today = dayOf(this.now());
    const [readme, versions, manifest, usage, distribution, position, author, monikers, staked] = await Promise.all([
      this.texts.get(row.readmeHash),
      this.db.query<z.infer<typeof ComponentOut>['versions'][number]>(
        `SELECT version, release_notes AS "releaseNotes", manifest_hash AS "manifestHash", bundle_hash AS "bundleHash", readme_hash AS "readmeHash",
           published_by AS "publishedBy", published_at_ms::float8 AS "publishedAtMs", height::float8 AS height, tx_hash AS "txHash", status,
           status_reason AS "statusReason" FROM market_versions WHERE name = $1 ORDER BY height DESC, version DESC LIMIT 100`,
        [name],
      ),
      this.manifest(row.manifestHash),
      this.db.query<{ day: number; calls: number; installs: number }>(
        `SELECT day, sum(calls)::float8 AS calls, sum(installs)::float8 AS installs FROM market_usage_daily
         WHERE component = $1 AND day > $2 GROUP BY day`,
        [name, today - 30],
      ),
      this.db.query<{ stars: number; count: number }>(
        `SELECT r.stars, count(*)::int AS count FROM market_reviews r JOIN market_account_usage u ON u.component = r.component AND u.account = r.reviewer
         WHERE r.component = $1 AND NOT r.hidden AND (u.calls > 0 OR u.paid > 0) GROUP BY r.stars`,
        [name],
      ),
      this.db.query<{ position: number; of: number }>(
        `SELECT (count(*) FILTER (WHERE rank_score > $2 OR (rank_score = $2 AND name < $1)))::int + 1 AS position, count(*)::int AS of
         FROM market_components`,
        [name, row.rankScore],
      ),
      this.developerSummary(row.owner),
      this.monikers(row.beneficiaries.map((b) => b.did)),
      publisherStake(this.db, row.owner),
    ]);
    const usageByDay = new Map(usage.map((u) => [u.day, u]));
    const usage30d = Array.from({ length: 30 }, (_, i) => {
      const day = today - 29 + i;
      const u = usageByDay.get(day);
      return { day: new Date(day * DAY_MS).toISOString().slice(0, 10), calls: u?.calls ?? 0, installs: u?.installs ?? 0 };
    });
    const ratingDistribution = [0, 0, 0, 0, 0];
    for (const d of distribution) if (d.stars >= 1 && d.stars <= 5) ratingDistribution[d.stars - 1] = d.count;
    const conformance =
      row.kind === 'adapter' && manifest && typeof manifest === 'object'
        ? ConformanceOut.safeParse((manifest as { conformance?: unknown }).conformance)
        : null;
    return {
      ...toCard(row),
      readme,
      readmeHash: row.readmeHash,
      versions,
      permissions: permissionsOf(manifest),
      conformance: conformance?.success ? conformance.data : null,
      usage30d,
      ratingDistribution,
      beneficiaries: row.beneficiaries.map((b) => ({ did: b.did, moniker: monikers.get(b.did) ?? '', shareBps: b.shareBps })),
      stake: row.stake,
      rank: {
        score: row.rankScore,
        position: position[0]?.position ?? 1,
        of: position[0]?.of ?? 1,
        parts: row.rankParts,
        computedAtMs: row.rankComputedAtMs,
      },
      author: {
        did: row.owner,
        moniker: row.ownerMoniker,
        reputation: author.reputation,
        verifiedPublisher: author.verifiedPublisher,
        components: author.components,
        stake: staked,
      },
      configSnippet: row.kind === 'adapter' ? configSnippet(row.name, manifest) : null,
      installable: (row.kind === 'blocklet' || row.kind === 'application') && row.bundleHash !== ZERO_HASH,
    };
  }

  /** A component's manifest: the runtime's upload by hash, else a JSON text stored by that hash (adapters). */
  async manifest(hash: string): Promise<unknown> {
    const [row] = await this.db.query<{ manifest: unknown }>('SELECT manifest FROM blocklet_manifests WHERE hash = $1', [hash]);
    if (row) return typeof row.manifest === 'string' ? (JSON.parse(row.manifest) as unknown) : row.manifest;
    const text = await this.texts.get(hash);
    if (text === null) return null;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return null;
    }
  }

  async monikers(dids: string[]): Promise<Map<string, string>> {
    if (dids.length === 0) return new Map();
    const rows = await this.db.query<{ value: Uint8Array }>('SELECT value FROM accounts WHERE did = ANY($1::text[])', [dids]);
    return new Map(rows.map((row) => decodeAccount(row.value)).map((a) => [a.did, a.moniker]));
  }

  async developerSummary(
    did: string,
  ): Promise<{ reputation: number; verifiedPublisher: boolean; components: number; parts: z.infer<typeof DeveloperOut>['parts'] }> {
    const names = (await this.db.query<{ name: string }>('SELECT name FROM market_components WHERE owner = $1', [did])).map((r) => r.name);
    if (names.length === 0) return { reputation: 0, verifiedPublisher: false, components: 0, parts: [] };
    const known = this.#reputations.get(did);
    if (known)
      return { reputation: known.reputation, verifiedPublisher: known.verifiedPublisher, components: names.length, parts: known.parts };
    const nowMs = this.now();
    const { reputations } = computeRanks(await readRankInputs(this.db, nowMs, names), nowMs);
    const r = reputations.get(did);
    return {
      reputation: r?.reputation ?? 0,
      verifiedPublisher: r?.verifiedPublisher ?? false,
      components: names.length,
      parts: r?.parts ?? [],
    };
  }

  async developer(did: string): Promise<z.infer<typeof DeveloperOut>> {
    const [summary, rows, monikers, bond] = await Promise.all([
      this.developerSummary(did),
      this.db.query<CardRow & { stake: string }>(
        `SELECT ${CARD_COLUMNS}, c.stake::text AS stake FROM market_components c WHERE c.owner = $1 ORDER BY c.rank_score DESC, c.name LIMIT 200`,
        [did],
      ),
      this.monikers([did]),
      publisherStake(this.db, did),
    ]);
    return {
      did,
      moniker: monikers.get(did) ?? '',
      reputation: summary.reputation,
      verifiedPublisher: summary.verifiedPublisher,
      parts: summary.parts,
      firstSeenAtMs: rows.length > 0 ? Math.min(...rows.map((r) => r.publishedAtMs)) : null,
      // The bond that backs the developer's names, plus what names published before bonding locked on themselves.
      stake: rows.reduce((sum, r) => sum + BigInt(r.stake), BigInt(bond.bonded)).toString(),
      components: rows.map(toCard),
    };
  }

  async reviews(input: z.infer<typeof ReviewsIn>): Promise<z.infer<typeof ReviewsOut>> {
    let after: { at: number; reviewer: string } | null = null;
    if (input.cursor) {
      const [at, reviewer] = input.cursor.split('~');
      if (!at || !reviewer || !/^\d{1,15}$/.test(at)) {
        throw new NodeError('BAD_INPUT', 'The cursor is not one this node gave; pass the nextCursor of the previous page unchanged.');
      }
      after = { at: Number(at), reviewer };
    }
    const rows = await this.reviewRows(
      `r.component = $1 ${after ? 'AND (r.updated_at_ms < $3 OR (r.updated_at_ms = $3 AND r.reviewer > $4))' : ''}
       ORDER BY r.updated_at_ms DESC, r.reviewer LIMIT $2`,
      after ? [input.name, input.limit + 1, after.at, after.reviewer] : [input.name, input.limit + 1],
    );
    const [count] = await this.db.query<{ total: number }>('SELECT count(*)::int AS total FROM market_reviews WHERE component = $1', [
      input.name,
    ]);
    const page = rows.slice(0, input.limit);
    const last = page.at(-1);
    return {
      items: page,
      nextCursor: rows.length > input.limit && last ? `${last.updatedAtMs}~${last.reviewer}` : null,
      total: count?.total ?? 0,
    };
  }

  async reviewRows(where: string, params: unknown[]): Promise<Review[]> {
    const rows = await this.db.query<{
      reviewer: string;
      stars: number;
      textHash: string;
      revision: number;
      createdAtMs: number;
      updatedAtMs: number;
      hidden: boolean;
      replyHash: string | null;
      replyAtMs: number | null;
      txHash: string;
      calls: number;
      paid: string;
      applications: number;
      funded: boolean;
    }>(
      `SELECT r.reviewer, r.stars, r.text_hash AS "textHash", r.revision, r.created_at_ms::float8 AS "createdAtMs", r.updated_at_ms::float8 AS "updatedAtMs",
         r.hidden, r.reply_hash AS "replyHash", r.reply_at_ms::float8 AS "replyAtMs", r.tx_hash AS "txHash",
         coalesce(u.calls, 0)::float8 AS calls, coalesce(u.paid, 0)::text AS paid,
         (SELECT count(DISTINCT d.application)::int FROM market_usage_daily d WHERE d.component = r.component AND d.account = r.reviewer) AS applications,
         coalesce(a.balance >= ${REVIEWER_FUNDED_MIN.toString()}::numeric, false) AS funded
       FROM market_reviews r LEFT JOIN market_account_usage u ON u.component = r.component AND u.account = r.reviewer
       LEFT JOIN accounts a ON a.did = r.reviewer WHERE ${where}`,
      params,
    );
    const [texts, monikers] = await Promise.all([
      this.texts.getMany(rows.flatMap((r) => (r.replyHash ? [r.textHash, r.replyHash] : [r.textHash]))),
      this.monikers(rows.map((r) => r.reviewer)),
    ]);
    return rows.map((r) => {
      const paid = BigInt(r.paid);
      const uses = [
        r.calls > 0
          ? `${r.calls.toLocaleString('en-US')} call${r.calls === 1 ? '' : 's'} from ${r.applications} application${r.applications === 1 ? '' : 's'}`
          : '',
        paid > 0n ? `paid ${formatAbt(paid)} ABT` : '',
      ].filter(Boolean);
      return {
        reviewer: r.reviewer,
        reviewerMoniker: monikers.get(r.reviewer) ?? '',
        stars: r.stars,
        text: texts.get(r.textHash) ?? null,
        textHash: r.textHash,
        revision: r.revision,
        createdAtMs: r.createdAtMs,
        updatedAtMs: r.updatedAtMs,
        verifiedUse: uses.length > 0 ? uses.join(', ') : 'no verified use',
        weight: reviewWeight({ stars: r.stars, hidden: r.hidden, reviewerCalls: r.calls, reviewerPaid: paid, reviewerFunded: r.funded }),
        hidden: r.hidden,
        reply:
          r.replyHash && r.replyAtMs !== null ? { text: texts.get(r.replyHash) ?? null, textHash: r.replyHash, atMs: r.replyAtMs } : null,
        txHash: r.txHash,
      };
    });
  }

  /** Whether an account's use of a component is verified on the chain (so it may review it). */
  async use(name: string, account: string): Promise<z.infer<typeof UseOut>> {
    const [[component], [usage], reviews] = await Promise.all([
      this.db.query<{ name: string }>('SELECT name FROM market_components WHERE name = $1', [name]),
      this.db.query<{ calls: number; installs: number; paid: string }>(
        'SELECT calls::float8 AS calls, installs, paid::text AS paid FROM market_account_usage WHERE component = $1 AND account = $2',
        [name, account],
      ),
      this.reviewRows('r.component = $1 AND r.reviewer = $2', [name, account]),
    ]);
    if (!component) throw new NodeError('NOT_FOUND', `No component is named ${name}; search the market for its name.`);
    const calls = usage?.calls ?? 0;
    const paid = usage?.paid ?? '0';
    const verified = calls > 0 || BigInt(paid) > 0n;
    return {
      verified,
      calls,
      installs: usage?.installs ?? 0,
      paid,
      reason: verified
        ? ''
        : 'No use of this component by this account is on the chain yet: install it into one of your applications and call it once (usage is recorded within a few seconds).',
      review: reviews[0] ?? null,
    };
  }
}

function formatAbt(amount: bigint): string {
  const whole = amount / 10n ** 18n;
  const frac = (amount % 10n ** 18n).toString().padStart(18, '0').replace(/0+$/, '').slice(0, 4);
  return frac ? `${whole}.${frac}` : whole.toString();
}

/** The node configuration an operator pastes to use an adapter (OCAP_CHAINS entry). */
function configSnippet(name: string, manifest: unknown): string {
  const m = (manifest ?? {}) as { chain?: unknown; adapter?: unknown };
  const chain = typeof m.chain === 'string' ? m.chain : name;
  const adapter = typeof m.adapter === 'string' ? m.adapter : name;
  return JSON.stringify({ chains: [{ id: chain, adapter, url: `<${chain} RPC URL>` }] }, null, 2);
}
