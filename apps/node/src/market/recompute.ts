import { decodeStake } from '@arc/core';
import type { Database, Sql } from '../db/client.ts';
import { developerReputation, type RankReview, type RankUsage, REVIEWER_FUNDED_MIN, rankComponent } from './rank.ts';

const DAY_MS = 86_400_000;

interface ComponentRow {
  name: string;
  owner: string;
  updatedAtMs: number;
  publishedAtMs: number;
  installs: number;
  upheldReports: number;
  /** ABT the first publish locked on the component under the old rule (0 for names a bond backs). */
  stake: string;
}

/** Inputs of the rank that the read model holds, per component. */
export interface RankInputs {
  components: ComponentRow[];
  reviews: Map<string, RankReview[]>;
  usage: Map<string, RankUsage>;
  /** Each owner's bonded stake (the chain's stake entry), which backs its component names. */
  bonded: Map<string, bigint>;
}

export async function readRankInputs(db: Database, nowMs: number, names: string[] | null = null): Promise<RankInputs> {
  const since = Math.floor(nowMs / DAY_MS) - 29;
  const filter = names === null ? '' : 'WHERE c.name = ANY($1::text[])';
  const params = names === null ? [] : [names];
  // For every component: one transaction with hash joins and room to aggregate in memory. Left to its statistics
  // after a review flood, the planner looked up usage once per review (100,000 index scans, 1.8 s on PGlite) and
  // spilled the aggregate to disk. A few names (a developer's page) keep the default plan: index lookups.
  const read = (sql: Sql) =>
    Promise.all([readComponents(sql, filter, params), readReviews(sql, names, params), readUsage(sql, names, params, since)]);
  const [components, reviews, usage] =
    names === null
      ? await db.transaction(async (sql) => {
          await sql.query(`SET LOCAL work_mem = '${RANK_READ_WORK_MEM}'`);
          await sql.query('SET LOCAL enable_nestloop = off');
          return read(sql);
        })
      : await read(db);
  return assembleInputs(components, reviews, usage, await readBonded(db, components));
}

/** The bonded stake of every owner of the components, from the ledger's stake entries. */
async function readBonded(db: Database, components: ComponentRow[]): Promise<Map<string, bigint>> {
  const owners = [...new Set(components.map((c) => c.owner))];
  const rows = await db.query<{ value: Uint8Array }>('SELECT value FROM stakes WHERE did = ANY($1::text[])', [owners]);
  return new Map(rows.map((r) => decodeStake(new Uint8Array(r.value))).map((s) => [s.did, s.bonded]));
}

/** Memory for the full read's hashes and aggregates (the default 4 MB spilled 10,000 components' reviews to disk). */
const RANK_READ_WORK_MEM = '64MB';

function readComponents(sql: Sql, filter: string, params: unknown[]) {
  return sql.query<ComponentRow>(
    `SELECT c.name, c.owner, c.updated_at_ms::float8 AS "updatedAtMs", c.published_at_ms::float8 AS "publishedAtMs", c.installs,
       c.upheld_reports AS "upheldReports", c.stake::text AS stake FROM market_components c ${filter}`,
    params,
  );
}

interface ReviewArrays {
  component: string;
  stars: number[];
  hidden: boolean[];
  calls: number[];
  paid: string[];
  funded: boolean[];
}

/**
 * One row per component with its reviews as parallel arrays: 100,000 review rows cost seconds to hand over from
 * PGlite, 10,000 rows of arrays a fraction of that.
 */
function readReviews(sql: Sql, names: string[] | null, params: unknown[]) {
  return sql.query<ReviewArrays>(
    `SELECT r.component, array_agg(r.stars) AS stars, array_agg(r.hidden) AS hidden, array_agg(coalesce(u.calls, 0)::float8) AS calls,
       array_agg(coalesce(u.paid, 0)::text) AS paid, array_agg(coalesce(a.balance >= $${params.length + 1}::numeric, false)) AS funded
     FROM market_reviews r LEFT JOIN market_account_usage u ON u.component = r.component AND u.account = r.reviewer
     LEFT JOIN accounts a ON a.did = r.reviewer ${names === null ? '' : 'WHERE r.component = ANY($1::text[])'}
     GROUP BY r.component`,
    [...params, REVIEWER_FUNDED_MIN.toString()],
  );
}

interface UsageRow {
  component: string;
  calls: number;
  paidCalls: number;
  applications: number;
  payingApplications: number;
}

function readUsage(sql: Sql, names: string[] | null, params: unknown[], since: number) {
  return sql.query<UsageRow>(
    `SELECT component, sum(calls)::float8 AS calls, coalesce(sum(calls) FILTER (WHERE paid > 0), 0)::float8 AS "paidCalls",
       count(DISTINCT application)::int AS applications, count(DISTINCT application) FILTER (WHERE paid > 0)::int AS "payingApplications"
     FROM market_usage_daily WHERE day >= $${params.length + 1} ${names === null ? '' : 'AND component = ANY($1::text[])'} GROUP BY component`,
    [...params, since],
  );
}

function assembleInputs(components: ComponentRow[], reviews: ReviewArrays[], usage: UsageRow[], bonded: Map<string, bigint>): RankInputs {
  const byComponent = new Map<string, RankReview[]>();
  for (const r of reviews) {
    byComponent.set(
      r.component,
      r.stars.map((stars, i) => ({
        stars,
        hidden: r.hidden[i] === true,
        reviewerCalls: r.calls[i] ?? 0,
        reviewerPaid: BigInt(r.paid[i] ?? '0'),
        reviewerFunded: r.funded[i] === true,
      })),
    );
  }
  const usageOf = new Map<string, RankUsage>();
  for (const u of usage) {
    usageOf.set(u.component, {
      calls30d: u.calls,
      paidCalls30d: u.paidCalls,
      applications: u.applications,
      payingApplications: u.payingApplications,
      installs: 0,
    });
  }
  return { components, reviews: byComponent, usage: usageOf, bonded };
}

