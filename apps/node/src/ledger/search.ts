import { decodeToken, parseDid } from '@arc/core';
import { z } from 'zod';
import type { Sql } from '../db/client.ts';

/**
 * One search box for the explorer: a block height, a transaction or block hash (or its first hex digits), a DID
 * (account, token or asset address, or its first characters), a token symbol or a blocklet name. Every lookup is
 * an index range scan (primary keys and unique indexes), so a search costs the same on a long chain.
 */

export const SEARCH_LIMITS = {
  /** Longer input is refused by the procedure's input schema. */
  queryCharsMax: 100,
  /** Suggestions returned at most, over all kinds. */
  suggestionsMax: 10,
  /** Suggestions of one kind at most. */
  perKindMax: 5,
  /** A hash prefix shorter than this matches too much to be useful. */
  hashPrefixHexMin: 4,
  /** A DID prefix must go past `did:abt:z` by this many characters. */
  didPrefixCharsMin: 3,
} as const;

const HASH_HEX = 64;
const DID_PREFIX = 'did:abt:z';
/** The longest DID (a DID's body is 26 bytes: ~36 base58 characters). */
const DID_CHARS_MAX = 64;
const BASE58 = /^[1-9A-HJ-NP-Za-km-z]*$/;
const HEIGHT = /^\d{1,15}$/;
const HEX = /^(0x)?([0-9a-fA-F]+)$/;
/** What a malformed DID is told. */
export const DID_FORMAT_HINT = 'did:abt: addresses are base58 after did:abt:z…';

export const SearchIn = z.object({ q: z.string().max(SEARCH_LIMITS.queryCharsMax, `at most ${SEARCH_LIMITS.queryCharsMax} characters`) });

const exact = z.boolean();
export const SuggestionOut = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('block'), height: z.number(), hash: z.string(), exact }),
  z.object({ kind: z.literal('tx'), hash: z.string(), height: z.number(), exact }),
  z.object({ kind: z.literal('account'), did: z.string(), exists: z.boolean(), exact }),
  z.object({ kind: z.literal('token'), address: z.string(), symbol: z.string(), name: z.string(), exact }),
  z.object({ kind: z.literal('asset'), address: z.string(), exact }),
  z.object({ kind: z.literal('blocklet'), name: z.string(), owner: z.string(), exact }),
]);
export type Suggestion = z.infer<typeof SuggestionOut>;

export const SearchOut = z.object({
  q: z.string(),
  suggestions: z.array(SuggestionOut),
  /** What is wrong with the input when it cannot name anything (a malformed DID), in words; else null. */
  problem: z.string().nullable(),
});
export type SearchResult = z.infer<typeof SearchOut>;

/** The suggestions for `raw`, exact matches first. */
export async function search(db: Sql, raw: string): Promise<SearchResult> {
  const q = raw.trim();
  if (q === '') return { q, suggestions: [], problem: null };
  const found: Suggestion[] = [];
  let problem: string | null = null;

  if (HEIGHT.test(q)) found.push(...(await blockByHeight(db, Number(q))));
  const hex = HEX.exec(q)?.[2]?.toLowerCase();
  if (hex && hex.length >= SEARCH_LIMITS.hashPrefixHexMin && hex.length <= HASH_HEX && !(HEIGHT.test(q) && hex.length < 8)) {
    found.push(...(await byHashPrefix(db, hex)));
  }
  if (/^did:/i.test(q)) {
    const did = await byDid(db, q);
    found.push(...did.suggestions);
    problem = did.problem;
  } else if (/^[\w.-]+$/.test(q)) {
    found.push(...(await byName(db, q)));
  }

  const sorted = [...found.filter((s) => s.exact), ...found.filter((s) => !s.exact)];
  return { q, suggestions: sorted.slice(0, SEARCH_LIMITS.suggestionsMax), problem };
}

async function blockByHeight(db: Sql, height: number): Promise<Suggestion[]> {
  if (!Number.isSafeInteger(height)) return [];
  const rows = await db.query<{ height: string | number; hash: string }>(
    "SELECT height, encode(hash, 'hex') AS hash FROM blocks WHERE height = $1",
    [height],
  );
  return rows.map((r) => ({ kind: 'block', height: Number(r.height), hash: r.hash, exact: true }));
}

