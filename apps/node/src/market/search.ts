import { z } from 'zod';
import type { Database } from '../db/client.ts';
import { NodeError } from '../errors.ts';
import type { ComponentCardOut, FacetsOut, SearchIn, SearchOut, SuggestOut } from './api-schemas.ts';
import { MARKET_LIMITS } from './api-schemas.ts';

/** Bounds of search: the counted total stops here; did-you-mean names; trigram similarity bars. */
export const SEARCH_LIMITS = {
  totalMax: 1000,
  didYouMeanMax: 5,
  /** A name at least this similar (pg_trgm similarity) to the text typed is suggested. */
  nameSimilarityMin: 0.3,
  /** A name holding a word at least this similar (word_similarity) to the text typed is suggested. */
  wordSimilarityMin: 0.5,
  /** A word of a query that matched nothing is replaced by the nearest catalogue word at least this similar. */
  correctionSimilarityMin: 0.3,
  /** Words of a query looked at for correction. */
  correctionWordsMax: 16,
  /** A did-you-mean name holds the query at least this closely (word_similarity). */
  didYouMeanSimilarityMin: 0.3,
} as const;

type Card = z.infer<typeof ComponentCardOut>;

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

/**
 * The sort key of each order but relevance (descending, then name ascending), and its SQL type. Each has an index in
 * exactly this order (schema.ts), so a page without a text query is a walk down that index, not a sort of every row.
 */
const SORT_KEY: Record<Exclude<Sort, 'relevance'>, { expr: string; type: 'float8' | 'bigint' }> = {
  rank: { expr: 'c.rank_score', type: 'float8' },
  used: { expr: 'c.calls_30d', type: 'bigint' },
  newest: { expr: 'c.updated_at_ms', type: 'bigint' },
  rated: { expr: 'coalesce(c.rating_average, 0)', type: 'float8' },
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
  if (sort !== 'relevance' && SORT_KEY[sort].type === 'bigint' && !Number.isSafeInteger(result.data.k))
    throw new NodeError('BAD_INPUT', 'The cursor is not one this node gave; pass the nextCursor of the previous page unchanged.');
  return { k: result.data.k, n: result.data.n };
}

/** The query with NULs and control characters taken out (PostgreSQL text cannot hold NUL). */
function cleanQuery(q: string): string {
  if (q.includes('\u0000')) throw new NodeError('BAD_INPUT', 'The query holds a NUL byte (\\u0000); search with plain text.');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
  return q.replace(/[\u0001-\u001f\u007f]/g, ' ').trim();
}

type PageRow = CardRow & { k: number; total: number };

export class MarketSearch {
  constructor(readonly db: Database) {}

  /**
   * One page of components. With a text query: the full-text matches (GIN), ranked or sorted; when the words typed
   * match nothing, each word unknown to the catalogue is replaced by its nearest catalogue word and the search runs
   * again (`correctedQuery` says so: "oracel" finds oracles); when that finds nothing either, the nearest names.
   * Without a text query: a walk down the sort's index.
   */
  async search(input: z.infer<typeof SearchIn>): Promise<z.infer<typeof SearchOut>> {
    const q = cleanQuery(input.q);
    const sort: Sort = input.sort ?? (q ? 'relevance' : 'rank');
    const cursor = input.cursor ? decodeCursor(input.cursor, sort) : null;
    let found = await this.#page(input, sort, cursor, q);
    let correctedQuery: string | null = null;
    if (q && found.total === 0) {
      const corrected = await this.correct(q);
      if (corrected !== null) {
        const again = await this.#page(input, sort, cursor, corrected);
        if (again.total > 0) {
          found = again;
          correctedQuery = corrected;
        }
      }
    }
    const page = found.rows.slice(0, input.limit);
    const last = page.at(-1);
    return {
      items: page.map(toCard),
      nextCursor: found.rows.length > input.limit && last ? encodeCursor(sort, last.k, last.name) : null,
      total: found.total,
      correctedQuery,
      didYouMean: found.total === 0 && q ? await this.didYouMean(q) : [],
    };
  }

