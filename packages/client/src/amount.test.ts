import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatAmount, parseAmount } from './amount.ts';
import { ClientError } from './errors.ts';

const decimals = fc.integer({ min: 0, max: 36 });
const amount = fc.bigInt({ min: 0n, max: (1n << 256n) - 1n });

describe('parseAmount / formatAmount', () => {
  it('parses and formats exact examples', () => {
    expect(parseAmount('1.5', 18)).toBe(1_500_000_000_000_000_000n);
    expect(parseAmount('0.000001', 6)).toBe(1n);
    expect(parseAmount('1000000', 0)).toBe(1_000_000n);
    expect(parseAmount('007.10', 2)).toBe(710n);
    expect(formatAmount(1_500_000_000_000_000_000n, 18)).toBe('1.5');
    expect(formatAmount(1n, 18)).toBe('0.000000000000000001');
    expect(formatAmount(0n, 18)).toBe('0');
    expect(formatAmount(1_000_000n, 6)).toBe('1');
    expect(formatAmount(-150n, 2)).toBe('-1.5');
  });

  it('round-trips every amount at every precision (format then parse)', () => {
    fc.assert(fc.property(amount, decimals, (value, d) => parseAmount(formatAmount(value, d), d) === value));
  });

  it('round-trips every canonical decimal string (parse then format)', () => {
    fc.assert(
      fc.property(amount, decimals, (value, d) => {
        const text = formatAmount(value, d);
        return formatAmount(parseAmount(text, d), d) === text;
      }),
    );
  });

  it('rejects more fraction digits than the token has decimals', () => {
    expect(() => parseAmount('1.5', 0)).toThrow(/1 digits after the point; this token has 0 decimals/);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 20 }), (d) => {
        expect(() => parseAmount(`1.${'1'.repeat(d + 1)}`, d)).toThrow(ClientError);
      }),
    );
  });

  it('rejects garbage with BAD_INPUT', () => {
    for (const bad of ['', ' 1', '1 ', '-1', '+1', '1e3', '0x10', '1.', '.5', '1,5', '١', 'NaN', 'Infinity', '1.2.3', '9'.repeat(101)]) {
      expect(() => parseAmount(bad, 18), bad).toThrow(ClientError);
    }
    fc.assert(
      fc.property(
        fc.string().filter((s) => !/^\d+(\.\d+)?$/.test(s)),
        (s) => {
          try {
            parseAmount(s, 18);
            return false;
          } catch (error) {
            return error instanceof ClientError && error.code === 'BAD_INPUT';
          }
        },
      ),
    );
  });

  it('rejects impossible precisions', () => {
    expect(() => parseAmount('1', -1)).toThrow(/decimals/);
    expect(() => formatAmount(1n, 1.5)).toThrow(/decimals/);
    expect(() => formatAmount(1n, 37)).toThrow(/decimals/);
  });
});
