import type { IdempotencyStore } from '@arc/adapters';
import type { SendResult } from '@arc/core';
import type { Database } from '../db/client.ts';

/** Idempotency keys of OCAP sends in the node's database (table ocap_sends), so they hold across restarts. */
export class DatabaseIdempotencyStore implements IdempotencyStore {
  constructor(
    readonly db: Database,
    readonly now: () => number,
  ) {}

  async get(key: string) {
    const [row] = await this.db.query<{ payload_hash: string; result: SendResult | string }>(
      'SELECT payload_hash, result FROM ocap_sends WHERE key = $1',
      [key],
    );
    if (!row) return undefined;
    const result = typeof row.result === 'string' ? (JSON.parse(row.result) as SendResult) : row.result;
    return { payloadHash: row.payload_hash, result };
  }

  async put(key: string, payloadHash: string, result: SendResult) {
    const stored = { hash: result.hash, from: result.from, ...(result.nonce === undefined ? {} : { nonce: result.nonce }) };
    await this.db.query(
      'INSERT INTO ocap_sends (key, payload_hash, result, at_ms) VALUES ($1, $2, $3::jsonb, $4) ON CONFLICT (key) DO NOTHING',
      [key, payloadHash, JSON.stringify(stored), this.now()],
    );
  }
}