  /** The page after `cursor` and the bounded count of all matches, in one statement. */
  async #page(
    input: z.infer<typeof SearchIn>,
    sort: Sort,
    cursor: { k: number; n: string } | null,
    q: string,
  ): Promise<{ rows: PageRow[]; total: number }> {
    const params: unknown[] = [];
    const p = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    const where: string[] = [];
    let tsq = '';
    let qp = '';
    if (q) {
      qp = p(q);
      tsq = `websearch_to_tsquery('english', ${qp})`;
      where.push(`c.document @@ ${tsq}`);
    }
    if (input.kind) where.push(`c.kind = ${p(input.kind)}`);
    if (input.category) where.push(`${p(input.category)} = ANY(c.categories)`);
    if (input.price === 'free') where.push(`c.price_model = 'free'`);
    if (input.price === 'paid') where.push(`c.price_model <> 'free'`);
    if (input.chain) where.push(`${p(input.chain)} = ANY(c.chains)`);
    if (input.minRating !== undefined) where.push(`c.rating_average >= ${p(input.minRating)}`);
    if (input.verified !== undefined) where.push(input.verified ? 'c.verified_publisher' : 'NOT c.verified_publisher');
    const filter = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const limit = p(input.limit + 1);
    let pageSql: string;
    if (q) {
      // The matches with their key only (name, k), counted and paged; the card columns for the page alone.
      const key =
        sort === 'relevance' ? `round((ts_rank(c.document, ${tsq}) + similarity(c.name, ${qp}))::numeric, 6)` : SORT_KEY[sort].expr;
      const after = cursor ? `WHERE s.k < ${p(cursor.k)}::float8 OR (s.k = $${params.length}::float8 AND s.name > ${p(cursor.n)})` : '';
      pageSql = `WITH s AS MATERIALIZED (SELECT c.name, (${key})::float8 AS k FROM market_components c ${filter})
        SELECT t.total, p.k, ${CARD_COLUMNS} FROM (SELECT least(count(*), ${SEARCH_LIMITS.totalMax})::int AS total FROM s) t
          LEFT JOIN LATERAL (SELECT s.name, s.k FROM s ${after} ORDER BY s.k DESC, s.name LIMIT ${limit}) p ON true
          LEFT JOIN market_components c ON c.name = p.name
        ORDER BY p.k DESC, p.name`;
    } else {
      let order = 'c.name';
      let keyOut = '0::float8';
      const conditions = [...where];
      if (sort === 'relevance') {
        if (cursor) conditions.push(`c.name > ${p(cursor.n)}`);
      } else {
        const { expr, type } = SORT_KEY[sort];
        order = `${expr} DESC NULLS LAST, c.name`;
        keyOut = `(${expr})::float8`;
        // `<=` bounds the index walk; the OR picks up the rows after the cursor among equal keys.
        if (cursor)
          conditions.push(`${expr} <= ${p(cursor.k)}::${type} AND (${expr} < $${params.length}::${type} OR c.name > ${p(cursor.n)})`);
      }
      const after = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
      const totalSql = `SELECT count(*)::int AS total FROM (SELECT 1 FROM market_components c ${filter} LIMIT ${SEARCH_LIMITS.totalMax}) x`;
      pageSql = `SELECT t.total, p.k, ${CARD_COLUMNS} FROM (${totalSql}) t
          LEFT JOIN LATERAL (SELECT c.name, ${keyOut} AS k FROM market_components c ${after} ORDER BY ${order} LIMIT ${limit}) p ON true
          LEFT JOIN market_components c ON c.name = p.name
        ORDER BY p.k DESC, p.name`;
    }
    const rows = await this.db.query<PageRow>(pageSql, params);
    return { rows: rows.filter((row) => row.name !== null), total: rows[0]?.total ?? 0 };
  }

  /**
   * The query with each word the catalogue does not hold replaced by its nearest catalogue word (trigram distance
   * over market_words, GiST), or null when no word changes.
   */
  async correct(q: string): Promise<string | null> {
    const words = q
      .toLowerCase()
      .split(/[^\p{L}\p{N}]+/u)
      .filter((word) => word.length > 0)
      .slice(0, SEARCH_LIMITS.correctionWordsMax);
    if (words.length === 0) return null;
    const rows = await this.db.query<{ word: string; known: boolean; nearest: string | null; similarity: number | null }>(
      `SELECT w.word, EXISTS (SELECT 1 FROM market_words v WHERE v.word = w.word) AS known, n.word AS nearest, similarity(n.word, w.word) AS similarity
       FROM unnest($1::text[]) WITH ORDINALITY AS w(word, i)
         LEFT JOIN LATERAL (SELECT v.word FROM market_words v ORDER BY v.word <-> w.word LIMIT 1) n ON true
       ORDER BY w.i`,
      [words],
    );
    const fixed = rows.map((row) =>
      row.known || row.nearest === null || (row.similarity ?? 0) < SEARCH_LIMITS.correctionSimilarityMin ? row.word : row.nearest,
    );
    return fixed.join(' ') === words.join(' ') ? null : fixed.join(' ');
  }

  /** The names nearest the query (word similarity, by the names' GiST trigram index), for a search with no hit. */
  async didYouMean(q: string): Promise<string[]> {
    const rows = await this.db.query<{ name: string }>(
      `SELECT name FROM (SELECT name, word_similarity($1, name) AS s FROM market_components ORDER BY $1 <<-> name LIMIT $2) x
       WHERE s >= $3 ORDER BY s DESC, name`,
      [q, SEARCH_LIMITS.didYouMeanMax, SEARCH_LIMITS.didYouMeanSimilarityMin],
    );
    return rows.map((row) => row.name);
  }

  /** Names starting with the text first, then the names holding a word most like it. */
  async suggest(q: string): Promise<z.infer<typeof SuggestOut>> {
    const text = cleanQuery(q).toLowerCase();
    if (!text) return [];
    const prefix = `${text.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
    return this.db.query<z.infer<typeof SuggestOut>[number]>(
      `WITH hits AS ((SELECT name, true AS prefix FROM market_components WHERE name LIKE $1 ORDER BY name LIMIT $5)
         UNION ALL (SELECT name, false FROM market_components ORDER BY $2 <<-> name LIMIT $5))
       SELECT c.name, c.kind, c.description FROM (SELECT name, bool_or(prefix) AS prefix FROM hits GROUP BY name) h
         JOIN market_components c ON c.name = h.name
       WHERE h.prefix OR similarity(c.name, $2) >= $3 OR word_similarity($2, c.name) >= $4
       ORDER BY h.prefix DESC, similarity(c.name, $2) DESC, c.name LIMIT $5`,
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
