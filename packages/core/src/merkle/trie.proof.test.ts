import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { utf8 } from '../bytes.ts';
import { sha3 } from '../crypto/provider.ts';
import { decodeProof, EMPTY_ROOT, encodeProof, getValueHash, proveKey, verifyProof } from './index.ts';
import { type Entry, filledValue, flipBit, MemoryStore, provedArb, RUNS, SLOW_MS, storeOf } from './trie.testkit.ts';

describe('proofs', () => {
  it(
    'prove every present key with its value hash, and no other value hash',
    () => {
      fc.assert(
        fc.property(provedArb, ({ store, present }) => {
          for (const [key, valueHash] of present) {
            const proof = proveKey(store, store.root, key);
            expect(verifyProof(store.root, key, valueHash, proof)).toBe(true);
            expect(verifyProof(store.root, key, flipBit(valueHash, 7), proof)).toBe(false);
            expect(verifyProof(store.root, key, null, proof)).toBe(false);
          }
        }),
        RUNS,
      );
    },
    SLOW_MS,
  );

  it(
    'prove every absent key absent, and not present with any value hash',
    () => {
      fc.assert(
        fc.property(provedArb, ({ store, absent }) => {
          for (const key of absent) {
            const proof = proveKey(store, store.root, key);
            expect(getValueHash(store, store.root, key)).toBeNull();
            expect(verifyProof(store.root, key, null, proof)).toBe(true);
            expect(verifyProof(store.root, key, filledValue(1), proof)).toBe(false);
            if (proof.leaf !== null) {
              expect(verifyProof(store.root, key, proof.leaf.valueHash, proof)).toBe(false);
            }
          }
        }),
        RUNS,
      );
    },
    SLOW_MS,
  );

  it(
    'fail when any sibling or the leaf is tampered with, or the proof is for another key',
    () => {
      fc.assert(
        fc.property(provedArb, fc.nat(), ({ store, present }, pick) => {
          fc.pre(present.length >= 2);
          const [key, valueHash] = present[pick % present.length] as Entry;
          const proof = proveKey(store, store.root, key);
          expect(proof.siblings.length).toBeGreaterThan(0);
          // The first, the last and one picked sibling: all of them would cost depth² hashes on chains.
          const n = proof.siblings.length;
          for (const i of new Set([0, n - 1, pick % n])) {
            const siblings = proof.siblings.slice();
            siblings[i] = flipBit(siblings[i] as Uint8Array, pick % 256);
            expect(verifyProof(store.root, key, valueHash, { ...proof, siblings })).toBe(false);
          }
          expect(verifyProof(store.root, key, valueHash, { ...proof, siblings: proof.siblings.slice(1) })).toBe(false);
          const tamperedLeaf = { key: flipBit(key, pick % 256), valueHash };
          expect(verifyProof(store.root, tamperedLeaf.key, valueHash, { ...proof, leaf: tamperedLeaf })).toBe(false);
          const [otherKey] = present[(pick + 1) % present.length] as Entry;
          expect(verifyProof(store.root, otherKey, null, proof)).toBe(false);
          expect(verifyProof(store.root, otherKey, valueHash, proof)).toBe(false);
        }),
        RUNS,
      );
    },
    SLOW_MS,
  );

  it('rejects a non-inclusion proof whose leaf does not share the path bits with the key', () => {
    const a = new Uint8Array(32);
    const b = flipBit(a, 0);
    const store = storeOf([[a, filledValue(1)]]);
    // The root is a's leaf with no siblings; any absent key is proved absent by it.
    expect(verifyProof(store.root, b, null, proveKey(store, store.root, b))).toBe(true);
    const two = storeOf([
      [a, filledValue(1)],
      [flipBit(a, 255), filledValue(2)],
    ]);
    const proof = proveKey(two, two.root, a);
    expect(verifyProof(two.root, b, null, proof)).toBe(false);
  });

  it('reject malformed proofs and arguments without throwing', () => {
    const key = sha3(utf8('a'));
    const store = storeOf([[key, filledValue(1)]]);
    const proof = proveKey(store, store.root, key);
    expect(verifyProof(store.root.slice(1), key, filledValue(1), proof)).toBe(false);
    expect(verifyProof(store.root, key.slice(1), filledValue(1), proof)).toBe(false);
    expect(verifyProof(store.root, key, new Uint8Array(31), proof)).toBe(false);
    expect(verifyProof(store.root, key, filledValue(1), { ...proof, siblings: [new Uint8Array(31)] })).toBe(false);
    const tooMany = Array.from({ length: 257 }, () => new Uint8Array(32));
    expect(verifyProof(store.root, key, filledValue(1), { ...proof, siblings: tooMany })).toBe(false);
    expect(verifyProof(store.root, key, filledValue(1), { siblings: [], leaf: { key: key.slice(1), valueHash: filledValue(1) } })).toBe(
      false,
    );
  });

  it('prove absence in the empty trie with an empty proof', () => {
    const key = sha3(utf8('a'));
    const proof = proveKey(new MemoryStore(), EMPTY_ROOT, key);
    expect(proof).toEqual({ siblings: [], leaf: null });
    expect(verifyProof(EMPTY_ROOT, key, null, proof)).toBe(true);
    expect(verifyProof(EMPTY_ROOT, key, filledValue(1), proof)).toBe(false);
  });

  it(
    'survive an encodeProof / JSON / decodeProof round trip',
    () => {
      fc.assert(
        fc.property(provedArb, ({ store, present, absent }) => {
          for (const key of [...present.map(([k]) => k), ...absent]) {
            const proof = proveKey(store, store.root, key);
            const decoded = decodeProof(JSON.parse(JSON.stringify(encodeProof(proof))));
            expect(decoded).toEqual(proof);
            expect(verifyProof(store.root, key, getValueHash(store, store.root, key), decoded)).toBe(true);
          }
        }),
        RUNS,
      );
    },
    SLOW_MS,
  );

  it('decodeProof rejects garbage with a TypeError', () => {
    const h = '11'.repeat(32);
    const garbage: unknown[] = [
      null,
      undefined,
      42,
      'proof',
      [],
      {},
      { siblings: 'x', leaf: null },
      { siblings: [h] },
      { siblings: [h.slice(2)], leaf: null },
      { siblings: [`${h}00`], leaf: null },
      { siblings: ['zz'.repeat(32)], leaf: null },
      { siblings: [42], leaf: null },
      { siblings: Array.from({ length: 257 }, () => h), leaf: null },
      { siblings: [], leaf: { key: h } },
      { siblings: [], leaf: { key: h, valueHash: 7 } },
      { siblings: [], leaf: [h, h] },
    ];
    for (const json of garbage) expect(() => decodeProof(json), JSON.stringify(json)).toThrow(TypeError);
    expect(decodeProof({ siblings: [h], leaf: null }).siblings[0]).toEqual(new Uint8Array(32).fill(0x11));
  });
});
