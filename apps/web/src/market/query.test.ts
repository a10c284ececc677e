import { describe, expect, it } from 'vitest';
import { type MarketQuery, parseMarketQuery, searchHref, serializeMarketQuery, withQuery } from './query.ts';

describe('the search URL', () => {
  it('round-trips a query with every field', () => {
    const query: MarketQuery = {
      q: 'oracle feed',
      kind: 'blocklet',
      category: 'oracles',
      price: 'paid',
      chain: 'ethereum',
      minRating: 4,
      verified: true,
      sort: 'rated',
      cursor: 'abc:12',
    };
    const search = serializeMarketQuery(query);
    expect(parseMarketQuery(new URLSearchParams(search))).toEqual(query);
    expect(search).toBe(
      'q=oracle+feed&kind=blocklet&category=oracles&price=paid&chain=ethereum&minRating=4&verified=1&sort=rated&cursor=abc%3A12',
    );
  });

  it('round-trips the empty query to the bare path', () => {
    expect(serializeMarketQuery({ q: '' })).toBe('');
    expect(parseMarketQuery({})).toEqual({ q: '' });
    expect(searchHref({})).toBe('/search');
    expect(searchHref({ q: 'oracel' })).toBe('/search?q=oracel');
  });

  it('ignores garbage parameters, keeping the good ones, and never throws', () => {
    const parsed = parseMarketQuery({
      q: ['  swap  ', 'second'],
      kind: 'spaceship',
      price: 'cheap',
      minRating: 'seven',
      verified: 'yes',
      sort: 'random',
      category: 'x'.repeat(500),
      chain: '',
      cursor: '   ',
      extra: 'ignored',
    });
    expect(parsed).toEqual({ q: 'swap' });
  });

  it('drops ratings outside 1 to 5 and fractions', () => {
    expect(parseMarketQuery({ minRating: '0' }).minRating).toBeUndefined();
    expect(parseMarketQuery({ minRating: '6' }).minRating).toBeUndefined();
    expect(parseMarketQuery({ minRating: '3.5' }).minRating).toBeUndefined();
    expect(parseMarketQuery({ minRating: '3' }).minRating).toBe(3);
  });

  it('cuts an overlong query to the node bound instead of failing', () => {
    expect(parseMarketQuery({ q: 'a'.repeat(1000) }).q).toHaveLength(200);
  });

  it('starts again at the first page when a filter changes, and keeps the cursor when only the page changes', () => {
    const query: MarketQuery = { q: 'oracle', kind: 'adapter', cursor: 'c1' };
    expect(withQuery(query, { price: 'free' })).toEqual({ q: 'oracle', kind: 'adapter', price: 'free' });
    expect(withQuery(query, { kind: undefined })).toEqual({ q: 'oracle' });
    expect(withQuery(query, { cursor: 'c2' })).toEqual({ q: 'oracle', kind: 'adapter', cursor: 'c2' });
  });
});
