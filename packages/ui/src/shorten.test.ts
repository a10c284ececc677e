import { describe, expect, it } from 'vitest';
import { shortenDid, shortenMiddle } from './shorten.ts';

describe('shortenMiddle', () => {
  it('keeps the head and the tail of a long value', () => {
    expect(shortenMiddle('a'.repeat(8) + 'x'.repeat(50) + 'b'.repeat(6))).toBe('aaaaaaaa…bbbbbb');
  });

  it('returns a value that would not get shorter unchanged', () => {
    expect(shortenMiddle('0123456789abcde')).toBe('0123456789abcde');
    expect(shortenMiddle('short')).toBe('short');
  });
});

describe('shortenDid', () => {
  it('keeps the DID method prefix and a few characters of the body', () => {
    expect(shortenDid('did:abt:z1Ys4fPSpDBuTeVhk6XLbsoG8CEuJemxdf2')).toBe('did:abt:z1Ys4f…emxdf2');
  });

  it('treats a value without a DID prefix as a plain identifier', () => {
    expect(shortenDid('z1Ys4fPSpDBuTeVhk6XLbsoG8CEuJemxdf2')).toBe('z1Ys4f…emxdf2');
  });
});
