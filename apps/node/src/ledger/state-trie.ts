import {
  applyWritesToTrie,
  EMPTY_ROOT,
  entryKey,
  entryValueHash,
  nodeKey,
  proveKey,
  type StateEntry,
  stateKeyHash,
  type TrieNode,
  type TrieNodeReader,
  type TrieProof,
  type TrieUpdateResult,
  updateTrie,
} from '@arc/core';
import type { LedgerStore } from './store.ts';

/** How many recent state roots stay provable. */
const RETAINED_ROOTS = 16;
const REBUILD_BATCH = 5000;

/**
 * The state trie's nodes, held in memory. It is derived data: the database's state rows are the
 * record, the trie is rebuilt from them at start and must reproduce the last block's state root.
 * Old nodes are swept once the node map has grown to twice what the retained roots reach.
 */
export class StateTrie implements TrieNodeReader {
  private readonly nodes = new Map<string, TrieNode>();
  private roots: Uint8Array[] = [EMPTY_ROOT];
  private liveAfterSweep = 0;

  get root(): Uint8Array {
    return this.roots[this.roots.length - 1] as Uint8Array;
  }

  get nodeCount(): number {
    return this.nodes.size;
  }

  get(hashHex: string): TrieNode | undefined {
    return this.nodes.get(hashHex);
  }

  /** Makes an update current (after its block is committed): core's proposeBlock and validateBlock prepare it. */
  commit(update: TrieUpdateResult): void {
    for (const [hash, node] of update.created) this.nodes.set(hash, node);
    this.roots.push(update.root);
    if (this.roots.length > RETAINED_ROOTS) this.roots.shift();
    if (this.nodes.size > 2 * this.liveAfterSweep + 10_000) this.sweep();
  }

  /** A proof for a state key against the current root. */
  prove(key: string): TrieProof {
    return proveKey(this, this.root, stateKeyHash(key));
  }

  /** Rebuilds from every state row; returns the root it reaches. */
  async rebuild(store: LedgerStore): Promise<Uint8Array> {
    this.nodes.clear();
    let root = EMPTY_ROOT;
    let batch: { key: Uint8Array; valueHash: Uint8Array }[] = [];
    const flush = () => {
      const result = updateTrie(this, root, batch);
      for (const [hash, node] of result.created) this.nodes.set(hash, node);
      root = result.root;
      batch = [];
    };
    for await (const page of store.allState()) {
      for (const entry of page) batch.push({ key: stateKeyHash(entryKey(entry)), valueHash: entryValueHash(entry) });
      if (batch.length >= REBUILD_BATCH) flush();
    }
    if (batch.length > 0) flush();
    this.roots = [root];
    this.sweep();
    return root;
  }

  /** Builds the trie of a known set of entries (genesis). */
  seed(entries: StateEntry[]): TrieUpdateResult {
    return applyWritesToTrie(this, EMPTY_ROOT, entries);
  }

  private sweep(): void {
    const live = new Set<string>();
    const stack = this.roots.map((r) => nodeKey(r));
    while (stack.length > 0) {
      const hash = stack.pop() as string;
      if (live.has(hash)) continue;
      const node = this.nodes.get(hash);
      if (!node) continue; // the empty subtree
      live.add(hash);
      if (node.kind === 'internal') stack.push(nodeKey(node.left), nodeKey(node.right));
    }
    for (const hash of this.nodes.keys()) if (!live.has(hash)) this.nodes.delete(hash);
    this.liveAfterSweep = live.size;
  }
}
