import { decodeSeal, toHex } from '@arc/core';
import { z } from 'zod';
import { did, limit } from '../api/inputs.ts';
import type { Sql } from '../db/client.ts';
import { NodeError } from '../errors.ts';

/**
 * Reads the explorer's detail pages need beyond the block and transaction rows of queries.ts: a block's seal
 * (who signed it, and the signature), a committed transaction's events (both keyed reads on a primary key), and
 * an application token's holders (a range of the token_balances index).
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
    `SELECT b.seal, EXISTS (SELECT 1 FROM block_certificates c WHERE c.height = b.height AND c.final) AS certified
       FROM blocks b WHERE b.height = $1`,
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

/** A holders page: "<rank>:<balance>:<did>" of the last row of the previous page. */
const holdersCursor = z
  .string()
  .max(200)
  .regex(/^\d{1,12}:\d{1,78}:did:abt:[1-9A-HJ-NP-Za-km-z]{1,60}$/, 'a cursor is the nextCursor of the previous page');

export const TokenHoldersIn = z.object({ token: did, cursor: holdersCursor.optional(), limit });

export const TokenHolderOut = z.object({
  /** 1 for the largest balance; equal balances are ranked by DID. */
  rank: z.number().int().min(1),
  did: z.string(),
  /** In the token's smallest unit, a decimal string. */
  balance: z.string(),
});

export const TokenHoldersOut = z.object({
  token: z.string(),
  /** Accounts holding a nonzero balance of the token. */
  holderCount: z.number().int().min(0),
  items: z.array(TokenHolderOut),
  nextCursor: z.string().nullable(),
});

/** The accounts holding an application token, largest balance first, with how many there are. */
export async function tokenHolders(db: Sql, input: z.infer<typeof TokenHoldersIn>): Promise<z.infer<typeof TokenHoldersOut>> {
  const [token] = await db.query<{ address: string }>('SELECT address FROM tokens WHERE address = $1', [input.token]);
  if (!token) {
    throw new NodeError(
      'NOT_FOUND',
      `No application token has the address ${input.token}; the native token's holders are its accounts' balances.`,
    );
  }
  const after = input.cursor ? parseHoldersCursor(input.cursor) : null;
  const [rows, [count]] = await Promise.all([
    after
      ? db.query<{ did: string; amount: string }>(
          `SELECT did, balance::text AS amount FROM token_balances
           WHERE token = $1 AND (balance < $2::numeric OR (balance = $2::numeric AND did > $3))
           ORDER BY token_balances.balance DESC, did LIMIT $4`,
          [input.token, after.balance, after.did, input.limit + 1],
        )
      : db.query<{ did: string; amount: string }>(
          'SELECT did, balance::text AS amount FROM token_balances WHERE token = $1 ORDER BY token_balances.balance DESC, did LIMIT $2',
          [input.token, input.limit + 1],
        ),
    db.query<{ n: string | number }>('SELECT count(*) AS n FROM token_balances WHERE token = $1', [input.token]),
  ]);
  const firstRank = (after?.rank ?? 0) + 1;
  const items = rows.slice(0, input.limit).map((r, i) => ({ rank: firstRank + i, did: r.did, balance: String(r.amount) }));
  const last = items[items.length - 1];
  return {
    token: input.token,
    holderCount: Number(count?.n ?? 0),
    items,
    nextCursor: rows.length > input.limit && last ? `${last.rank}:${last.balance}:${last.did}` : null,
  };
}

function parseHoldersCursor(cursor: string): { rank: number; balance: string; did: string } {
  const [rank, balance, ...rest] = cursor.split(':');
  return { rank: Number(rank), balance: balance ?? '0', did: rest.join(':') };
}
