/**
 * The trie of a whole state built in one pass from its leaves: what updateTrie gives from the empty trie, without the
 * intermediate tries a page-by-page fold builds and throws away. A node importing a snapshot (or moving a chain to the
 * trie tables) holds its leaves in one flat buffer (64 bytes each), sorts them once, and takes the nodes as they are
 * made, children before parents, to store them in batches: it never holds the trie's nodes all at once.
 */
import { bitAt, commonPrefixBits, HASH_BYTES, NodeHasher, type TrieNode } from './node.ts';

/** A node as the builder yields it: its hash and the node (fresh arrays each, never reused). */
export interface BuiltNode {
  hash: Uint8Array;
  node: TrieNode;
}

const LEAF_BYTES = 2 * HASH_BYTES;
const INITIAL_LEAVES = 1024;

interface Frame {
  depth: number;
  lo: number;
  hi: number;
  /** 0: not started; 1: left child being built; 2: right child being built. */
  stage: 0 | 1 | 2;
  split: number;
  mid: number;
  left: Uint8Array | null;
}

export class WholeTrieBuilder {
  #leaves = new Uint8Array(INITIAL_LEAVES * LEAF_BYTES);
  #count = 0;
  #root: Uint8Array | null = null;

  /** Leaves added so far (a key added twice counts twice; its last value wins). */
  get added(): number {
    return this.#count;
  }

  /** The root, once nodes() has been run to its end. */
  get root(): Uint8Array {
    if (this.#root === null) throw new Error('the whole trie is not built yet: run nodes() to its end');
    return this.#root;
  }

  add(key: Uint8Array, valueHash: Uint8Array): void {
    if (key.length !== HASH_BYTES || valueHash.length !== HASH_BYTES)
      throw new TypeError(`trie keys and value hashes are ${HASH_BYTES} bytes`);
    if (this.#root !== null) throw new Error('the whole trie is built already');
    if ((this.#count + 1) * LEAF_BYTES > this.#leaves.length) {
      const grown = new Uint8Array(this.#leaves.length * 2);
      grown.set(this.#leaves);
      this.#leaves = grown;
    }
    this.#leaves.set(key, this.#count * LEAF_BYTES);
    this.#leaves.set(valueHash, this.#count * LEAF_BYTES + HASH_BYTES);
    this.#count += 1;
  }

  /** Every node of the trie, children before their parent, each once; sets `root` at the end. */
  *nodes(): Generator<BuiltNode, void, undefined> {
    const order = this.#sortedDistinct();
    const leaves = this.#leaves;
    const keyAt = (i: number) => leaves.subarray((order[i] as number) * LEAF_BYTES, (order[i] as number) * LEAF_BYTES + HASH_BYTES);
    const hasher = new NodeHasher();
    if (order.length === 0) {
      this.#root = new Uint8Array(HASH_BYTES);
      return;
    }
    // updateTrie's build (trie.ts), iterative: a leaf where its range holds one key; otherwise an internal node at
    // the first bit the range's keys differ in, above it a chain of internal nodes with one empty child each.
    const stack: Frame[] = [{ depth: 0, lo: 0, hi: order.length, stage: 0, split: 0, mid: 0, left: null }];
    let result: Uint8Array = new Uint8Array(HASH_BYTES);
    while (stack.length > 0) {
      const frame = stack[stack.length - 1] as Frame;
      if (frame.stage === 0) {
        if (frame.hi - frame.lo === 1) {
          const at = (order[frame.lo] as number) * LEAF_BYTES;
          const key = leaves.slice(at, at + HASH_BYTES);
          const valueHash = leaves.slice(at + HASH_BYTES, at + LEAF_BYTES);
          result = hasher.leaf(key, valueHash);
          yield { hash: result, node: { kind: 'leaf', key, valueHash } };
          stack.pop();
          continue;
        }
        frame.split = commonPrefixBits(keyAt(frame.lo), keyAt(frame.hi - 1));
        frame.mid = firstWithBit(keyAt, frame.split, frame.lo, frame.hi);
        frame.stage = 1;
        stack.push({ depth: frame.split + 1, lo: frame.lo, hi: frame.mid, stage: 0, split: 0, mid: 0, left: null });
        continue;
      }
      if (frame.stage === 1) {
        frame.left = result;
        frame.stage = 2;
        stack.push({ depth: frame.split + 1, lo: frame.mid, hi: frame.hi, stage: 0, split: 0, mid: 0, left: null });
        continue;
      }
      const left = frame.left as Uint8Array;
      const right = result;
      result = hasher.internal(left, right);
      yield { hash: result, node: { kind: 'internal', left, right } };
      const firstKey = keyAt(frame.lo);
      for (let depth = frame.split - 1; depth >= frame.depth; depth--) {
        const below = result;
        const empty = new Uint8Array(HASH_BYTES);
        const onLeft = bitAt(firstKey, depth) === 0;
        result = onLeft ? hasher.internal(below, empty) : hasher.internal(empty, below);
        yield {
          hash: result,
          node: onLeft ? { kind: 'internal', left: below, right: empty } : { kind: 'internal', left: empty, right: below },
        };
      }
      stack.pop();
    }
    this.#root = result;
  }

  /** Leaf indexes in key order, the last added of equal keys kept. */
  #sortedDistinct(): Uint32Array {
    const leaves = this.#leaves;
    const count = this.#count;
    // The first four key bytes decide nearly every comparison.
    const prefix = new Uint32Array(count);
    const view = new DataView(leaves.buffer, leaves.byteOffset, leaves.byteLength);
    for (let i = 0; i < count; i++) prefix[i] = view.getUint32(i * LEAF_BYTES);
    const order = Uint32Array.from({ length: count }, (_, i) => i);
    order.sort((a, b) => {
      const pa = prefix[a] as number;
      const pb = prefix[b] as number;
      if (pa !== pb) return pa < pb ? -1 : 1;
      for (let k = 4; k < HASH_BYTES; k++) {
        const d = (leaves[a * LEAF_BYTES + k] as number) - (leaves[b * LEAF_BYTES + k] as number);
        if (d !== 0) return d;
      }
      return a - b; // equal keys in the order added
    });
    let kept = 0;
    for (let i = 0; i < count; i++) {
      const next = order[i + 1];
      if (next !== undefined && sameKey(leaves, order[i] as number, next)) continue; // a later write of this key follows
      order[kept++] = order[i] as number;
    }
    return order.subarray(0, kept);
  }
}

function sameKey(leaves: Uint8Array, a: number, b: number): boolean {
  for (let k = 0; k < HASH_BYTES; k++) if (leaves[a * LEAF_BYTES + k] !== leaves[b * LEAF_BYTES + k]) return false;
  return true;
}

/** The first index in [lo, hi) whose key has `bit` set (the range is sorted and shares the bits above it). */
function firstWithBit(keyAt: (i: number) => Uint8Array, bit: number, lo: number, hi: number): number {
  let low = lo;
  let high = hi;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (bitAt(keyAt(mid), bit) === 0) low = mid + 1;
    else high = mid;
  }
  return low;
}
