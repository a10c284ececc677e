/**
 * The marketplace's rank and developer reputation: pure functions of ledger data and recorded usage, so any node
 * (and any reader) recomputes the same numbers. The rules and why a flood of fresh accounts cannot move them are
 * written down in ./README.md; rank.test.ts holds them to it.
 */

/** The prior of the Bayesian average: a component starts as if it had PRIOR_WEIGHT reviews of PRIOR_STARS. */
export const RANK_PRIOR = { stars: 3.5, weight: 5 } as const;

/** Each part's share of the 100 points a component can earn; reports only take away. */
export const RANK_WEIGHTS = { rating: 0.4, usage: 0.3, recency: 0.1, reputation: 0.2 } as const;

/** Bounds and scales of the rank, named so the README and the tests read the same numbers. */
export const RANK_LIMITS = {
  /** A reviewer's calls reach full weight at this many (log scale). */
  fullWeightCalls: 1000,
  /** Weight of a review by an account that paid for the component. */
  paidReviewWeight: 1.5,
  /** Weight of a review by a funded account that called the component once. */
  minUseWeight: 0.2,
  /** Free calls over 30 days that fill the free half of the usage part (log scale). */
  freeCallsFull: 1_000_000,
  /** Paying applications that fill the paid half (log scale). */
  payingApplicationsFull: 500,
  /** Share of the usage part that free use can fill; the rest needs paying applications. */
  freeUsageShare: 0.4,
  /** Half-life of recency, days since the latest version. */
  recencyHalfLifeDays: 120,
  /** Points lost per upheld report, and the most reports can take. */
  reportPenaltyPoints: 10,
  reportPenaltyMax: 40,
} as const;

const DAY_MS = 86_400_000;

/** An account counts as funded for reviewing when it holds at least this much ABT (smallest unit): 1 ABT. */
export const REVIEWER_FUNDED_MIN = 10n ** 18n;

export interface RankReview {
  stars: number;
  /** Hidden by an upheld report: shown struck through, weighs nothing. */
  hidden: boolean;
  /** The reviewer's verified use of this component: calls and ABT paid (from the ledger's usage entry). */
  reviewerCalls: number;
  reviewerPaid: bigint;
  /**
   * Whether the reviewer holds at least REVIEWER_FUNDED_MIN now (see README): an account that holds nothing
   * and paid nothing carries no weight, so accounts made for free cannot rate.
   */
  reviewerFunded: boolean;
}

export interface RankUsage {
  /** Calls over the last 30 days, all applications. */
  calls30d: number;
  /** Of those, calls by applications that paid for the component. */
  paidCalls30d: number;
  /** Distinct applications that called it over the last 30 days. */
  applications: number;
  /** Distinct applications that paid for it over the last 30 days. */
  payingApplications: number;
  installs: number;
}

export interface RankInput {
  reviews: RankReview[];
  usage: RankUsage;
  lastPublishedMs: number;
  nowMs: number;
  /** The owner's reputation, 0 to 1 (developerReputation). */
  authorReputation: number;
  upheldReports: number;
}

export type RankPartName = 'rating' | 'usage' | 'recency' | 'reputation' | 'reports';

export interface RankPart {
  part: RankPartName;
  /** What this part adds to the score (reports: 0 or less). */
  points: number;
  weight: number;
  explanation: string;
}

export interface RankResult {
  /** The sum of the parts' points, rounded to two decimals: at most 100. */
  score: number;
  parts: RankPart[];
  /** The plain weighted average of the counted reviews (what a card shows), null with none. */
  ratingAverage: number | null;
  /** Reviews that carry weight. */
  ratingCount: number;
}

const round2 = (x: number) => Math.round(x * 100) / 100;
const clamp01 = (x: number) => Math.min(1, Math.max(0, x));
const logShare = (value: number, full: number) => clamp01(Math.log10(1 + Math.max(0, value)) / Math.log10(1 + full));

