import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesEqual, toHex, utf8 } from '../bytes.ts';
import { sha3 } from '../crypto/provider.ts';
import {
  decodeNode,
  EMPTY_ROOT,
  encodeNode,
  getValueHash,
  hashNode,
  nodeKey,
  proveKey,
  type TrieNode,
  type TrieUpdate,
  updateTrie,
} from './index.ts';
import {
  bytes32,
  countingHashes,
  type Entry,
  filledValue,
  finalSet,
  flipBit,
  hex,
  inBatches,
  keysArb,
  leafHash,
  MemoryStore,
  RUNS,
  referenceRoot,
  SLOW_MS,
  scenarioArb,
  shuffled,
  storeOf,
  toUpdates,
} from './trie.testkit.ts';

describe('trie shape', () => {
  it('stores nodes under nodeKey(hash), the same string as toHex(hash), for any hash (and any other length)', () => {
    fc.assert(fc.property(bytes32, (hash) => nodeKey(hash) === toHex(hash)));
    expect(nodeKey(Uint8Array.from([0, 15, 255]))).toBe('000fff');
  });

  it('has EMPTY_ROOT (32 zero bytes) as the root of an empty trie', () => {
    expect(hex(EMPTY_ROOT)).toBe('00'.repeat(32));
    expect(hex(new MemoryStore().root)).toBe(hex(EMPTY_ROOT));
    const store = new MemoryStore();
    store.apply([]);
    expect(hex(store.root)).toBe(hex(EMPTY_ROOT));
  });

  it('has the leaf hash sha3(0x00 || key || valueHash) as the root of a one-leaf trie', () => {
    const key = sha3(utf8('a'));
    const valueHash = sha3(utf8('1'));
    const store = new MemoryStore();
    store.apply([{ key, valueHash }]);
    expect(hex(store.root)).toBe(hex(sha3(new Uint8Array([0, ...key, ...valueHash]))));
  });

  it('hashes an internal node as sha3(0x01 || left || right), bit 0 going left', () => {
    const low = new Uint8Array(32);
    const high = new Uint8Array(32).fill(0xff);
    const store = storeOf([
      [high, filledValue(2)],
      [low, filledValue(1)],
    ]);
    const expected = sha3(new Uint8Array([1, ...leafHash(low, filledValue(1)), ...leafHash(high, filledValue(2))]));
    expect(hex(store.root)).toBe(hex(expected));
  });

  it('builds a chain of one-empty-child nodes down to the first differing bit', () => {
    const key = sha3(utf8('chain'));
    const store = storeOf([
      [key, filledValue(1)],
      [flipBit(key, 255), filledValue(2)],
    ]);
    expect(store.nodes.size).toBe(2 + 256);
    expect(proveKey(store, store.root, key).siblings).toHaveLength(256);
  });

  it('keeps a golden root for sha3 of a, b, c with value hashes sha3 of 1, 2, 3', () => {
    const entries = (['a', 'b', 'c'] as const).map((name, i) => [sha3(utf8(name)), sha3(utf8(String(i + 1)))] as Entry);
    const store = storeOf(entries);
    expect(hex(store.root)).toBe('9c618467d04ff4786d97b388a15c7e714640734b1b5284ea47f155534e0d5a01');
    expect(hex(referenceRoot(entries))).toBe(hex(store.root));
  });
});

