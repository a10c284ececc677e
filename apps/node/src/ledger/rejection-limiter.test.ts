import { describe, expect, it } from 'vitest';
import { RejectionLimiter } from './rejection-limiter.ts';

function limiter(keysMax = 100) {
  const clock = { nowMs: 0 };
  const limits = { burstMax: 3, refillPerMinute: 6, keysMax };
  return { clock, limiter: new RejectionLimiter(limits, () => clock.nowMs) };
}

describe('rejection limiter', () => {
  it('stores rejections up to the burst, counts the rest, and says when the sender may try again', () => {
    const { clock, limiter: l } = limiter();
    expect([1, 2, 3, 4, 5].map(() => l.charge('account:a'))).toEqual([true, true, true, false, false]);
    expect(l.unrecordedCount).toBe(2);
    // One token every 10 s at 6 per minute.
    expect(l.retryAfterMs('account:a')).toBe(10_000);
    clock.nowMs = 4_000;
    expect(l.retryAfterMs('account:a')).toBe(6_000);
    clock.nowMs = 10_000;
    expect(l.retryAfterMs('account:a')).toBe(0);
    expect(l.charge('account:a')).toBe(true);
  });

  it('keeps one sender’s flood off another’s budget', () => {
    const { limiter: l } = limiter();
    for (let i = 0; i < 10; i++) l.charge('account:a');
    expect(l.retryAfterMs('account:b')).toBe(0);
    expect(l.charge('account:b')).toBe(true);
  });

  it('gives back the charges of a block that failed to commit', () => {
    const { limiter: l } = limiter();
    for (let i = 0; i < 3; i++) l.charge('account:a');
    l.refund(['account:a', 'account:a']);
    expect([l.charge('account:a'), l.charge('account:a'), l.charge('account:a')]).toEqual([true, true, false]);
  });

  it('fails closed when its table is full: new senders are refused until old buckets have refilled', () => {
    const { clock, limiter: l } = limiter(2);
    l.charge('account:a');
    l.charge('account:b');
    expect(l.charge('account:c')).toBe(false);
    expect(l.retryAfterMs('account:c')).toBeGreaterThan(0);
    expect(l.size).toBe(2);
    clock.nowMs = 60_000;
    expect(l.charge('account:c')).toBe(true);
    expect(l.size).toBeLessThanOrEqual(2);
  });
});
