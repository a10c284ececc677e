import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex } from '../bytes.ts';
import { EMPTY_ROOT, encodeNode, hashNode, nodeKey, updateTrie } from './index.ts';
import { WholeTrieBuilder } from './whole-trie.ts';

const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 });
/** Keys that share long prefixes too (chains of one-child internal nodes), not only random ones. */
const key = fc.oneof(
  bytes32,
  fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 255 })).map(([lead, last]) => {
    const k = new Uint8Array(32);
    k[0] = lead;
    k[31] = last;
    return k;
  }),
);

function built(leaves: { key: Uint8Array; valueHash: Uint8Array }[]) {
  const builder = new WholeTrieBuilder();
  for (const leaf of leaves) builder.add(leaf.key, leaf.valueHash);
  const nodes = new Map<string, string>();
  for (const { hash, node } of builder.nodes()) {
    // Each node is its own hash's preimage, and comes after its children.
    expect(toHex(hashNode(node))).toBe(toHex(hash));
    if (node.kind === 'internal') {
      for (const child of [node.left, node.right]) if (child.some((b) => b !== 0)) expect(nodes.has(nodeKey(child))).toBe(true);
    }
    expect(nodes.has(nodeKey(hash))).toBe(false);
    nodes.set(nodeKey(hash), toHex(encodeNode(node)));
  }
  return { root: builder.root, nodes };
}

describe('whole trie builder', () => {
  it('builds exactly the trie updateTrie builds from the empty trie: the same root and the same nodes, once each', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ key, valueHash: bytes32 }), { maxLength: 200 }), (leaves) => {
        const expected = updateTrie({ get: () => undefined }, EMPTY_ROOT, leaves);
        const { root, nodes } = built(leaves);
        expect(toHex(root)).toBe(toHex(expected.root));
        expect(nodes).toEqual(new Map([...expected.created].map(([id, node]) => [id, toHex(encodeNode(node))])));
      }),
      { numRuns: 300 },
    );
  });

  it('keeps the last value of a key added twice, as a batch of writes does', () => {
    const k = new Uint8Array(32).fill(7);
    const first = new Uint8Array(32).fill(1);
    const last = new Uint8Array(32).fill(2);
    const other = new Uint8Array(32).fill(9);
    const leaves = [
      { key: k, valueHash: first },
      { key: other, valueHash: first },
      { key: k, valueHash: last },
    ];
    expect(toHex(built(leaves).root)).toBe(toHex(updateTrie({ get: () => undefined }, EMPTY_ROOT, leaves).root));
  });

  it('has the empty root for no leaves, and tells a caller who asks for the root too early', () => {
    const builder = new WholeTrieBuilder();
    expect(() => builder.root).toThrow(/not built yet/);
    expect([...builder.nodes()]).toEqual([]);
    expect(toHex(builder.root)).toBe(toHex(EMPTY_ROOT));
  });
});
