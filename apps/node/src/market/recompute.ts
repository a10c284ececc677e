import type { Database } from '../db/client.ts';
import { developerReputation, type RankReview, type RankUsage, REVIEWER_FUNDED_MIN, rankComponent } from './rank.ts';

const DAY_MS = 86_400_000;

interface ComponentRow {
  name: string;
  owner: string;
  updatedAtMs: number;
  publishedAtMs: number;
  installs: number;
  upheldReports: number;
  stake: string;
}

/** Inputs of the rank that the read model holds, per component. */
export interface RankInputs {
  components: ComponentRow[];
  reviews: Map<string, RankReview[]>;
  usage: Map<string, RankUsage>;
}

export async function readRankInputs(db: Database, nowMs: number, names: string[] | null = null): Promise<RankInputs> {
  const since = Math.floor(nowMs / DAY_MS) - 29;
  const filter = names === null ? '' : 'WHERE c.name = ANY($1::text[])';
  const params = names === null ? [] : [names];
  const [components, reviews, usage] = await Promise.all([
    db.query<ComponentRow>(
      `SELECT c.name, c.owner, c.updated_at_ms::float8 AS "updatedAtMs", c.published_at_ms::float8 AS "publishedAtMs", c.installs,
         c.upheld_reports AS "upheldReports", c.stake::text AS stake FROM market_components c ${filter}`,
      params,
    ),
    db.query<{ component: string; stars: number; hidden: boolean; calls: number; paid: string; funded: boolean }>(
      `SELECT r.component, r.stars, r.hidden, coalesce(u.calls, 0)::float8 AS calls, coalesce(u.paid, 0)::text AS paid,
         coalesce(a.balance >= $${params.length + 1}::numeric, false) AS funded
       FROM market_reviews r LEFT JOIN market_account_usage u ON u.component = r.component AND u.account = r.reviewer
       LEFT JOIN accounts a ON a.did = r.reviewer ${names === null ? '' : 'WHERE r.component = ANY($1::text[])'}`,
      [...params, REVIEWER_FUNDED_MIN.toString()],
    ),
    db.query<{ component: string; calls: number; paidCalls: number; applications: number; payingApplications: number }>(
      `SELECT component, sum(calls)::float8 AS calls, coalesce(sum(calls) FILTER (WHERE paid > 0), 0)::float8 AS "paidCalls",
         count(DISTINCT application)::int AS applications, count(DISTINCT application) FILTER (WHERE paid > 0)::int AS "payingApplications"
       FROM market_usage_daily WHERE day >= $${params.length + 1} ${names === null ? '' : 'AND component = ANY($1::text[])'} GROUP BY component`,
      [...params, since],
    ),
  ]);
  const byComponent = new Map<string, RankReview[]>();
  for (const r of reviews) {
    const list = byComponent.get(r.component) ?? [];
    list.push({ stars: r.stars, hidden: r.hidden, reviewerCalls: r.calls, reviewerPaid: BigInt(r.paid), reviewerFunded: r.funded });
    byComponent.set(r.component, list);
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
  return { components, reviews: byComponent, usage: usageOf };
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
        stake: list.reduce((sum, c) => sum + BigInt(c.stake), 0n),
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

/** Recomputes and stores every component's rank: three set-based reads, one pass of rankComponent, one write. */
export async function recomputeAll(
  db: Database,
  nowMs: number,
): Promise<{ components: number; reputations: Map<string, ReturnType<typeof developerReputation>> }> {
  const { ranks, reputations } = computeRanks(await readRankInputs(db, nowMs), nowMs);
  if (ranks.length === 0) return { components: 0, reputations };
  await db.query(
    `UPDATE market_components c SET rank_score = u.score, rank_parts = u.parts, rating_average = u.average, rating_count = u.count,
       calls_30d = u.calls, verified_publisher = u.verified = 'true', rank_computed_at_ms = $8
     FROM unnest($1::text[], $2::float8[], $3::jsonb[], $4::float8[], $5::int[], $6::bigint[], $7::text[])
       AS u(name, score, parts, average, count, calls, verified)
     WHERE c.name = u.name`,
    [
      ranks.map((r) => r.name),
      ranks.map((r) => r.score),
      ranks.map((r) => JSON.stringify(r.parts)),
      ranks.map((r) => r.ratingAverage),
      ranks.map((r) => r.ratingCount),
      ranks.map((r) => r.calls30d),
      ranks.map((r) => (r.verifiedPublisher ? 'true' : 'false')),
      nowMs,
    ],
  );
  return { components: ranks.length, reputations };
}
