import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatAmount } from './format-amount.ts';

const abt = 10n ** 18n;

describe('formatAmount', () => {
  it('shows a whole number of tokens without a fraction', () => {
    expect(formatAmount(1_000_000_000n * abt, 18)).toBe('1,000,000,000');
    expect(formatAmount('0', 18)).toBe('0');
  });

  it('keeps every digit of the smallest unit, with trailing zeros dropped', () => {
    expect(formatAmount('1500000000000000000', 18)).toBe('1.5');
    expect(formatAmount('1', 18)).toBe('0.000000000000000001');
    expect(formatAmount(1_234_567n * abt + 1n, 18)).toBe('1,234,567.000000000000000001');
  });

  it('is exact where a float would round', () => {
    // 2^53 + 1 smallest units: a Number would print ...992.
    expect(formatAmount(9_007_199_254_740_993n, 0)).toBe('9,007,199,254,740,993');
    expect(formatAmount('123456789012345678901234567890', 18)).toBe('123,456,789,012.34567890123456789');
  });

  it('appends the symbol', () => {
    expect(formatAmount(25n * abt, 18, { symbol: 'ABT' })).toBe('25 ABT');
  });

  it('cuts, never rounds, when asked for fewer fraction digits, and marks the cut', () => {
    expect(formatAmount('1999999999999999999', 18, { maxFractionDigits: 4 })).toBe('1.9999…');
    expect(formatAmount('1000000000000000001', 18, { maxFractionDigits: 4 })).toBe('1…');
    expect(formatAmount('1250000000000000000', 18, { maxFractionDigits: 4 })).toBe('1.25');
  });

  it('formats negative amounts with a leading minus', () => {
    expect(formatAmount(-15n * 10n ** 17n, 18)).toBe('-1.5');
  });

  it('rejects what is not an integer in the smallest unit', () => {
    expect(() => formatAmount('1.5', 18)).toThrow(RangeError);
    expect(() => formatAmount('', 18)).toThrow(RangeError);
    expect(() => formatAmount('0x10', 18)).toThrow(RangeError);
    expect(() => formatAmount('1', -1)).toThrow(RangeError);
    expect(() => formatAmount('1', 1.5)).toThrow(RangeError);
  });

  it('round-trips: removing separators and the point gives back the amount', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 256n }), fc.integer({ min: 0, max: 30 }), (amount, decimals) => {
        const [whole = '', fraction = ''] = formatAmount(amount, decimals).replaceAll(',', '').split('.');
        expect(BigInt(whole + fraction.padEnd(decimals, '0'))).toBe(amount);
      }),
      { seed: 20_251_125, numRuns: 300 },
    );
  });
});