/** The weight one review carries: 0 when hidden or without verified use, more for more use, most for payment. */
export function reviewWeight(review: RankReview): number {
  if (review.hidden) return 0;
  if (review.reviewerPaid > 0n) return RANK_LIMITS.paidReviewWeight;
  if (review.reviewerCalls <= 0 || !review.reviewerFunded) return 0;
  return Math.max(RANK_LIMITS.minUseWeight, logShare(review.reviewerCalls, RANK_LIMITS.fullWeightCalls));
}

/** The Bayesian average of the reviews (prior RANK_PRIOR), with the total weight and the plain average. */
export function bayesianRating(reviews: RankReview[]): { bayesian: number; average: number | null; weight: number; count: number } {
  let weight = 0;
  let sum = 0;
  let count = 0;
  for (const review of reviews) {
    const w = reviewWeight(review);
    if (w === 0) continue;
    weight += w;
    sum += w * review.stars;
    count += 1;
  }
  const bayesian = (RANK_PRIOR.stars * RANK_PRIOR.weight + sum) / (RANK_PRIOR.weight + weight);
  return { bayesian, average: count === 0 ? null : sum / weight, weight, count };
}

/** The usage part's share, 0 to 1: free use fills at most freeUsageShare of it; the rest takes paying applications. */
export function usageShare(usage: RankUsage): number {
  const freeCalls = Math.max(0, usage.calls30d - usage.paidCalls30d);
  const free = logShare(freeCalls + 10 * usage.applications, RANK_LIMITS.freeCallsFull);
  const paid = logShare(usage.payingApplications + usage.paidCalls30d / 1000, RANK_LIMITS.payingApplicationsFull);
  return RANK_LIMITS.freeUsageShare * free + (1 - RANK_LIMITS.freeUsageShare) * paid;
}

/** One component's score and its parts. */
export function rankComponent(input: RankInput): RankResult {
  const rating = bayesianRating(input.reviews);
  const usage = usageShare(input.usage);
  const ageDays = Math.max(0, (input.nowMs - input.lastPublishedMs) / DAY_MS);
  const recency = 0.5 ** (ageDays / RANK_LIMITS.recencyHalfLifeDays);
  const reputation = clamp01(input.authorReputation);
  const penalty = Math.min(RANK_LIMITS.reportPenaltyMax, RANK_LIMITS.reportPenaltyPoints * Math.max(0, input.upheldReports));
  const W = RANK_WEIGHTS;
  const parts: RankPart[] = [
    {
      part: 'rating',
      points: round2(100 * W.rating * ((rating.bayesian - 1) / 4)),
      weight: W.rating,
      explanation:
        rating.count === 0
          ? `No verified reviews yet: the prior of ${RANK_PRIOR.stars} stars counts as ${RANK_PRIOR.weight} reviews`
          : `Bayesian average ${rating.bayesian.toFixed(2)} stars from ${rating.count} verified review${rating.count === 1 ? '' : 's'} (weight ${rating.weight.toFixed(1)}) and a prior of ${RANK_PRIOR.stars} stars × ${RANK_PRIOR.weight}`,
    },
    {
      part: 'usage',
      points: round2(100 * W.usage * usage),
      weight: W.usage,
      explanation: `${input.usage.calls30d.toLocaleString('en-US')} calls in 30 days from ${input.usage.applications} application${input.usage.applications === 1 ? '' : 's'}, ${input.usage.payingApplications} paying (log scale; paid use counts most)`,
    },
    {
      part: 'recency',
      points: round2(100 * W.recency * recency),
      weight: W.recency,
      explanation: `Latest version ${Math.floor(ageDays)} day${Math.floor(ageDays) === 1 ? '' : 's'} old (halves every ${RANK_LIMITS.recencyHalfLifeDays} days)`,
    },
    {
      part: 'reputation',
      points: round2(100 * W.reputation * reputation),
      weight: W.reputation,
      explanation: `The author's reputation is ${Math.round(reputation * 100)} of 100`,
    },
    {
      part: 'reports',
      points: -penalty,
      weight: 0,
      explanation:
        input.upheldReports === 0
          ? 'No upheld abuse reports'
          : `${input.upheldReports} upheld abuse report${input.upheldReports === 1 ? '' : 's'} (−${RANK_LIMITS.reportPenaltyPoints} each, at most −${RANK_LIMITS.reportPenaltyMax})`,
    },
  ];
  const score = round2(parts.reduce((sum, p) => sum + p.points, 0));
  return {
    score,
    parts,
    ratingAverage: rating.average === null ? null : round2(rating.average),
    ratingCount: rating.count,
  };
}

