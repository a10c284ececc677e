import { decodeSeal, toHex } from '@arc/core';
import { z } from 'zod';
import type { Sql } from '../db/client.ts';

/**
 * Reads the explorer's detail pages need beyond the block and transaction rows of queries.ts: a block's seal
 * (who signed it, and the signature) and a committed transaction's events. Both are keyed reads (primary key).
 */

export const SealOut = z.object({
  height: z.number(),
  /** The proposer's ed25519 public key and its signature over the block hash, hex. */
  publicKey: z.string(),
  signature: z.string(),
  /** True when a consensus vote certificate finalized the block (null in one-node mode). */
  certified: z.boolean(),
});

/** One ledger event, as JSON (amounts as decimal strings, bytes as hex). */
export const EventOut = z.object({ type: z.string() }).catchall(z.json());
export const EventsOut = z.object({ hash: z.string(), events: z.array(EventOut) });

export async function blockSeal(db: Sql, height: number): Promise<z.infer<typeof SealOut> | null> {
  const [row] = await db.query<{ seal: Uint8Array; certified: boolean }>(
    'SELECT seal, certificate IS NOT NULL AS certified FROM blocks WHERE height = $1',
    [height],
  );
  if (!row) return null;
  const seal = decodeSeal(new Uint8Array(row.seal));
  return { height, publicKey: toHex(seal.publicKey), signature: toHex(seal.signature), certified: row.certified };
}

export async function txEvents(db: Sql, hash: string): Promise<z.infer<typeof EventsOut> | null> {
  const [row] = await db.query<{ events: unknown }>("SELECT events FROM txs WHERE hash = decode($1, 'hex')", [hash]);
  if (!row) return null;
  // The column is json: one driver hands back the parsed value, the other may hand back its text.
  const events = typeof row.events === 'string' ? JSON.parse(row.events) : row.events;
  return { hash, events: z.array(EventOut).parse(events) };
}