describe('updateTrie', () => {
  it(
    'gives the same root for the same final set whatever the batching and order (canonical form)',
    () => {
      fc.assert(
        fc.property(scenarioArb, ({ keys, writes, batchSizes, shuffleSeed }) => {
          const updates = toUpdates(keys, writes);
          const incremental = new MemoryStore();
          for (const batch of inBatches(updates, batchSizes)) incremental.apply(batch);

          const entries = finalSet(updates);
          const oneBatch = storeOf(shuffled(entries, shuffleSeed));
          const oneByOne = new MemoryStore();
          for (const [key, valueHash] of shuffled(entries, shuffleSeed + 1)) oneByOne.apply([{ key, valueHash }]);

          const expected = hex(referenceRoot(entries));
          expect(hex(incremental.root)).toBe(expected);
          expect(hex(oneBatch.root)).toBe(expected);
          expect(hex(oneByOne.root)).toBe(expected);
        }),
        RUNS,
      );
    },
    SLOW_MS,
  );

  it('moves the remaining leaf up to the root when its sibling is deleted below a chain', () => {
    const kept = new Uint8Array(32).fill(0xff);
    const removed = flipBit(kept, 2);
    const store = storeOf([
      [kept, filledValue(1)],
      [removed, filledValue(2)],
    ]);
    store.apply([{ key: removed, valueHash: null }]);
    expect(hex(store.root)).toBe(hex(leafHash(kept, filledValue(1))));
  });

  it('lets the last write to a key within one batch win', () => {
    const key = sha3(utf8('k'));
    const store = new MemoryStore();
    store.apply([
      { key, valueHash: filledValue(1) },
      { key, valueHash: null },
      { key, valueHash: filledValue(2) },
    ]);
    expect(hex(store.root)).toBe(hex(leafHash(key, filledValue(2))));
    store.apply([
      { key, valueHash: filledValue(3) },
      { key, valueHash: null },
    ]);
    expect(hex(store.root)).toBe(hex(EMPTY_ROOT));
  });

  it(
    'returns EMPTY_ROOT after deleting every key',
    () => {
      fc.assert(
        fc.property(keysArb, fc.nat(), (keys, seed) => {
          const store = storeOf(keys.map((key, i) => [key, filledValue(i % 4)]));
          store.apply(shuffled(keys, seed).map((key) => ({ key, valueHash: null })));
          expect(hex(store.root)).toBe(hex(EMPTY_ROOT));
        }),
        RUNS,
      );
    },
    SLOW_MS,
  );

  it(
    'changes nothing and builds nothing for rewrites of current values and deletes of absent keys',
    () => {
      fc.assert(
        fc.property(keysArb, bytes32, (keys, absent) => {
          const entries: Entry[] = keys.map((key, i) => [key, filledValue(i % 4)]);
          const store = storeOf(entries);
          const before = hex(store.root);
          const noOps: TrieUpdate[] = entries.map(([key, valueHash]) => ({ key, valueHash }));
          if (!keys.some((key) => bytesEqual(key, absent))) noOps.push({ key: absent, valueHash: null });
          const { result, hashes } = countingHashes(() => store.apply(noOps));
          expect(hex(store.root)).toBe(before);
          expect(result.size).toBe(0);
          expect(hashes).toBe(0);
        }),
        RUNS,
      );
    },
    SLOW_MS,
  );

  it(
    'hashes each node it builds exactly once per batch',
    () => {
      fc.assert(
        fc.property(scenarioArb, ({ keys, writes, batchSizes }) => {
          const store = new MemoryStore();
          for (const batch of inBatches(toUpdates(keys, writes), batchSizes)) {
            const { result: created, hashes } = countingHashes(() => store.apply(batch));
            expect(hashes).toBe(created.size);
          }
        }),
        RUNS,
      );
    },
    SLOW_MS,
  );

  it(
    'returns in created only nodes whose hash is their key, and every node the new root reaches is stored',
    () => {
      fc.assert(
        fc.property(scenarioArb, ({ keys, writes, batchSizes }) => {
          const store = new MemoryStore();
          for (const batch of inBatches(toUpdates(keys, writes), batchSizes)) {
            const created = store.apply(batch);
            for (const [hashHex, node] of created) expect(hex(hashNode(node))).toBe(hashHex);
          }
          // Every present key is reachable, which reads every node on its path.
          for (const [key, valueHash] of finalSet(toUpdates(keys, writes))) {
            expect(hex(getValueHash(store, store.root, key) ?? EMPTY_ROOT)).toBe(hex(valueHash));
          }
        }),
        RUNS,
      );
    },
    SLOW_MS,
  );

  it('throws naming the hash when the node store lacks a node', () => {
    const store = storeOf([
      [sha3(utf8('a')), filledValue(1)],
      [sha3(utf8('b')), filledValue(2)],
    ]);
    const rootHex = hex(store.root);
    const empty = { get: () => undefined };
    expect(() => updateTrie(empty, store.root, [{ key: sha3(utf8('c')), valueHash: filledValue(3) }])).toThrow(rootHex);
    expect(() => proveKey(empty, store.root, sha3(utf8('c')))).toThrow(rootHex);
  });

  it('rejects keys and value hashes that are not 32 bytes', () => {
    const store = new MemoryStore();
    expect(() => store.apply([{ key: new Uint8Array(31), valueHash: filledValue(1) }])).toThrow(TypeError);
    expect(() => store.apply([{ key: filledValue(1), valueHash: new Uint8Array(33) }])).toThrow(TypeError);
    expect(() => updateTrie(store, new Uint8Array(3), [])).toThrow(TypeError);
  });
});

describe('node encoding', () => {
  it(
    'round-trips leaves and internal nodes through 65 bytes whose hash is the node hash',
    () => {
      fc.assert(
        fc.property(fc.boolean(), bytes32, bytes32, (isLeaf, a, b) => {
          const node: TrieNode = isLeaf ? { kind: 'leaf', key: a, valueHash: b } : { kind: 'internal', left: a, right: b };
          const encoded = encodeNode(node);
          expect(encoded).toHaveLength(65);
          expect(decodeNode(encoded)).toEqual(node);
          expect(hashNode(node)).toEqual(sha3(encoded));
        }),
        RUNS,
      );
    },
    SLOW_MS,
  );

  it('rejects other lengths and tags', () => {
    expect(() => decodeNode(new Uint8Array(64))).toThrow(TypeError);
    expect(() => decodeNode(new Uint8Array(66))).toThrow(TypeError);
    expect(() => decodeNode(new Uint8Array(65).fill(2))).toThrow(TypeError);
    expect(() => encodeNode({ kind: 'leaf', key: new Uint8Array(31), valueHash: filledValue(1) })).toThrow(TypeError);
  });
});
