/** Shared test fixtures for the trie: a Map-backed node store, a reference root, arbitraries. */
import fc from 'fast-check';
import { toHex } from '../bytes.ts';
import { nobleProvider, useCryptoProvider } from '../crypto/provider.ts';
import { EMPTY_ROOT, hashNode, type TrieNode, type TrieUpdate, updateTrie } from './index.ts';

export const RUNS = { seed: 20_251_125, numRuns: 150 };
// Keys one bit apart make 256-deep paths, and the default pure-JS sha3 is not fast.
export const SLOW_MS = 60_000;

/** The node store a node process would keep: every created node, keyed by hex hash. */
export class MemoryStore {
  readonly nodes = new Map<string, TrieNode>();
  root: Uint8Array = EMPTY_ROOT;

  get(hashHex: string): TrieNode | undefined {
    return this.nodes.get(hashHex);
  }

  apply(updates: TrieUpdate[]): Map<string, TrieNode> {
    const { root, created } = updateTrie(this, this.root, updates);
    for (const [hex, node] of created) this.nodes.set(hex, node);
    this.root = root;
    return created;
  }
}

export type Entry = [key: Uint8Array, valueHash: Uint8Array];

export function leafHash(key: Uint8Array, valueHash: Uint8Array): Uint8Array {
  return hashNode({ kind: 'leaf', key, valueHash });
}

/** The spec's definition of the root, computed from the whole set with no storage. */
export function referenceRoot(entries: Entry[], depth = 0): Uint8Array {
  if (entries.length === 0) return new Uint8Array(32);
  const [only] = entries;
  if (entries.length === 1 && only) return leafHash(only[0], only[1]);
  const bit = (key: Uint8Array) => ((key[depth >> 3] as number) >> (7 - (depth & 7))) & 1;
  const left = referenceRoot(
    entries.filter(([key]) => bit(key) === 0),
    depth + 1,
  );
  const right = referenceRoot(
    entries.filter(([key]) => bit(key) === 1),
    depth + 1,
  );
  return hashNode({ kind: 'internal', left, right });
}

export function flipBit(key: Uint8Array, bit: number): Uint8Array {
  const out = key.slice();
  out[bit >> 3] = (out[bit >> 3] as number) ^ (0x80 >> (bit & 7));
  return out;
}

export const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 });

/** Random keys plus keys that differ from another in one bit, mostly near the end. */
export const keysArb = fc
  .tuple(
    fc.uniqueArray(bytes32, { minLength: 1, maxLength: 24, selector: toHex }),
    fc.array(fc.tuple(fc.nat(), fc.oneof(fc.constant(255), fc.integer({ min: 240, max: 255 }), fc.nat(255))), {
      maxLength: 16,
    }),
  )
  .map(([base, flips]) => {
    const keys = new Map<string, Uint8Array>(base.map((key) => [toHex(key), key]));
    for (const [from, bit] of flips) {
      const source = [...keys.values()][from % keys.size] as Uint8Array;
      const flipped = flipBit(source, bit);
      keys.set(toHex(flipped), flipped);
    }
    return [...keys.values()];
  });

/** Writes over a key set; a small value range makes rewrites of the current value common. */
export const scenarioArb = keysArb.chain((keys) =>
  fc.record({
    keys: fc.constant(keys),
    writes: fc.array(
      fc.tuple(
        fc.nat(keys.length - 1),
        fc.option(fc.integer({ min: 0, max: 3 }), { freq: 3 }).map((v) => (v === null ? null : filledValue(v))),
      ),
      { minLength: 1, maxLength: 80 },
    ),
    batchSizes: fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 20 }),
    shuffleSeed: fc.nat(),
  }),
);

export function filledValue(n: number): Uint8Array {
  return new Uint8Array(32).fill(n);
}

export function toUpdates(keys: Uint8Array[], writes: [number, Uint8Array | null][]): TrieUpdate[] {
  return writes.map(([index, valueHash]) => ({ key: keys[index] as Uint8Array, valueHash }));
}

/** The set the writes leave, applying them in order. */
export function finalSet(updates: TrieUpdate[]): Entry[] {
  const set = new Map<string, Entry>();
  for (const { key, valueHash } of updates) {
    if (valueHash === null) set.delete(toHex(key));
    else set.set(toHex(key), [key, valueHash]);
  }
  return [...set.values()];
}

export function inBatches(updates: TrieUpdate[], sizes: number[]): TrieUpdate[][] {
  const batches: TrieUpdate[][] = [];
  for (let at = 0, i = 0; at < updates.length; i++) {
    const size = sizes[i % sizes.length] as number;
    batches.push(updates.slice(at, at + size));
    at += size;
  }
  return batches;
}

/** Deterministic Fisher–Yates so a failing case replays from fast-check's seed alone. */
export function shuffled<T>(items: T[], seed: number): T[] {
  const out = items.slice();
  let state = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    const j = (state >>> 0) % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

export function storeOf(entries: Entry[]): MemoryStore {
  const store = new MemoryStore();
  store.apply(entries.map(([key, valueHash]) => ({ key, valueHash })));
  return store;
}

export function countingHashes<T>(run: () => T): { result: T; hashes: number } {
  let hashes = 0;
  useCryptoProvider({
    ...nobleProvider,
    sha3_256: (data) => {
      hashes++;
      return nobleProvider.sha3_256(data);
    },
  });
  try {
    return { result: run(), hashes };
  } finally {
    useCryptoProvider(nobleProvider);
  }
}

export const hex = (bytes: Uint8Array) => toHex(bytes);

/** A trie with a present set, and absent keys: deleted ones, one-bit neighbours, random ones. */
export const provedArb = fc.tuple(scenarioArb, fc.array(bytes32, { maxLength: 4 })).map(([scenario, randomKeys]) => {
  const updates = toUpdates(scenario.keys, scenario.writes);
  const present = finalSet(updates);
  const presentHex = new Set(present.map(([key]) => toHex(key)));
  const candidates = [...scenario.keys, ...present.map(([key]) => flipBit(key, 255)), ...randomKeys];
  const absent = candidates.filter((key) => !presentHex.has(toHex(key)));
  const store = new MemoryStore();
  store.apply(updates);
  return { store, present, absent };
});
