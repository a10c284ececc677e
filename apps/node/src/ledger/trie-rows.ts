import { encodeNode, entryKey, entryValueHash, nodeKey, type StateEntry, stateKeyHash, type TrieNode, WholeTrieBuilder } from '@arc/core';
import type { Sql } from '../db/client.ts';
import { hex } from './hex.ts';

/** Nodes written per statement when a chain's trie is built from its state rows (migration, snapshot import). */
const MIGRATE_BATCH = 5_000;

/** The trie of a whole state: its entries gathered page by page, then built once and written (core's WholeTrieBuilder). */
export class TrieFold {
  readonly #builder = new WholeTrieBuilder();
  /** State entries added. */
  entries = 0;
  /** Nodes written (once written). */
  nodes = 0;

  add(page: StateEntry[]): void {
    for (const entry of page) this.#builder.add(stateKeyHash(entryKey(entry)), entryValueHash(entry));
    this.entries += page.length;
  }

  /** The root of the entries added (once written). */
  get root(): Uint8Array {
    return this.#builder.root;
  }

  /**
   * Builds the trie of every entry added and writes its nodes at `height`, which becomes the first height whose root
   * is stored, MIGRATE_BATCH nodes a statement as they are made (the trie is never held whole); answers the root.
   */
  async write(tx: Sql, height: number): Promise<Uint8Array> {
    let batch = new Map<string, TrieNode>();
    for (const { hash, node } of this.#builder.nodes()) {
      batch.set(nodeKey(hash), node);
      if (batch.size >= MIGRATE_BATCH) {
        await insertNodes(tx, height, batch);
        this.nodes += batch.size;
        batch = new Map();
      }
    }
    await insertNodes(tx, height, batch);
    this.nodes += batch.size;
    // Statistics for the planner at once (a bulk load leaves none until the vacuum job's next pass): trie lookups go
    // through the hash index only when the planner knows the hashes are distinct.
    await tx.query('ANALYZE trie_nodes');
    await setStoredFrom(tx, height);
    return this.root;
  }
}

/** chain_meta: the first height whose root the trie tables hold. */
export const TRIE_STORED_FROM = 'trieStoredFrom';

export async function setStoredFrom(tx: Sql, height: number): Promise<void> {
  await tx.query('INSERT INTO chain_meta (key, value) VALUES ($1, $2::jsonb) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value', [
    TRIE_STORED_FROM,
    JSON.stringify(height),
  ]);
}

/**
 * Writes trie nodes at `height`: a row each, without a uniqueness check (a node built again after it went stale gets
 * a second row, which pruning tells from the older one by its height; schema.ts).
 */
export async function insertNodes(tx: Sql, height: number, nodes: Map<string, TrieNode>): Promise<void> {
  if (nodes.size === 0) return;
  const ids: string[] = [];
  const bodies: string[] = [];
  for (const [id, node] of nodes) {
    ids.push(id);
    bodies.push(hex(encodeNode(node)));
  }
  await tx.query(
    `INSERT INTO trie_nodes (hash, node, height) SELECT decode(h, 'hex'), decode(n, 'hex'), $1 FROM unnest($2::text[], $3::text[]) AS x(h, n)`,
    [height, ids, bodies],
  );
}

/**
 * Rows of trie nodes by hash (hex), each looked up through the hash index: a lateral probe per hash, a plan that
 * does not depend on the table's statistics (with `hash IN (…)` and no statistics yet, the planner may scan the table).
 */
export const NODES_BY_HASH = `SELECT y.hash, y.node FROM unnest($1::text[]) AS x(h)
  CROSS JOIN LATERAL (SELECT hash, node FROM trie_nodes WHERE hash = decode(x.h, 'hex') LIMIT 1) AS y`;
