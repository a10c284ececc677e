import { describe, expect, it } from 'vitest';
import { BoundedCache } from './bounded-cache.ts';

describe('BoundedCache', () => {
  it('never holds more than its bound, dropping the least recently used entry', () => {
    const cache = new BoundedCache<string, number>(3);
    for (const [n, key] of ['a', 'b', 'c'].entries()) cache.set(key, n);
    expect(cache.get('a')).toBe(0); // a is now the most recent
    cache.set('d', 3);
    expect(cache.size).toBe(3);
    expect(cache.get('b')).toBeUndefined();
    expect([cache.get('a'), cache.get('c'), cache.get('d')]).toEqual([0, 2, 3]);
    for (let n = 0; n < 10_000; n += 1) cache.set(`k${n}`, n);
    expect(cache.size).toBe(3);
  });
});
