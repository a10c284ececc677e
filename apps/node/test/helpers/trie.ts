import { decodeNode, isEmptyHash, toHex } from '@arc/core';
import { expect } from 'vitest';
import type { Sql } from '../../src/db/client.ts';
import { NODES_BY_HASH } from '../../src/ledger/trie-rows.ts';

/** Adds every trie node a root reaches, read from the trie_nodes table, to `into`; a missing node fails the test. */
export async function reachableTrieNodes(db: Sql, root: Uint8Array, into: Set<string>): Promise<void> {
  let frontier = [root];
  while (frontier.length > 0) {
    const wanted = [...new Set(frontier.filter((h) => !isEmptyHash(h) && !into.has(toHex(h))).map(toHex))];
    if (wanted.length === 0) return;
    const rows = await db.query<{ hash: Uint8Array; node: Uint8Array }>(NODES_BY_HASH, [wanted]);
    expect(rows.length, 'every node a kept root reaches is stored').toBe(wanted.length);
    frontier = [];
    for (const row of rows) {
      into.add(toHex(row.hash));
      const node = decodeNode(new Uint8Array(row.node));
      if (node.kind === 'internal') frontier.push(node.left, node.right);
    }
  }
}