/** What a developer's reputation is computed from. */
export interface ReputationInput {
  /** The developer's bonded stake (which backs its component names) plus stakes old names locked, smallest unit. */
  stake: bigint;
  /** The rating of each of their components (plain weighted average and count of counted reviews). */
  componentRatings: { average: number | null; count: number }[];
  /** Calls to all their components over 30 days. */
  calls30d: number;
  payingApplications: number;
  accountAgeDays: number;
  upheldReports: number;
}

export interface ReputationResult {
  /** 0 to 1. */
  reputation: number;
  verifiedPublisher: boolean;
  parts: { part: string; points: number; explanation: string }[];
}

/** Reputation's parts, in points of 100. */
export const REPUTATION_WEIGHTS = { stake: 20, ratings: 35, usage: 25, age: 20 } as const;

export const REPUTATION_LIMITS = {
  /** Stake (in whole ABT) that fills the stake part (log scale). */
  stakeFullAbt: 100,
  accountAgeFullDays: 365,
  callsFull: 1_000_000,
  reportPenaltyPoints: 15,
  /** A verified publisher has at least this reputation and no upheld report. */
  verifiedReputationMin: 0.45,
} as const;

const ABT = 10n ** 18n;

/** A developer's reputation and its parts. */
export function developerReputation(input: ReputationInput): ReputationResult {
  const W = REPUTATION_WEIGHTS;
  const L = REPUTATION_LIMITS;
  const stakeAbt = Number(input.stake / (ABT / 1000n)) / 1000;
  let weight = 0;
  let sum = 0;
  for (const r of input.componentRatings) {
    if (r.average === null || r.count === 0) continue;
    weight += r.count;
    sum += r.count * r.average;
  }
  const bayesian = (RANK_PRIOR.stars * RANK_PRIOR.weight + sum) / (RANK_PRIOR.weight + weight);
  const usageInput = input.calls30d + 100 * input.payingApplications;
  const parts = [
    {
      part: 'stake',
      points: round2(W.stake * logShare(stakeAbt, L.stakeFullAbt)),
      explanation: `${stakeAbt.toLocaleString('en-US')} ABT bonded behind component names`,
    },
    {
      part: 'ratings',
      points: round2(W.ratings * ((bayesian - 1) / 4)),
      explanation: `Their components average ${bayesian.toFixed(2)} stars over ${weight} verified review${weight === 1 ? '' : 's'} (prior ${RANK_PRIOR.stars} × ${RANK_PRIOR.weight})`,
    },
    {
      part: 'usage',
      points: round2(W.usage * logShare(usageInput, L.callsFull)),
      explanation: `${input.calls30d.toLocaleString('en-US')} calls in 30 days, ${input.payingApplications} paying application${input.payingApplications === 1 ? '' : 's'}`,
    },
    {
      part: 'age',
      points: round2(W.age * clamp01(input.accountAgeDays / L.accountAgeFullDays)),
      explanation: `Account ${Math.floor(input.accountAgeDays)} day${Math.floor(input.accountAgeDays) === 1 ? '' : 's'} old`,
    },
    {
      part: 'reports',
      points: -L.reportPenaltyPoints * Math.max(0, input.upheldReports),
      explanation: input.upheldReports === 0 ? 'No upheld abuse reports' : `${input.upheldReports} upheld abuse report(s)`,
    },
  ];
  const reputation = clamp01(parts.reduce((s, p) => s + p.points, 0) / 100);
  return {
    reputation: round2(reputation),
    verifiedPublisher: reputation >= L.verifiedReputationMin && input.upheldReports === 0,
    parts,
  };
}
