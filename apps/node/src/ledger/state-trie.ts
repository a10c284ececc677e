import {
  bitAt,
  decodeNode,
  EMPTY_ROOT,
  HASH_BYTES,
  INTERNAL_NODE_TAG,
  isEmptyHash,
  KEY_BITS,
  nodeKey,
  proveKey,
  type StateKind,
  stateKey,
  stateKeyHash,
  type TrieNode,
  TrieNodeMissing,
  type TrieNodeReader,
  type TrieProof,
  type TrieUpdateResult,
  toHex,
} from '@arc/core';
import type { Database, Sql } from '../db/client.ts';
import { PeriodicPass } from '../db/periodic.ts';
import { keysOfKind, STATE_TABLES, type StateKeys } from './state-tables.ts';
import type { LedgerStore } from './store.ts';
import { insertNodes, NODES_BY_HASH, TrieFold } from './trie-rows.ts';

/** The trie's limits: its in-memory cache and how many recent blocks' roots stay provable. */
export interface TrieLimits {
  /** Trie nodes kept in memory (an estimate: NODE_MEMORY_BYTES each), in MB. */
  cacheMb: number;
  /** Blocks whose state roots stay provable (the head and the ones before it); older nodes are pruned. */
  retainBlocks: number;
}

export const TRIE_LIMITS_DEFAULT: TrieLimits = { cacheMb: 256, retainBlocks: 128 };
/** What one cached node costs in memory: two 32-byte arrays, the node object, its hex key and the map entry. */
const NODE_MEMORY_BYTES = 320;
/** Nodes asked for in one query while walking paths. */
const LOAD_BATCH = 10_000;
/** How often trie nodes no kept root reaches are deleted (off the blocks' path, a few blocks' records a pass). */
const TRIE_PRUNE_INTERVAL_MS = 1000;
const TRIE_PRUNE_HEIGHTS_PER_PASS = 8;
/** Blocks' stale records one prune call handles (each its own transaction). */
const PRUNE_HEIGHTS_PER_PASS = 64;

/**
 * The state trie, stored in the database (trie_nodes, content-addressed, written in each block's transaction) with a
 * bounded cache of nodes in memory. Core's trie code reads nodes synchronously, so a block's paths are loaded first
 * (`load`) into a reader of its own; a proof does the same for one key. Nodes the head's root no longer reaches are
 * recorded (trie_stale) and deleted once their block leaves the kept window: roots of the last `retainBlocks` blocks
 * stay provable. Start-up reads nothing but the head's root.
 */
export class StateTrie {
  /** Most recently used last (a Map keeps insertion order; a hit moves the node to the end). */
  private readonly cache = new Map<string, TrieNode>();
  private readonly cacheMax: number;
  private pruning: PeriodicPass | null = null;
  private current: Uint8Array = EMPTY_ROOT;
  /** The first height whose root the trie tables hold (0, or the height a chain moved to the tables at). */
  private storedFrom = 0;

  constructor(
    private readonly db: Database,
    readonly limits: TrieLimits = TRIE_LIMITS_DEFAULT,
  ) {
    this.cacheMax = Math.max(1024, Math.floor((limits.cacheMb * 1024 * 1024) / NODE_MEMORY_BYTES));
  }

  get root(): Uint8Array {
    return this.current;
  }

  /** Nodes in memory now. */
  get cachedNodes(): number {
    return this.cache.size;
  }

  /** Where the trie stands after a start or a reload: the head's root (its nodes are read when needed). */
  reset(root: Uint8Array, storedFrom: number = this.storedFrom): void {
    this.current = root;
    this.storedFrom = storedFrom;
    this.cache.clear();
  }

  /** The lowest height whose state root is provable while the head is at `head`. */
  provableFrom(head: number): number {
    return Math.max(this.storedFrom, head - this.limits.retainBlocks, 0);
  }

  /** True when the database holds the root's node (or the root is the empty trie's). */
  async has(root: Uint8Array): Promise<boolean> {
    if (isEmptyHash(root)) return true;
    const rows = await this.db.query('SELECT 1 FROM trie_nodes WHERE hash = $1', [root]);
    return rows.length > 0;
  }

