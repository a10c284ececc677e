import { type BlockCandidate, decodeHeader, decodeSeal } from '@arc/core';
import type { Database } from '../../src/db/client.ts';

/** Block `height` of a node as it travels: its header, seal and transactions' bytes from the node's database. */
export async function blockOf(node: { db: Database }, height: number): Promise<BlockCandidate> {
  const [row] = await node.db.query<{ header: Uint8Array; seal: Uint8Array }>('SELECT header, seal FROM blocks WHERE height = $1', [
    height,
  ]);
  if (!row) throw new Error(`no block ${height}`);
  const txs = await node.db.query<{ bytes: Uint8Array }>('SELECT bytes FROM txs WHERE height = $1 ORDER BY idx', [height]);
  return {
    header: decodeHeader(new Uint8Array(row.header)),
    seal: decodeSeal(new Uint8Array(row.seal)),
    txs: txs.map((t) => new Uint8Array(t.bytes)),
  };
}
