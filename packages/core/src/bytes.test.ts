import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromUtf8, utf8 } from './bytes.ts';

describe('UTF-8 text', () => {
  it('round-trips every well-formed string, a leading byte order mark included', () => {
    expect(fromUtf8(utf8('\uFEFFmemo'))).toBe('\uFEFFmemo');
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (text) => fromUtf8(utf8(text)) === text));
  });

  it('refuses bytes that are not UTF-8', () => {
    expect(() => fromUtf8(new Uint8Array([0xff, 0xfe]))).toThrow();
  });
});