/** Transactions and blocks whose hash starts with `hex`: a range over the hash index, padded with 0s and fs. */
async function byHashPrefix(db: Sql, hex: string): Promise<Suggestion[]> {
  const low = hex.padEnd(HASH_HEX, '0');
  const high = hex.padEnd(HASH_HEX, 'f');
  const full = hex.length === HASH_HEX;
  const [txs, blocks] = await Promise.all([
    db.query<{ hash: string; height: string | number }>(
      `SELECT encode(hash, 'hex') AS hash, height FROM txs
       WHERE hash BETWEEN decode($1, 'hex') AND decode($2, 'hex') ORDER BY hash LIMIT $3`,
      [low, high, SEARCH_LIMITS.perKindMax],
    ),
    db.query<{ hash: string; height: string | number }>(
      `SELECT encode(hash, 'hex') AS hash, height FROM blocks
       WHERE hash BETWEEN decode($1, 'hex') AND decode($2, 'hex') ORDER BY hash LIMIT $3`,
      [low, high, SEARCH_LIMITS.perKindMax],
    ),
  ]);
  return [
    ...txs.map((r): Suggestion => ({ kind: 'tx', hash: r.hash, height: Number(r.height), exact: full })),
    ...blocks.map((r): Suggestion => ({ kind: 'block', hash: r.hash, height: Number(r.height), exact: full })),
  ];
}

interface TokenRow {
  address: string;
  symbol: string;
  value: Uint8Array;
}

function tokenSuggestion(row: TokenRow, exact: boolean): Suggestion {
  const { name } = decodeToken(new Uint8Array(row.value));
  return { kind: 'token', address: row.address, symbol: row.symbol, name, exact };
}

/** The rows of `table` whose text key `column` starts with `prefix` (an index range, then the exact test). */
function prefixRange(table: string, column: string, select: string): string {
  return `SELECT ${select} FROM ${table} WHERE ${column} >= $1 AND ${column} < $2 AND starts_with(${column}, $1) ORDER BY ${column} LIMIT $3`;
}

/** The smallest string above every string that starts with `prefix`. */
function prefixEnd(prefix: string): string {
  return `${prefix}\u{10FFFF}`;
}

async function byDid(db: Sql, q: string): Promise<{ suggestions: Suggestion[]; problem: string | null }> {
  const parsed = parseDid(q);
  if (parsed.ok) {
    const [tokens, assets, accounts] = await Promise.all([
      db.query<TokenRow>('SELECT address, symbol, value FROM tokens WHERE address = $1', [q]),
      db.query<{ address: string }>('SELECT address FROM assets WHERE address = $1', [q]),
      db.query<{ did: string }>('SELECT did FROM accounts WHERE did = $1', [q]),
    ]);
    const suggestions: Suggestion[] = [
      ...tokens.map((t) => tokenSuggestion(t, true)),
      ...assets.map((a): Suggestion => ({ kind: 'asset', address: a.address, exact: true })),
    ];
    // Any valid DID names an account, one that has no state yet included (it can still receive).
    if (suggestions.length === 0) suggestions.push({ kind: 'account', did: q, exists: accounts.length > 0, exact: true });
    return { suggestions, problem: null };
  }
  const body = q.slice(DID_PREFIX.length);
  const plausiblePrefix =
    q.startsWith(DID_PREFIX) && BASE58.test(body) && q.length < DID_CHARS_MAX && body.length >= SEARCH_LIMITS.didPrefixCharsMin;
  const problem = `${DID_FORMAT_HINT} (${parsed.reason})`;
  if (!plausiblePrefix) return { suggestions: [], problem };
  const args = [q, prefixEnd(q), SEARCH_LIMITS.perKindMax];
  const [accounts, tokens, assets] = await Promise.all([
    db.query<{ did: string }>(prefixRange('accounts', 'did', 'did'), args),
    db.query<TokenRow>(prefixRange('tokens', 'address', 'address, symbol, value'), args),
    db.query<{ address: string }>(prefixRange('assets', 'address', 'address'), args),
  ]);
  const suggestions: Suggestion[] = [
    ...accounts.map((r): Suggestion => ({ kind: 'account', did: r.did, exists: true, exact: false })),
    ...tokens.map((r) => tokenSuggestion(r, false)),
    ...assets.map((r): Suggestion => ({ kind: 'asset', address: r.address, exact: false })),
  ];
  // Typing a DID passes through incomplete ones: say what is wrong only when nothing starts like it.
  return { suggestions, problem: suggestions.length === 0 ? problem : null };
}

/** Token symbols (case-insensitive: symbols are upper case) and blocklet names starting with `q`. */
async function byName(db: Sql, q: string): Promise<Suggestion[]> {
  const symbol = q.toUpperCase();
  const name = q.toLowerCase();
  const [tokens, blocklets] = await Promise.all([
    db.query<TokenRow>(prefixRange('tokens', 'symbol', 'address, symbol, value'), [symbol, prefixEnd(symbol), SEARCH_LIMITS.perKindMax]),
    db.query<{ name: string; owner: string }>(prefixRange('blocklets', 'name', 'name, owner'), [
      name,
      prefixEnd(name),
      SEARCH_LIMITS.perKindMax,
    ]),
  ]);
  return [
    ...tokens.map((r) => tokenSuggestion(r, r.symbol === symbol)),
    ...blocklets.map((r): Suggestion => ({ kind: 'blocklet', name: r.name, owner: r.owner, exact: r.name === name })),
  ];
}
