import { describe, expect, it } from 'vitest';
import { formatTimeAgo } from './time-ago.ts';

const nowMs = 1_764_000_000_000;

describe('formatTimeAgo', () => {
  it('says how long ago in the largest whole unit', () => {
    expect(formatTimeAgo(nowMs - 12_400, nowMs)).toBe('12s ago');
    expect(formatTimeAgo(nowMs - 3 * 60_000 - 59_000, nowMs)).toBe('3m ago');
    expect(formatTimeAgo(nowMs - 5 * 3_600_000, nowMs)).toBe('5h ago');
    expect(formatTimeAgo(nowMs - 2 * 86_400_000, nowMs)).toBe('2d ago');
  });

  it('says "just now" under a second and for times in the future (clock skew)', () => {
    expect(formatTimeAgo(nowMs - 400, nowMs)).toBe('just now');
    expect(formatTimeAgo(nowMs + 5_000, nowMs)).toBe('just now');
  });
});