  /**
   * A reader holding every node on the paths from `root` to these keys (state key hashes), loaded level by level
   * (one query per level for what the cache lacks); with `siblings`, also the other child of each node on the way
   * (an update that deletes a key reads it to fold the path). Core's update and proof code read through it
   * synchronously.
   */
  async load(
    root: Uint8Array,
    keyHashes: Iterable<Uint8Array>,
    siblings = false,
    pending?: ReadonlyMap<string, TrieNode>,
  ): Promise<TrieNodeReader> {
    const held = new Map<string, TrieNode>();
    let frontier: { hash: Uint8Array; keys: Uint8Array[]; depth: number }[] = [{ hash: root, keys: [...keyHashes], depth: 0 }];
    while (frontier.length > 0) {
      const wanted = new Map<string, Uint8Array>();
      for (const { hash } of frontier) {
        if (isEmptyHash(hash)) continue;
        const id = nodeKey(hash);
        const cached = this.touch(id) ?? pending?.get(id);
        if (cached) held.set(id, cached);
        else if (!held.has(id)) wanted.set(id, hash);
      }
      for (const [id, node] of await this.fetch(wanted)) {
        held.set(id, node);
        this.remember(id, node);
      }
      const next: typeof frontier = [];
      for (const { hash, keys, depth } of frontier) {
        if (isEmptyHash(hash)) continue;
        const node = held.get(nodeKey(hash));
        if (!node) throw new TrieNodeMissing(toHex(hash));
        if (node.kind === 'leaf' || keys.length === 0) continue;
        const left = keys.filter((k) => bitAt(k, depth) === 0);
        const right = keys.filter((k) => bitAt(k, depth) === 1);
        if (left.length > 0 || siblings) next.push({ hash: node.left, keys: left, depth: depth + 1 });
        if (right.length > 0 || siblings) next.push({ hash: node.right, keys: right, depth: depth + 1 });
      }
      frontier = next;
    }
    return {
      get: (id: string) => held.get(id) ?? this.touch(id) ?? pending?.get(id),
    };
  }

  /**
   * Runs a block's apply (`build`) with the trie paths of every state key it may touch loaded from the database. A
   * block that deletes a key also reads the sibling on its path: on such a miss the paths are loaded again with
   * their siblings. `pending`: the nodes of a block still committing, which `root` may be (not yet in the database).
   */
  async build<T>(
    root: Uint8Array,
    keys: StateKeys,
    build: (trie: TrieNodeReader) => T,
    pending?: ReadonlyMap<string, TrieNode>,
  ): Promise<T> {
    const hashes: Uint8Array[] = [];
    for (const kind of Object.keys(STATE_TABLES) as StateKind[]) {
      for (const id of keysOfKind(keys, kind)) hashes.push(stateKeyHash(stateKey(kind, id)));
    }
    try {
      return build(await this.load(root, hashes, false, pending));
    } catch (error) {
      if (!(error instanceof TrieNodeMissing)) throw error;
      return build(await this.load(root, hashes, true, pending));
    }
  }

  /** A proof for a state key against `root` (default: the head's); the root must be one the database still holds. */
  async prove(key: string, root: Uint8Array = this.current): Promise<TrieProof> {
    const keyHash = stateKeyHash(key);
    return proveKey(await this.loadPath(root, keyHash), root, keyHash);
  }

  /**
   * The nodes on one key's path: from the cache as far as it holds them, the rest in one query (a recursive walk in
   * the database, each step choosing the child by the key's bit at that depth) instead of one query per level: at a
   * million accounts a path is about 20 nodes deep.
   */
  private async loadPath(root: Uint8Array, keyHash: Uint8Array): Promise<TrieNodeReader> {
    const held = new Map<string, TrieNode>();
    let hash = root;
    let depth = 0;
    while (!isEmptyHash(hash)) {
      const id = nodeKey(hash);
      const node = this.touch(id);
      if (!node) break;
      held.set(id, node);
      if (node.kind === 'leaf') return { get: (wanted) => held.get(wanted) };
      hash = bitAt(keyHash, depth) === 0 ? node.left : node.right;
      depth += 1;
    }
    if (!isEmptyHash(hash)) {
      const rows = await this.db.query<{ hash: Uint8Array; node: Uint8Array }>(
        `WITH RECURSIVE path (hash, node, depth) AS (
           (SELECT hash, node, $2::int FROM trie_nodes WHERE hash = decode($1, 'hex') LIMIT 1)
           UNION ALL
           SELECT child.hash, child.node, path.depth + 1
           FROM path CROSS JOIN LATERAL (SELECT hash, node FROM trie_nodes WHERE hash = CASE
             WHEN get_bit(decode($3, 'hex'), (path.depth / 8) * 8 + 7 - path.depth % 8) = 0 THEN substring(path.node FROM 2 FOR 32)
             ELSE substring(path.node FROM 34 FOR 32) END LIMIT 1) AS child
           WHERE get_byte(path.node, 0) = ${INTERNAL_NODE_TAG} AND path.depth < ${KEY_BITS - 1}
         )
         SELECT hash, node FROM path`,
        [toHex(hash), depth, toHex(keyHash)],
      );
      for (const row of rows) {
        const id = toHex(row.hash);
        const node = decodeNode(new Uint8Array(row.node));
        held.set(id, node);
        this.remember(id, node);
      }
    }
    return { get: (wanted) => held.get(wanted) };
  }

  /**
   * Makes a committed block's update current: its nodes join the cache (the database has them already), and the ones
   * its root no longer reaches leave it (only a proof at an older height wants them, and reads them from the database).
   */
  commit(update: TrieUpdateResult): void {
    for (const id of update.stale) this.cache.delete(id);
    for (const [id, node] of update.created) this.remember(id, node);
    this.current = update.root;
  }

