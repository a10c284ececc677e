import { z } from 'zod';
import type { Database } from '../db/client.ts';
import { NodeError } from '../errors.ts';
import type { ComponentCardOut, FacetsOut, SearchIn, SearchOut, SuggestOut } from './api-schemas.ts';
import { MARKET_LIMITS } from './api-schemas.ts';

/** Bounds of search: the counted total stops here; did-you-mean names; trigram similarity bars. */
export const SEARCH_LIMITS = {
  totalMax: 1000,
  didYouMeanMax: 5,
  /** A name at least this similar (pg_trgm similarity) to the query matches. */
  nameSimilarityMin: 0.3,
  /** A word of the name or description at least this similar to the query matches (word_similarity). */
  wordSimilarityMin: 0.5,
  didYouMeanSimilarityMin: 0.15,
} as const;

type Card = z.infer<typeof ComponentCardOut>;

/** pg_trgm's operator thresholds for this transaction: % at nameSimilarityMin, <% at wordSimilarityMin. */
const TRIGRAM_THRESHOLDS_SQL = `SELECT set_config('pg_trgm.similarity_threshold', '${SEARCH_LIMITS.nameSimilarityMin}', true),
  set_config('pg_trgm.word_similarity_threshold', '${SEARCH_LIMITS.wordSimilarityMin}', true)`;
type Sort = NonNullable<z.infer<typeof SearchIn>['sort']>;

/** The columns a card shows. */
export const CARD_COLUMNS = `c.name, c.kind, c.description, c.latest_version AS "latestVersion", c.owner, c.owner_moniker AS "ownerMoniker",
  c.verified_publisher AS "verifiedPublisher", c.categories, c.chains, c.price_model AS "priceModel", c.price_amount::text AS "priceAmount",
  c.rating_average AS "ratingAverage", c.rating_count AS "ratingCount", c.calls_30d::float8 AS "calls30d", c.installs,
  c.rank_score AS "rankScore", c.published_at_ms::float8 AS "publishedAtMs", c.updated_at_ms::float8 AS "updatedAtMs", c.deprecated`;

export interface CardRow {
  name: string;
  kind: Card['kind'];
  description: string;
  latestVersion: string;
  owner: string;
  ownerMoniker: string;
  verifiedPublisher: boolean;
  categories: string[];
  chains: string[];
  priceModel: Card['price']['model'];
  priceAmount: string;
  ratingAverage: number | null;
  ratingCount: number;
  calls30d: number;
  installs: number;
  rankScore: number;
  publishedAtMs: number;
  updatedAtMs: number;
  deprecated: boolean;
}

export function toCard(row: CardRow): Card {
  return {
    name: row.name,
    kind: row.kind,
    description: row.description,
    latestVersion: row.latestVersion,
    owner: row.owner,
    ownerMoniker: row.ownerMoniker,
    verifiedPublisher: row.verifiedPublisher,
    categories: row.categories,
    chains: row.chains,
    price: { model: row.priceModel, amount: row.priceAmount },
    ratingAverage: row.ratingAverage === null ? null : Math.round(row.ratingAverage * 100) / 100,
    ratingCount: row.ratingCount,
    calls30d: row.calls30d,
    installs: row.installs,
    rankScore: row.rankScore,
    publishedAtMs: row.publishedAtMs,
    updatedAtMs: row.updatedAtMs,
    deprecated: row.deprecated,
  };
}

/** The sort key of each order (descending, then name ascending). */
const SORT_KEY: Record<Sort, string> = {
  relevance: 'rel',
  rank: 'c.rank_score',
  used: 'c.calls_30d::float8',
  newest: 'c.updated_at_ms::float8',
  rated: 'coalesce(c.rating_average, 0)',
};

/** A page cursor: the sort, the last row's key and name (base64url JSON). */
const Cursor = z.strictObject({
  s: z.enum(['relevance', 'rank', 'used', 'newest', 'rated']),
  k: z.number().finite(),
  n: z.string().max(64),
});

export function encodeCursor(sort: Sort, key: number, name: string): string {
  return Buffer.from(JSON.stringify({ s: sort, k: key, n: name })).toString('base64url');
}

export function decodeCursor(cursor: string, sort: Sort): { k: number; n: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = null;
  }
  const result = Cursor.safeParse(parsed);
  if (!result.success)
    throw new NodeError('BAD_INPUT', 'The cursor is not one this node gave; pass the nextCursor of the previous page unchanged.');
  if (result.data.s !== sort) {
    throw new NodeError('BAD_INPUT', `The cursor belongs to the "${result.data.s}" sort, not "${sort}"; start again without a cursor.`);
  }
  return { k: result.data.k, n: result.data.n };
}

/** The query with NULs and control characters taken out (PostgreSQL text cannot hold NUL). */
function cleanQuery(q: string): string {
  if (q.includes('\u0000')) throw new NodeError('BAD_INPUT', 'The query holds a NUL byte (\\u0000); search with plain text.');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
  return q.replace(/[\u0001-\u001f\u007f]/g, ' ').trim();
}

export class MarketSearch {
  constructor(readonly db: Database) {}

