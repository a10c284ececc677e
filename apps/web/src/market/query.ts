import { z } from 'zod';

/**
 * The marketplace search as a URL: every filter lives in the query string, so a search can be shared and back/forward
 * walk through it. Parsing never throws: a parameter that makes no sense is dropped and its default applies.
 */
export const componentKinds = ['adapter', 'blocklet', 'component', 'application'] as const;
export type ComponentKind = (typeof componentKinds)[number];
export const searchSorts = ['relevance', 'rank', 'used', 'newest', 'rated'] as const;
export type SearchSort = (typeof searchSorts)[number];

/** The node's bounds (MARKET_LIMITS in the node's market contract): longer values are cut, not refused. */
export const searchQueryCharsMax = 200;
const facetCharsMax = 40;
const cursorCharsMax = 200;

/** The path of the search page; every link to a search goes through searchHref. */
export const searchPath = '/search';

export interface MarketQuery {
  q: string;
  kind?: ComponentKind;
  category?: string;
  price?: 'free' | 'paid';
  chain?: string;
  minRating?: number;
  verified?: boolean;
  sort?: SearchSort;
  cursor?: string;
}

export type RawSearchParams = Record<string, string | string[] | undefined> | URLSearchParams;

function first(params: RawSearchParams, key: string): string | undefined {
  if (params instanceof URLSearchParams) return params.get(key) ?? undefined;
  const value = params[key];
  return Array.isArray(value) ? value[0] : value;
}

const text = (max: number) => z.string().trim().min(1).max(max).optional().catch(undefined);
const fields = {
  kind: z.enum(componentKinds).optional().catch(undefined),
  category: text(facetCharsMax),
  price: z.enum(['free', 'paid']).optional().catch(undefined),
  chain: text(facetCharsMax),
  minRating: z.coerce.number().int().min(1).max(5).optional().catch(undefined),
  sort: z.enum(searchSorts).optional().catch(undefined),
  cursor: text(cursorCharsMax),
};

/** The query a URL's search parameters carry; anything malformed is ignored. */
export function parseMarketQuery(params: RawSearchParams): MarketQuery {
  const query: MarketQuery = { q: (first(params, 'q') ?? '').trim().slice(0, searchQueryCharsMax) };
  const kind = fields.kind.parse(first(params, 'kind'));
  if (kind) query.kind = kind;
  const category = fields.category.parse(first(params, 'category'));
  if (category) query.category = category;
  const price = fields.price.parse(first(params, 'price'));
  if (price) query.price = price;
  const chain = fields.chain.parse(first(params, 'chain'));
  if (chain) query.chain = chain;
  const minRating = first(params, 'minRating') === undefined ? undefined : fields.minRating.parse(first(params, 'minRating'));
  if (minRating !== undefined) query.minRating = minRating;
  if (first(params, 'verified') === '1') query.verified = true;
  const sort = fields.sort.parse(first(params, 'sort'));
  if (sort) query.sort = sort;
  const cursor = fields.cursor.parse(first(params, 'cursor'));
  if (cursor) query.cursor = cursor;
  return query;
}

/** The query string for a query (no leading "?"), in a fixed order, defaults left out. */
export function serializeMarketQuery(query: MarketQuery): string {
  const params = new URLSearchParams();
  if (query.q.trim() !== '') params.set('q', query.q.trim());
  if (query.kind) params.set('kind', query.kind);
  if (query.category) params.set('category', query.category);
  if (query.price) params.set('price', query.price);
  if (query.chain) params.set('chain', query.chain);
  if (query.minRating !== undefined) params.set('minRating', String(query.minRating));
  if (query.verified) params.set('verified', '1');
  if (query.sort) params.set('sort', query.sort);
  if (query.cursor) params.set('cursor', query.cursor);
  return params.toString();
}

/** A link to the search page for a query. */
export function searchHref(query: Partial<MarketQuery>): string {
  const search = serializeMarketQuery({ q: '', ...query });
  return search === '' ? searchPath : `${searchPath}?${search}`;
}

/** The same query with some fields changed; a changed filter starts again at the first page. */
export function withQuery(query: MarketQuery, change: Partial<MarketQuery>): MarketQuery {
  const next: MarketQuery = { ...query, ...change };
  if (!('cursor' in change)) delete next.cursor;
  for (const key of Object.keys(next) as (keyof MarketQuery)[]) {
    if (key !== 'q' && next[key] === undefined) delete next[key];
  }
  return next;
}

/** The node's search input for a query (the node's SearchIn). */
export function toSearchInput(query: MarketQuery, limit: number) {
  return { ...query, limit };
}

/** Component page and developer page links. */
export const componentHref = (name: string) => `/c/${encodeURIComponent(name)}`;
export const developerHref = (did: string) => `/developer/${encodeURIComponent(did)}`;
