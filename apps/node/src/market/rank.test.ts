import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bayesianRating,
  developerReputation,
  RANK_LIMITS,
  RANK_PRIOR,
  type RankInput,
  type RankReview,
  type RankUsage,
  type ReputationInput,
  rankComponent,
  reviewWeight,
} from './rank.ts';

const DAY_MS = 86_400_000;
const NOW = 1_780_000_000_000;

const reviewArb: fc.Arbitrary<RankReview> = fc.record({
  stars: fc.integer({ min: 1, max: 5 }),
  hidden: fc.boolean(),
  reviewerCalls: fc.integer({ min: 0, max: 1_000_000 }),
  reviewerPaid: fc.bigInt({ min: 0n, max: 10n ** 20n }),
  reviewerFunded: fc.boolean(),
});

const usageArb: fc.Arbitrary<RankUsage> = fc
  .record({
    calls30d: fc.integer({ min: 0, max: 10_000_000 }),
    paidShare: fc.double({ min: 0, max: 1, noNaN: true }),
    applications: fc.integer({ min: 0, max: 10_000 }),
    payingShare: fc.double({ min: 0, max: 1, noNaN: true }),
    installs: fc.integer({ min: 0, max: 10_000 }),
  })
  .map(({ calls30d, paidShare, applications, payingShare, installs }) => ({
    calls30d,
    paidCalls30d: Math.floor(calls30d * paidShare),
    applications,
    payingApplications: Math.floor(applications * payingShare),
    installs,
  }));

const inputArb: fc.Arbitrary<RankInput> = fc.record({
  reviews: fc.array(reviewArb, { maxLength: 40 }),
  usage: usageArb,
  lastPublishedMs: fc.integer({ min: NOW - 3 * 365 * DAY_MS, max: NOW }),
  nowMs: fc.constant(NOW),
  authorReputation: fc.double({ min: 0, max: 1, noNaN: true }),
  upheldReports: fc.integer({ min: 0, max: 10 }),
});

/** Reviews by accounts made for free: no ABT held, nothing paid, whatever calls their applications made. */
const sybilArb: fc.Arbitrary<RankReview[]> = fc.array(
  fc.record({
    stars: fc.integer({ min: 1, max: 5 }),
    hidden: fc.constant(false),
    reviewerCalls: fc.integer({ min: 0, max: 1_000_000 }),
    reviewerPaid: fc.constant(0n),
    reviewerFunded: fc.constant(false),
  }),
  { minLength: 1, maxLength: 2000 },
);

