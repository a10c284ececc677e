/**
 * Micro-benchmark of the state trie: `npx tsx packages/core/src/merkle/trie.bench.ts`.
 * Inserts 100,000 keys in batches of 2,000 into a Map-backed node store, then rewrites every
 * value in the same batches, and reports updates per second and sha3 calls per update.
 * Uses the installed crypto provider (the pure-JS default unless a host swaps it).
 */
import { utf8 } from '../bytes.ts';
import { cryptoProvider, sha3, useCryptoProvider } from '../crypto/provider.ts';
import { EMPTY_ROOT, proveKey, type TrieNode, type TrieUpdate, updateTrie, verifyProof } from './trie.ts';

const TOTAL_KEYS = 100_000;
const BATCH_SIZE = 2_000;

/** Keys derived from a counter, so every run measures the same trie. */
function makeKeys(count: number): Uint8Array[] {
  return Array.from({ length: count }, (_, i) => sha3(utf8(`bench-key-${i}`)));
}

function valueFor(index: number, round: number): Uint8Array {
  return sha3(utf8(`value-${index}-${round}`));
}

/** Counts sha3 calls made through the provider while `run` executes. */
function withHashCount(run: () => void): number {
  const base = cryptoProvider();
  let hashes = 0;
  useCryptoProvider({
    ...base,
    sha3_256: (data) => {
      hashes++;
      return base.sha3_256(data);
    },
  });
  try {
    run();
  } finally {
    useCryptoProvider(base);
  }
  return hashes;
}

interface PhaseResult {
  root: Uint8Array;
  elapsedMs: number;
  hashes: number;
}

/** Applies the batches in order, persisting created nodes the way a node process would. */
function runPhase(store: Map<string, TrieNode>, root: Uint8Array, batches: TrieUpdate[][]): PhaseResult {
  let current = root;
  let elapsedMs = 0;
  const hashes = withHashCount(() => {
    const startedMs = performance.now();
    for (const batch of batches) {
      const { root: next, created } = updateTrie(store, current, batch);
      for (const [hex, node] of created) store.set(hex, node);
      current = next;
    }
    elapsedMs = performance.now() - startedMs;
  });
  return { root: current, elapsedMs, hashes };
}

function inBatches(keys: Uint8Array[], round: number): TrieUpdate[][] {
  const batches: TrieUpdate[][] = [];
  for (let at = 0; at < keys.length; at += BATCH_SIZE) {
    batches.push(keys.slice(at, at + BATCH_SIZE).map((key, i) => ({ key, valueHash: valueFor(at + i, round) })));
  }
  return batches;
}

function report(label: string, result: PhaseResult, updates: number): void {
  const perSecond = Math.round(updates / (result.elapsedMs / 1000));
  const hashesPerUpdate = (result.hashes / updates).toFixed(2);
  console.log(
    `${label}: ${updates} updates in ${result.elapsedMs.toFixed(0)} ms → ${perSecond} updates/s, ${hashesPerUpdate} hashes/update`,
  );
}

function benchProofs(store: Map<string, TrieNode>, root: Uint8Array, keys: Uint8Array[]): void {
  const sample = keys.slice(0, 10_000);
  const startedMs = performance.now();
  let siblings = 0;
  for (const [i, key] of sample.entries()) {
    const proof = proveKey(store, root, key);
    siblings += proof.siblings.length;
    if (!verifyProof(root, key, valueFor(i, 1), proof)) throw new Error('bench proof failed to verify');
  }
  const elapsedMs = performance.now() - startedMs;
  const perSecond = Math.round(sample.length / (elapsedMs / 1000));
  console.log(`prove+verify: ${perSecond} proofs/s, ${(siblings / sample.length).toFixed(1)} siblings on average`);
}

function main(): void {
  const keys = makeKeys(TOTAL_KEYS);
  const inserts = inBatches(keys, 0);
  const rewrites = inBatches(keys, 1);
  const store = new Map<string, TrieNode>();
  const inserted = runPhase(store, EMPTY_ROOT, inserts);
  report(`insert ${TOTAL_KEYS} keys in batches of ${BATCH_SIZE}`, inserted, TOTAL_KEYS);
  const rewritten = runPhase(store, inserted.root, rewrites);
  report(`rewrite all ${TOTAL_KEYS} values in batches of ${BATCH_SIZE}`, rewritten, TOTAL_KEYS);
  console.log(`node store: ${store.size} nodes`);
  benchProofs(store, rewritten.root, keys);
}

main();