export interface ComputedRank {
  name: string;
  score: number;
  parts: ReturnType<typeof rankComponent>['parts'];
  ratingAverage: number | null;
  ratingCount: number;
  calls30d: number;
  verifiedPublisher: boolean;
}

/** The rank of every component and the reputation of every owner, from the inputs (pure). */
export function computeRanks(
  inputs: RankInputs,
  nowMs: number,
): { ranks: ComputedRank[]; reputations: Map<string, ReturnType<typeof developerReputation>> } {
  const empty: RankUsage = { calls30d: 0, paidCalls30d: 0, applications: 0, payingApplications: 0, installs: 0 };
  const usageOf = (c: ComponentRow): RankUsage => ({ ...(inputs.usage.get(c.name) ?? empty), installs: c.installs });
  // Ratings first (they do not depend on reputation), then each owner's reputation, then the rank with it.
  const first = new Map(
    inputs.components.map((c) => [
      c.name,
      rankComponent({
        reviews: inputs.reviews.get(c.name) ?? [],
        usage: usageOf(c),
        lastPublishedMs: c.updatedAtMs,
        nowMs,
        authorReputation: 0,
        upheldReports: c.upheldReports,
      }),
    ]),
  );
  const owners = new Map<string, ComponentRow[]>();
  for (const c of inputs.components) owners.set(c.owner, [...(owners.get(c.owner) ?? []), c]);
  const reputations = new Map<string, ReturnType<typeof developerReputation>>();
  for (const [owner, list] of owners) {
    const firstMs = Math.min(...list.map((c) => c.publishedAtMs));
    reputations.set(
      owner,
      developerReputation({
        // The owner's bond backs its names; names published under the old rule still carry their locked stake.
        stake: list.reduce((sum, c) => sum + BigInt(c.stake), inputs.bonded.get(owner) ?? 0n),
        componentRatings: list.map((c) => {
          const r = first.get(c.name);
          return { average: r?.ratingAverage ?? null, count: r?.ratingCount ?? 0 };
        }),
        calls30d: list.reduce((sum, c) => sum + usageOf(c).calls30d, 0),
        payingApplications: list.reduce((sum, c) => sum + usageOf(c).payingApplications, 0),
        accountAgeDays: Math.max(0, (nowMs - firstMs) / DAY_MS),
        upheldReports: list.reduce((sum, c) => sum + c.upheldReports, 0),
      }),
    );
  }
  const ranks = inputs.components.map((c) => {
    const reputation = reputations.get(c.owner);
    const result = rankComponent({
      reviews: inputs.reviews.get(c.name) ?? [],
      usage: usageOf(c),
      lastPublishedMs: c.updatedAtMs,
      nowMs,
      authorReputation: reputation?.reputation ?? 0,
      upheldReports: c.upheldReports,
    });
    return {
      name: c.name,
      score: result.score,
      parts: result.parts,
      ratingAverage: result.ratingAverage,
      ratingCount: result.ratingCount,
      calls30d: usageOf(c).calls30d,
      verifiedPublisher: reputation?.verifiedPublisher ?? false,
    };
  });
  return { ranks, reputations };
}

/**
 * Recomputes every component's rank: three set-based reads, one pass of rankComponent, and one write of the rows
 * whose rank, rating, usage or mark changed (rewriting an unchanged row costs as much as a changed one, index
 * entries included). The time of the recompute is stamped on the index's meta row.
 */
export async function recomputeAll(
  db: Database,
  nowMs: number,
): Promise<{ components: number; written: number; reputations: Map<string, ReturnType<typeof developerReputation>> }> {
  const { ranks, reputations } = computeRanks(await readRankInputs(db, nowMs), nowMs);
  const written = await db.transaction(async (sql) => {
    const changed =
      ranks.length === 0
        ? []
        : await sql.query(
            `UPDATE market_components c SET rank_score = u.score, rank_parts = u.parts, rating_average = u.average, rating_count = u.count,
               calls_30d = u.calls, verified_publisher = u.verified = 'true'
             FROM unnest($1::text[], $2::float8[], $3::jsonb[], $4::float8[], $5::int[], $6::bigint[], $7::text[])
               AS u(name, score, parts, average, count, calls, verified)
             WHERE c.name = u.name AND (c.rank_score, c.rank_parts, c.rating_average, c.rating_count, c.calls_30d, c.verified_publisher)
               IS DISTINCT FROM (u.score, u.parts, u.average, u.count, u.calls, u.verified = 'true')
             RETURNING c.name`,
            [
              ranks.map((r) => r.name),
              ranks.map((r) => r.score),
              ranks.map((r) => JSON.stringify(r.parts)),
              ranks.map((r) => r.ratingAverage),
              ranks.map((r) => r.ratingCount),
              ranks.map((r) => r.calls30d),
              // Text, not bool[]: postgres.js sends a JS boolean array as one boolean.
              ranks.map((r) => (r.verifiedPublisher ? 'true' : 'false')),
            ],
          );
    await sql.query(
      `INSERT INTO market_index_meta (id, height, ranks_computed_at_ms) VALUES (1, 0, $1)
       ON CONFLICT (id) DO UPDATE SET ranks_computed_at_ms = EXCLUDED.ranks_computed_at_ms`,
      [nowMs],
    );
    return changed.length;
  });
  return { components: ranks.length, written, reputations };
}
