import type { Sql } from './client.ts';

/**
 * In an index's write transaction: waits for any other process of a cloud node writing the same index, then answers
 * the height the index already holds, so each block's rows are written once whichever process heard of it first
 * (the rows above that height are this transaction's to write). `meta`: the index's one-row height table.
 */
export async function claimIndex(sql: Sql, meta: 'market_index_meta' | 'blocklet_index_meta'): Promise<number> {
  await sql.query('SELECT pg_advisory_xact_lock(hashtext($1))', [meta]);
  const [row] = await sql.query<{ height: number }>(`SELECT height::float8 AS height FROM ${meta} WHERE id = 1`);
  return row?.height ?? 0;
}
