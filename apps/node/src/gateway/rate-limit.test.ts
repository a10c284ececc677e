import { describe, expect, it } from 'vitest';
import { KeyedBuckets } from './rate-limit.ts';

describe('keyed token buckets', () => {
  it('refuses a new key while the table is full of keys still refilling (fails closed)', () => {
    const buckets = new KeyedBuckets(1, 2, 3);
    for (const key of ['a', 'b', 'c']) expect(buckets.take(key, 0)).toBe(true);
    expect(buckets.take('newcomer', 100)).toBe(false);
    expect(buckets.size).toBe(3);
    // Keys already in the table keep their own budget.
    expect(buckets.take('a', 100)).toBe(true);
  });

  it('forgets buckets that refilled, so service resumes for new keys', () => {
    const buckets = new KeyedBuckets(1, 2, 3);
    for (const key of ['a', 'b', 'c']) expect(buckets.take(key, 0)).toBe(true);
    expect(buckets.take('newcomer', 0)).toBe(false);
    // One token refills in 1 s: every bucket is full again and carries nothing worth keeping.
    expect(buckets.take('newcomer', 1000)).toBe(true);
    expect(buckets.size).toBe(1);
  });

  it('does not grow with idle keys even when the table never fills', () => {
    const buckets = new KeyedBuckets(10, 1, 1000);
    for (let i = 0; i < 500; i++) expect(buckets.take(`caller-${i}`, i * 1000)).toBe(true);
    expect(buckets.size).toBe(1);
  });

  it('still limits a key over its rate', () => {
    const buckets = new KeyedBuckets(1, 2, 10);
    expect([buckets.take('a', 0), buckets.take('a', 0), buckets.take('a', 0)]).toEqual([true, true, false]);
    expect(buckets.take('a', 1000)).toBe(true);
  });
});
