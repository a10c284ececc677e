import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isEmptyHash, nodeKey } from './node.ts';
import { inBatches, MemoryStore, RUNS, SLOW_MS, scenarioArb, toUpdates } from './trie.testkit.ts';
import { type TrieNode, updateTrie } from './trie.ts';

/** Every node hash the root reaches (the empty subtree is no node). */
function reachable(nodes: Map<string, TrieNode>, root: Uint8Array): Set<string> {
  const out = new Set<string>();
  const stack = [root];
  while (stack.length > 0) {
    const hash = stack.pop() as Uint8Array;
    if (isEmptyHash(hash)) continue;
    const key = nodeKey(hash);
    if (out.has(key)) continue;
    const node = nodes.get(key);
    if (!node) throw new Error(`node ${key} is missing`);
    out.add(key);
    if (node.kind === 'internal') stack.push(node.left, node.right);
  }
  return out;
}

describe('stale trie nodes', () => {
  it(
    'names exactly the old nodes the new root no longer reaches (a store deletes them once no kept root needs them)',
    () => {
      fc.assert(
        fc.property(scenarioArb, ({ keys, writes, batchSizes }) => {
          const store = new MemoryStore();
          for (const batch of inBatches(toUpdates(keys, writes), batchSizes)) {
            const before = reachable(store.nodes, store.root);
            const { root, created, stale } = updateTrie(store, store.root, batch);
            for (const [hex, node] of created) store.nodes.set(hex, node);
            const after = reachable(store.nodes, root);
            // Sound: nothing the new root reaches is stale unless this update built it again.
            for (const hex of stale) expect(after.has(hex) && !created.has(hex)).toBe(false);
            // Complete: every old node the new root does not reach is stale.
            for (const hex of before) if (!after.has(hex)) expect(stale.has(hex)).toBe(true);
            store.root = root;
          }
        }),
        RUNS,
      );
    },
    SLOW_MS,
  );
});
