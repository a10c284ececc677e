import { createHash } from 'node:crypto';
import type { Database } from '../db/client.ts';
import { NodeError } from '../errors.ts';
import { MARKET_LIMITS } from './api-schemas.ts';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** What a stored text is: a README, a review or reply body, or a slash's evidence (the economy's). */
export type TextPurpose = 'readme' | 'review' | 'reply' | 'evidence';

/** The largest UTF-8 text the node stores for each purpose. */
export const TEXT_BYTES_MAX: Record<TextPurpose, number> = {
  readme: MARKET_LIMITS.readmeBytesMax,
  review: MARKET_LIMITS.reviewBytesMax,
  reply: MARKET_LIMITS.reviewBytesMax,
  evidence: MARKET_LIMITS.readmeBytesMax,
};

/** sha-256 of the text's UTF-8 bytes, lower-case hex: the hash a transaction names. */
export function textHash(text: string): string {
  return createHash('sha256').update(Buffer.from(text, 'utf8')).digest('hex');
}

/**
 * Texts by hash (README, review bodies, replies): stored before or after the transaction that anchors the hash,
 * idempotent (the same text is the same row), bounded per purpose, and never with NUL bytes (PostgreSQL text
 * cannot hold them, and no README needs one).
 */
export class MarketTexts {
  constructor(
    readonly db: Database,
    readonly now: () => number,
    /** Heard after a text is stored, so the index can link a README that arrived after its transaction. */
    readonly onStored: (hash: string, purpose: TextPurpose) => Promise<void> = async () => undefined,
  ) {}

  async put(text: string, purpose: TextPurpose): Promise<{ hash: string; bytes: number }> {
    if (text.includes('\u0000')) {
      throw new NodeError('BAD_INPUT', 'The text holds a NUL byte (\\u0000); remove it: texts are UTF-8 without NUL.');
    }
    if (text.length === 0) throw new NodeError('BAD_INPUT', 'The text is empty; send the README, review or reply text.');
    const bytes = Buffer.byteLength(text, 'utf8');
    const max = TEXT_BYTES_MAX[purpose];
    if (bytes > max) {
      throw new NodeError(
        'BAD_INPUT',
        `The ${purpose} text is ${bytes} bytes; at most ${max} bytes are stored for a ${purpose}. Shorten it.`,
      );
    }
    if (LONE_SURROGATE.test(text)) {
      throw new NodeError('BAD_INPUT', 'The text holds a lone surrogate (not valid UTF-16); send well-formed text.');
    }
    const hash = textHash(text);
    const inserted = await this.db.query<{ hash: string }>(
      'INSERT INTO market_texts (hash, text, purpose, bytes, created_at_ms) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (hash) DO NOTHING RETURNING hash',
      [hash, text, purpose, bytes, this.now()],
    );
    if (inserted.length > 0) await this.onStored(hash, purpose);
    return { hash, bytes };
  }

  async get(hash: string): Promise<string | null> {
    const [row] = await this.db.query<{ text: string }>('SELECT text FROM market_texts WHERE hash = $1', [hash]);
    return row?.text ?? null;
  }

  /** Texts of many hashes at once (missing ones are absent from the map). */
  async getMany(hashes: string[]): Promise<Map<string, string>> {
    if (hashes.length === 0) return new Map();
    const rows = await this.db.query<{ hash: string; text: string }>('SELECT hash, text FROM market_texts WHERE hash = ANY($1::text[])', [
      hashes,
    ]);
    return new Map(rows.map((row) => [row.hash, row.text]));
  }
}