  async search(input: z.infer<typeof SearchIn>): Promise<z.infer<typeof SearchOut>> {
    const q = cleanQuery(input.q);
    const sort: Sort = input.sort ?? (q ? 'relevance' : 'rank');
    const params: unknown[] = [];
    const p = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    const where: string[] = [];
    let rel = '0::float8';
    if (q) {
      const qp = p(q);
      const tsq = `websearch_to_tsquery('english', ${qp})`;
      // Operators, not function calls, so the GIN indexes (tsvector, gin_trgm_ops) answer the match.
      where.push(`(c.document @@ ${tsq} OR c.name % ${qp} OR ${qp} <% c.name OR ${qp} <% c.description)`);
      rel = `round((ts_rank_cd(c.document, ${tsq}) + similarity(c.name, ${qp}) + 0.5 * word_similarity(${qp}, c.description))::numeric, 6)::float8`;
    }
    if (input.kind) where.push(`c.kind = ${p(input.kind)}`);
    if (input.category) where.push(`${p(input.category)} = ANY(c.categories)`);
    if (input.price === 'free') where.push(`c.price_model = 'free'`);
    if (input.price === 'paid') where.push(`c.price_model <> 'free'`);
    if (input.chain) where.push(`${p(input.chain)} = ANY(c.chains)`);
    if (input.minRating !== undefined) where.push(`c.rating_average >= ${p(input.minRating)}`);
    if (input.verified !== undefined) where.push(input.verified ? 'c.verified_publisher' : 'NOT c.verified_publisher');
    const key = SORT_KEY[sort];
    const filterSql = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    let pageWhere = '';
    if (input.cursor) {
      const cursor = decodeCursor(input.cursor, sort);
      pageWhere = `WHERE (m.k < ${p(cursor.k)} OR (m.k = $${params.length} AND m.name > ${p(cursor.n)}))`;
    }
    // One pass over the matches: the page and the bounded total come from the same materialized set.
    const sqlText = `WITH m AS MATERIALIZED (SELECT ${CARD_COLUMNS}, ${key === 'rel' ? rel : key}::float8 AS k FROM market_components c ${filterSql})
      SELECT (SELECT count(*)::int FROM (SELECT 1 FROM m LIMIT ${SEARCH_LIMITS.totalMax}) x) AS total, m.* FROM m ${pageWhere}
      ORDER BY m.k DESC, m.name ASC LIMIT ${p(input.limit + 1)}`;
    const { rows, total } = await this.db.transaction(async (sql) => {
      await sql.query(TRIGRAM_THRESHOLDS_SQL);
      const found = await sql.query<CardRow & { k: number; total: number }>(sqlText, params);
      if (found.length > 0 || !input.cursor) return { rows: found, total: found[0]?.total ?? 0 };
      const [count] = await sql.query<{ total: number }>(
        `SELECT count(*)::int AS total FROM (SELECT 1 FROM market_components c ${filterSql} LIMIT ${SEARCH_LIMITS.totalMax}) x`,
        params.slice(0, params.length - 3),
      );
      return { rows: found, total: count?.total ?? 0 };
    });
    const page = rows.slice(0, input.limit);
    const last = page.at(-1);
    return {
      items: page.map(toCard),
      nextCursor: rows.length > input.limit && last ? encodeCursor(sort, last.k, last.name) : null,
      total,
      didYouMean: total === 0 && q ? await this.didYouMean(q) : [],
    };
  }

  /** The names nearest the query (trigram similarity), for a search with no hit. */
  async didYouMean(q: string): Promise<string[]> {
    const rows = await this.db.query<{ name: string }>(
      `SELECT name FROM market_components WHERE similarity(name, $1) >= $2 OR word_similarity($1, description) >= $3
       ORDER BY greatest(similarity(name, $1), word_similarity($1, description)) DESC, name LIMIT $4`,
      [q, SEARCH_LIMITS.didYouMeanSimilarityMin, SEARCH_LIMITS.wordSimilarityMin, SEARCH_LIMITS.didYouMeanMax],
    );
    return rows.map((row) => row.name);
  }

  /** Names starting with the text first, then the most similar ones. */
  async suggest(q: string): Promise<z.infer<typeof SuggestOut>> {
    const text = cleanQuery(q).toLowerCase();
    if (!text) return [];
    const prefix = `${text.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
    return this.db.query<z.infer<typeof SuggestOut>[number]>(
      `SELECT name, kind, description FROM market_components
       WHERE name LIKE $1 OR similarity(name, $2) >= $3 OR word_similarity($2, name) >= $4
       ORDER BY (name LIKE $1) DESC, similarity(name, $2) DESC, name LIMIT $5`,
      [prefix, text, SEARCH_LIMITS.nameSimilarityMin, SEARCH_LIMITS.wordSimilarityMin, MARKET_LIMITS.suggestionsMax],
    );
  }

  async facets(): Promise<z.infer<typeof FacetsOut>> {
    const [kinds, categories, chains] = await Promise.all([
      this.db.query<{ kind: Card['kind']; count: number }>(
        'SELECT kind, count(*)::int AS count FROM market_components GROUP BY kind ORDER BY count DESC, kind',
      ),
      this.db.query<{ category: string; count: number }>(
        'SELECT category, count(*)::int AS count FROM market_components, unnest(categories) AS category GROUP BY category ORDER BY count DESC, category LIMIT 100',
      ),
      this.db.query<{ chain: string; count: number }>(
        'SELECT chain, count(*)::int AS count FROM market_components, unnest(chains) AS chain GROUP BY chain ORDER BY count DESC, chain LIMIT 100',
      ),
    ]);
    return { kinds, categories, chains };
  }
}
