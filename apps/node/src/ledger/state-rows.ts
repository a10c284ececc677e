import { encodeEntry, type StateEntry, type StateKind, type StateWrite } from '@arc/core';
import type { Sql } from '../db/client.ts';
import { EconomyRows } from './economy-rows.ts';
import { hex } from './hex.ts';
import { MarketRows } from './market-rows.ts';
import { STATE_TABLES, splitId } from './state-tables.ts';

/** Upserts a block's state writes into their tables (one set-based statement per table) and deletes removed entries. */
export async function writeState(tx: Sql, writes: StateWrite[], height: number): Promise<void> {
  const acc = { did: [] as string[], nonce: [] as number[], balance: [] as string[], value: [] as string[] };
  const held = { did: [] as string[], token: [] as string[], balance: [] as string[] };
  const tok = { address: [] as string[], symbol: [] as string[], owner: [] as string[], created: [] as number[], value: [] as string[] };
  const ast = { address: [] as string[], owner: [] as string[], consumed: [] as boolean[], value: [] as string[] };
  const grt = { payer: [] as string[], grantee: [] as string[], value: [] as string[] };
  const removed = new Map<StateKind, string[]>();
  const market = new MarketRows();
  const economy = new EconomyRows();
  for (const w of writes) {
    if (w.value === null) {
      const { kind, key } = w as { kind: StateKind; key: string };
      removed.set(kind, [...(removed.get(kind) ?? []), key.slice(kind.length + 1)]);
      continue;
    }
    const entry = w as StateEntry;
    const value = hex(encodeEntry(entry));
    switch (entry.kind) {
      case 'account':
        acc.did.push(entry.value.did);
        acc.nonce.push(entry.value.nonce);
        acc.balance.push(entry.value.balance.toString());
        acc.value.push(value);
        for (const [token, balance] of entry.value.tokens) {
          held.did.push(entry.value.did);
          held.token.push(token);
          held.balance.push(balance.toString());
        }
        break;
      case 'token':
        tok.address.push(entry.value.address);
        tok.symbol.push(entry.value.symbol);
        tok.owner.push(entry.value.owner);
        tok.created.push(entry.value.createdAtHeight);
        tok.value.push(value);
        break;
      case 'asset':
        ast.address.push(entry.value.address);
        ast.owner.push(entry.value.owner);
        ast.consumed.push(entry.value.consumed);
        ast.value.push(value);
        break;
      case 'grant':
        grt.payer.push(entry.value.payer);
        grt.grantee.push(entry.value.grantee);
        grt.value.push(value);
        break;
      case 'stake':
      case 'application':
      case 'receipt':
        economy.add(entry, value);
        break;
      default:
        market.add(entry, value);
        break;
    }
  }
  await market.write(tx, height);
  await economy.write(tx);
  if (acc.did.length > 0) {
    await tx.query(
      `INSERT INTO accounts (did, nonce, balance, value, updated_height)
       SELECT d, n, b::numeric, decode(v,'hex'), $1 FROM unnest($2::text[], $3::bigint[], $4::text[], $5::text[]) AS x(d, n, b, v)
       ON CONFLICT (did) DO UPDATE SET nonce = EXCLUDED.nonce, balance = EXCLUDED.balance, value = EXCLUDED.value, updated_height = EXCLUDED.updated_height`,
      [height, acc.did, acc.nonce, acc.balance, acc.value],
    );
    await writeTokenBalances(tx, acc.did, held);
  }
  if (tok.address.length > 0) {
    await tx.query(
      `INSERT INTO tokens (address, symbol, owner, created_height, value)
       SELECT a, s, o, c, decode(v,'hex') FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[]) AS x(a, s, o, c, v)
       ON CONFLICT (address) DO UPDATE SET owner = EXCLUDED.owner, value = EXCLUDED.value`,
      [tok.address, tok.symbol, tok.owner, tok.created, tok.value],
    );
  }
  if (ast.address.length > 0) {
    await tx.query(
      `INSERT INTO assets (address, owner, consumed, updated_height, value)
       SELECT a, o, c::bool, $1, decode(v,'hex') FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) AS x(a, o, c, v)
       ON CONFLICT (address) DO UPDATE SET owner = EXCLUDED.owner, consumed = EXCLUDED.consumed, updated_height = EXCLUDED.updated_height, value = EXCLUDED.value`,
      // postgres.js sends a boolean array as one boolean, so the flags travel as text.
      [height, ast.address, ast.owner, ast.consumed.map(String), ast.value],
    );
  }
  if (grt.payer.length > 0) {
    await tx.query(
      `INSERT INTO grants (payer, grantee, value)
       SELECT p, g, decode(v,'hex') FROM unnest($1::text[], $2::text[], $3::text[]) AS x(p, g, v)
       ON CONFLICT (payer, grantee) DO UPDATE SET value = EXCLUDED.value`,
      [grt.payer, grt.grantee, grt.value],
    );
  }
  for (const [kind, ids] of removed) await deleteState(tx, kind, ids);
}

/** Deletes entries by id (a revoked grant; any kind the ledger removes), by the primary key as fetchState reads it. */
async function deleteState(tx: Sql, kind: StateKind, ids: string[]): Promise<void> {
  const { table, idSql, split } = STATE_TABLES[kind];
  if (split) {
    const parts = ids.map((id) => splitId(id, split.sep));
    const [a, b] = split.columns;
    await tx.query(`DELETE FROM ${table} USING unnest($1::text[], $2::text[]) AS x(a, b) WHERE ${a} = x.a AND ${b} = x.b`, [
      parts.map((p) => p[0]),
      parts.map((p) => p[1]),
    ]);
  } else {
    await tx.query(`DELETE FROM ${table} WHERE ${idSql} = ANY($1::text[])`, [ids]);
  }
  // The token-holder index follows its accounts.
  if (kind === 'account') await tx.query('DELETE FROM token_balances WHERE did = ANY($1::text[])', [ids]);
}

/** Rewrites the token-holder index rows of the written accounts: a token an account no longer holds loses its row. */
export async function writeTokenBalances(
  tx: Sql,
  dids: string[],
  held: { did: string[]; token: string[]; balance: string[] },
): Promise<void> {
  await tx.query('DELETE FROM token_balances WHERE did = ANY($1::text[])', [dids]);
  if (held.did.length === 0) return;
  await tx.query(
    `INSERT INTO token_balances (did, token, balance)
     SELECT d, t, b::numeric FROM unnest($1::text[], $2::text[], $3::text[]) AS x(d, t, b)`,
    [held.did, held.token, held.balance],
  );
}