describe('rank', () => {
  it('is the sum of its parts, at most 100 and never below the report penalty floor', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const { score, parts } = rankComponent(input);
        const sum = parts.reduce((s, p) => s + p.points, 0);
        expect(score).toBeCloseTo(sum, 6);
        expect(score).toBeLessThanOrEqual(100);
        expect(score).toBeGreaterThanOrEqual(-RANK_LIMITS.reportPenaltyMax);
        expect(parts.map((p) => p.part)).toEqual(['rating', 'usage', 'recency', 'reputation', 'reports']);
      }),
    );
  });

  it('recomputes to the same score and parts from the same data', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const copy: RankInput = structuredClone(input);
        expect(rankComponent(copy)).toEqual(rankComponent(input));
      }),
    );
  });

  it('never falls when a counted review gives more stars', () => {
    fc.assert(
      fc.property(inputArb, fc.nat(), (input, pick) => {
        const counted = input.reviews.map((r, i) => [r, i] as const).filter(([r]) => reviewWeight(r) > 0 && r.stars < 5);
        fc.pre(counted.length > 0);
        const [review, index] = counted[pick % counted.length] as readonly [RankReview, number];
        const better = { ...input, reviews: input.reviews.map((r, i) => (i === index ? { ...review, stars: review.stars + 1 } : r)) };
        expect(rankComponent(better).score).toBeGreaterThanOrEqual(rankComponent(input).score);
        expect(bayesianRating(better.reviews).bayesian).toBeGreaterThan(bayesianRating(input.reviews).bayesian);
      }),
    );
  });

  it('never falls when verified usage grows: more calls, more applications, more paying applications', () => {
    const growthArb = fc.record({
      calls: fc.integer({ min: 0, max: 1_000_000 }),
      paidCalls: fc.integer({ min: 0, max: 1_000_000 }),
      applications: fc.integer({ min: 0, max: 1000 }),
      paying: fc.integer({ min: 0, max: 1000 }),
    });
    fc.assert(
      fc.property(inputArb, growthArb, (input, g) => {
        const u = input.usage;
        const grown: RankInput = {
          ...input,
          usage: {
            calls30d: u.calls30d + g.calls + g.paidCalls,
            paidCalls30d: u.paidCalls30d + g.paidCalls,
            applications: u.applications + g.applications + g.paying,
            payingApplications: u.payingApplications + g.paying,
            installs: u.installs,
          },
        };
        expect(rankComponent(grown).score).toBeGreaterThanOrEqual(rankComponent(input).score);
      }),
    );
  });

  it('gives reviews without verified use no weight at all', () => {
    const unusedArb = fc.array(
      fc.record({
        stars: fc.integer({ min: 1, max: 5 }),
        hidden: fc.boolean(),
        reviewerCalls: fc.constant(0),
        reviewerPaid: fc.constant(0n),
        reviewerFunded: fc.boolean(),
      }),
      { minLength: 1, maxLength: 200 },
    );
    fc.assert(
      fc.property(inputArb, unusedArb, (input, unused) => {
        const withUnused = { ...input, reviews: [...input.reviews, ...unused] };
        expect(rankComponent(withUnused)).toEqual(rankComponent(input));
      }),
    );
  });

  it('is not moved by a flood of reviews from unfunded accounts, however many and however they rate', () => {
    fc.assert(
      fc.property(inputArb, sybilArb, (input, flood) => {
        const flooded = { ...input, reviews: [...input.reviews, ...flood] };
        expect(rankComponent(flooded)).toEqual(rankComponent(input));
      }),
      { numRuns: 50 },
    );
  });

  it('lets a hidden review (upheld report) weigh nothing', () => {
    fc.assert(
      fc.property(inputArb, reviewArb, (input, review) => {
        const hidden = { ...input, reviews: [...input.reviews, { ...review, hidden: true }] };
        expect(rankComponent(hidden)).toEqual(rankComponent(input));
      }),
    );
  });

  it('counts a paying reviewer more than any free one', () => {
    const free: RankReview = { stars: 5, hidden: false, reviewerCalls: 10_000_000, reviewerPaid: 0n, reviewerFunded: true };
    expect(reviewWeight({ ...free, reviewerPaid: 1n })).toBeGreaterThan(reviewWeight(free));
    expect(reviewWeight({ ...free, reviewerCalls: 1 })).toBe(RANK_LIMITS.minUseWeight);
  });

  it('starts a component with no reviews at the prior', () => {
    const rating = bayesianRating([]);
    expect(rating.bayesian).toBe(RANK_PRIOR.stars);
    expect(rating.average).toBeNull();
  });

  it('lets free use fill at most its share of the usage part, so paying applications still separate components', () => {
    const base: RankInput = {
      reviews: [],
      usage: { calls30d: 0, paidCalls30d: 0, applications: 0, payingApplications: 0, installs: 0 },
      lastPublishedMs: NOW,
      nowMs: NOW,
      authorReputation: 0.5,
      upheldReports: 0,
    };
    const floodOfFree = rankComponent({ ...base, usage: { ...base.usage, calls30d: 10 ** 12, applications: 10 ** 6 } });
    const usage = floodOfFree.parts.find((p) => p.part === 'usage')?.points ?? 0;
    expect(usage).toBeCloseTo(100 * 0.3 * RANK_LIMITS.freeUsageShare, 6);
    const paying = rankComponent({
      ...base,
      usage: { ...base.usage, calls30d: 1000, paidCalls30d: 1000, applications: 20, payingApplications: 20 },
    });
    expect(paying.parts.find((p) => p.part === 'usage')?.points ?? 0).toBeGreaterThan(0);
  });

  it('takes points away for upheld reports, down to a floor', () => {
    const input: RankInput = {
      reviews: [],
      usage: { calls30d: 100, paidCalls30d: 0, applications: 2, payingApplications: 0, installs: 2 },
      lastPublishedMs: NOW,
      nowMs: NOW,
      authorReputation: 0.5,
      upheldReports: 0,
    };
    const clean = rankComponent(input).score;
    expect(rankComponent({ ...input, upheldReports: 1 }).score).toBeCloseTo(clean - RANK_LIMITS.reportPenaltyPoints, 6);
    expect(rankComponent({ ...input, upheldReports: 100 }).score).toBeCloseTo(clean - RANK_LIMITS.reportPenaltyMax, 6);
  });
});

const reputationArb: fc.Arbitrary<ReputationInput> = fc.record({
  stake: fc.bigInt({ min: 0n, max: 10n ** 21n }),
  componentRatings: fc.array(
    fc.record({ average: fc.option(fc.double({ min: 1, max: 5, noNaN: true }), { nil: null }), count: fc.integer({ min: 0, max: 500 }) }),
    { maxLength: 10 },
  ),
  calls30d: fc.integer({ min: 0, max: 10_000_000 }),
  payingApplications: fc.integer({ min: 0, max: 1000 }),
  accountAgeDays: fc.integer({ min: 0, max: 3000 }),
  upheldReports: fc.integer({ min: 0, max: 5 }),
});

describe('developer reputation', () => {
  it('stays between 0 and 1 and grows with stake, usage and account age', () => {
    fc.assert(
      fc.property(reputationArb, fc.bigInt({ min: 0n, max: 10n ** 20n }), fc.nat(100_000), fc.nat(400), (input, more, calls, days) => {
        const r = developerReputation(input).reputation;
        expect(r).toBeGreaterThanOrEqual(0);
        expect(r).toBeLessThanOrEqual(1);
        const grown = developerReputation({
          ...input,
          stake: input.stake + more,
          calls30d: input.calls30d + calls,
          accountAgeDays: input.accountAgeDays + days,
        }).reputation;
        expect(grown).toBeGreaterThanOrEqual(r);
      }),
    );
  });

  it('is never a verified publisher with an upheld report', () => {
    fc.assert(
      fc.property(reputationArb, (input) => {
        fc.pre(input.upheldReports > 0);
        expect(developerReputation(input).verifiedPublisher).toBe(false);
      }),
    );
  });

  it('makes an established, well-rated, staked developer verified and a new empty account not', () => {
    const established = developerReputation({
      stake: 10n * 10n ** 18n,
      componentRatings: [{ average: 4.6, count: 40 }],
      calls30d: 50_000,
      payingApplications: 12,
      accountAgeDays: 400,
      upheldReports: 0,
    });
    expect(established.verifiedPublisher).toBe(true);
    const fresh = developerReputation({
      stake: 0n,
      componentRatings: [],
      calls30d: 0,
      payingApplications: 0,
      accountAgeDays: 0,
      upheldReports: 0,
    });
    expect(fresh.verifiedPublisher).toBe(false);
  });
});