  /**
   * Writes a block's trie update in the block's own transaction: the nodes it built (a node built again gets a row
   * of its own at this height) and, in one row, the hashes of the nodes its root no longer reaches (for `prune`).
   */
  async write(tx: Sql, height: number, update: TrieUpdateResult): Promise<void> {
    await insertNodes(tx, height, update.created);
    if (update.stale.size === 0) return;
    // One hex text, decoded by the database: a bytea parameter this size costs PGlite more than the text does.
    await tx.query(`INSERT INTO trie_stale (height, hashes) VALUES ($1, decode($2, 'hex'))`, [height, [...update.stale].join('')]);
  }

  /**
   * Deletes the nodes no kept root reaches: the rows of those gone stale at a height at or below `head - retainBlocks`
   * written before that height (a block that built one again wrote a row of its own, which stays). Runs off the blocks'
   * path, at most `heightsMax` stale records per call, each in its own transaction; answers how many it handled.
   */
  async prune(head: number, heightsMax = PRUNE_HEIGHTS_PER_PASS): Promise<number> {
    const cut = head - this.limits.retainBlocks;
    if (cut < 1) return 0;
    const rows = await this.db.query<{ height: number; hashes: Uint8Array }>(
      'SELECT height::float8 AS height, hashes FROM trie_stale WHERE height <= $1 ORDER BY height LIMIT $2',
      [cut, heightsMax],
    );
    for (const row of rows) {
      const packed = new Uint8Array(row.hashes);
      const ids: string[] = [];
      for (let at = 0; at + HASH_BYTES <= packed.length; at += HASH_BYTES) ids.push(toHex(packed.subarray(at, at + HASH_BYTES)));
      await this.db.transaction(async (tx) => {
        // The rows found through the index (a lateral probe per hash), then deleted by their row ids.
        await tx.query(
          `DELETE FROM trie_nodes WHERE ctid = ANY (ARRAY(SELECT y.ctid FROM unnest($1::text[]) AS x(h)
             CROSS JOIN LATERAL (SELECT ctid FROM trie_nodes WHERE hash = decode(x.h, 'hex') AND height < $2) AS y))`,
          [ids, row.height],
        );
        await tx.query('DELETE FROM trie_stale WHERE height = $1', [row.height]);
      });
    }
    return rows.length;
  }

  /**
   * Builds the trie of every state row and writes its nodes at `height` (a chain stored before the trie tables
   * existed: the migration to them). Answers the root, which the caller compares with the head's.
   */
  async buildFromRows(store: LedgerStore, height: number, log: (line: string) => void): Promise<Uint8Array> {
    const folded = new TrieFold();
    for await (const page of store.allState()) folded.add(page);
    const root = await this.db.transaction((tx) => folded.write(tx, height));
    this.storedFrom = height;
    log(`stored the state trie: ${folded.nodes} nodes over ${folded.entries} state entries`);
    return root;
  }

  private touch(id: string): TrieNode | undefined {
    const node = this.cache.get(id);
    if (node !== undefined) {
      this.cache.delete(id);
      this.cache.set(id, node);
    }
    return node;
  }

  private remember(id: string, node: TrieNode): void {
    this.cache.delete(id);
    this.cache.set(id, node);
    if (this.cache.size > this.cacheMax) {
      // Evict the least recently used tenth at once: one pass, not one per insert.
      let drop = Math.ceil(this.cacheMax / 10);
      for (const key of this.cache.keys()) {
        if (drop-- <= 0) break;
        this.cache.delete(key);
      }
    }
  }

  /**
   * Prunes in the background: every TRIE_PRUNE_INTERVAL_MS, a few blocks' stale records, each its own short
   * transaction, so a block's commit waits for at most one of them.
   */
  startPruning(head: () => number, log: (line: string) => void): void {
    this.pruning ??= new PeriodicPass(TRIE_PRUNE_INTERVAL_MS, () =>
      this.prune(head(), TRIE_PRUNE_HEIGHTS_PER_PASS).then(
        () => undefined,
        (error: unknown) => log(`trie pruning stopped (the next pass resumes): ${(error as Error).message}`),
      ),
    );
    this.pruning.start();
  }

  async stopPruning(): Promise<void> {
    await this.pruning?.stop();
  }

  /** Prunes everything due now; answers how many blocks' records it went through. */
  async pruneAll(head: number): Promise<number> {
    let done = 0;
    for (;;) {
      const handled = await this.prune(head);
      if (handled === 0) return done;
      done += handled;
    }
  }

  private async fetch(wanted: Map<string, Uint8Array>): Promise<Map<string, TrieNode>> {
    const out = new Map<string, TrieNode>();
    const ids = [...wanted.keys()];
    for (let at = 0; at < ids.length; at += LOAD_BATCH) {
      const rows = await this.db.query<{ hash: Uint8Array; node: Uint8Array }>(NODES_BY_HASH, [ids.slice(at, at + LOAD_BATCH)]);
      for (const row of rows) out.set(toHex(row.hash), decodeNode(new Uint8Array(row.node)));
    }
    return out;
  }
}
