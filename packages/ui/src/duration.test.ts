import { describe, expect, it } from 'vitest';
import { formatCountdown, formatDuration } from './duration.ts';

const S = 1000;
const MIN = 60 * S;
const H = 60 * MIN;
const D = 24 * H;

describe('formatDuration', () => {
  it('names a billing period or an unbonding delay in its largest unit', () => {
    expect(formatDuration(30 * D)).toBe('30 days');
    expect(formatDuration(7 * D)).toBe('7 days');
    expect(formatDuration(20 * S)).toBe('20 seconds');
    expect(formatDuration(1 * H)).toBe('1 hour');
    expect(formatDuration(1 * S)).toBe('1 second');
  });

  it('adds the next unit when it is not zero', () => {
    expect(formatDuration(90 * MIN)).toBe('1 hour 30 minutes');
    expect(formatDuration(D + 12 * H)).toBe('1 day 12 hours');
    expect(formatDuration(61 * S)).toBe('1 minute 1 second');
  });

  it('says less than a second for less', () => {
    expect(formatDuration(400)).toBe('less than a second');
  });
});

describe('formatCountdown', () => {
  it('counts down in the two largest units, rounded up to the second', () => {
    expect(formatCountdown(45 * S, 0)).toBe('45 s');
    expect(formatCountdown(3 * MIN + 20 * S, 0)).toBe('3 min 20 s');
    expect(formatCountdown(2 * H + 5 * MIN + 30 * S, 0)).toBe('2 h 5 min');
    expect(formatCountdown(6 * D + 23 * H, 0)).toBe('6 d 23 h');
    expect(formatCountdown(1500, 0)).toBe('2 s');
  });

  it('stops at 0 s', () => {
    expect(formatCountdown(1000, 1000)).toBe('0 s');
    expect(formatCountdown(1000, 5000)).toBe('0 s');
  });
});
