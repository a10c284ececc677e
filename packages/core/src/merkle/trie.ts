/**
 * A compressed sparse Merkle trie: the ledger's state commitment.
 *
 * A binary radix trie over the 256 bits of a 32-byte key (MSB first, bit 0 goes left).
 * Canonical form: every leaf sits at the shallowest depth where its key prefix is unique,
 * and no internal node has (leaf, empty), (empty, leaf) or (empty, empty) children. So the
 * root depends only on the set of (key, valueHash) pairs, never on insertion order or
 * batching. Leaf hashes do not depend on depth, which is what lets a leaf move up on delete
 * without being rehashed.
 */
import { bytesEqual, compareBytes, fromHex, toHex } from '../bytes.ts';
import { bitAt, commonPrefixBits, HASH_BYTES, isEmptyHash, KEY_BITS, NodeHasher, nodeKey, type TrieNode } from './node.ts';

export {
  bitAt,
  decodeNode,
  EMPTY_ROOT,
  encodeNode,
  HASH_BYTES,
  hashNode,
  INTERNAL_NODE_TAG,
  isEmptyHash,
  KEY_BITS,
  nodeKey,
  type TrieNode,
} from './node.ts';

/** Synchronous node storage, keyed by toHex(hash) (nodeKey computes the same string faster). */
export interface TrieNodeReader {
  get(hashHex: string): TrieNode | undefined;
}

/** One write: valueHash null deletes the key. */
export interface TrieUpdate {
  key: Uint8Array;
  valueHash: Uint8Array | null;
}

/**
 * The new root and every node this update built that the new root references, by hex hash; and the nodes of the old
 * root that the new one no longer references (`stale`: what a store may delete once no kept root needs them; a hash
 * may be in both when the update built the same node again).
 */
export interface TrieUpdateResult {
  root: Uint8Array;
  created: Map<string, TrieNode>;
  stale: Set<string>;
}

/** The path to a key: siblings from the root down, and the leaf where the path ended (or null). */
export interface TrieProof {
  siblings: Uint8Array[];
  leaf: { key: Uint8Array; valueHash: Uint8Array } | null;
}

/** A proof as hex strings, for JSON. */
export interface TrieProofJson {
  siblings: string[];
  leaf: { key: string; valueHash: string } | null;
}

const EMPTY = 0;
const LEAF = 1;
const INTERNAL = 2;
type Kind = typeof EMPTY | typeof LEAF | typeof INTERNAL;

/** A subtree after an update: its hash and what kind of node that hash names. */
interface Ref {
  hash: Uint8Array;
  kind: Kind;
}

/** A leaf to build; `hash` is set when the leaf already exists, so it is not hashed again. */
interface Item {
  key: Uint8Array;
  valueHash: Uint8Array;
  hash?: Uint8Array;
}

function checkHash(bytes: Uint8Array, name: string): void {
  if (!(bytes instanceof Uint8Array) || bytes.length !== HASH_BYTES) {
    throw new TypeError(`${name} must be ${HASH_BYTES} bytes`);
  }
}

function emptyRef(): Ref {
  // A fresh array each time, so no caller can corrupt a node by mutating a shared constant.
  return { hash: new Uint8Array(HASH_BYTES), kind: EMPTY };
}

/** A node the reader does not hold: a store that loads nodes ahead (a node's database) loads it and tries again. */
export class TrieNodeMissing extends Error {
  constructor(readonly hashHex: string) {
    super(`trie node ${hashHex} is missing from the node store`);
    this.name = 'TrieNodeMissing';
  }
}

function loadNode(reader: TrieNodeReader, hash: Uint8Array): TrieNode {
  const hex = nodeKey(hash);
  const node = reader.get(hex);
  if (node === undefined) throw new TrieNodeMissing(hex);
  return node;
}

/** Copies, sorts by key and keeps the last write per key. */
function normalizeUpdates(updates: readonly TrieUpdate[]): TrieUpdate[] {
  const copies = updates.map((update) => {
    checkHash(update.key, 'trie key');
    if (update.valueHash !== null) checkHash(update.valueHash, 'trie value hash');
    return { key: update.key.slice(), valueHash: update.valueHash?.slice() ?? null };
  });
  // Array.prototype.sort is stable, so equal keys keep their write order.
  copies.sort((a, b) => compareBytes(a.key, b.key));
  const out: TrieUpdate[] = [];
  for (const update of copies) {
    const last = out[out.length - 1];
    if (last !== undefined && compareBytes(last.key, update.key) === 0) out[out.length - 1] = update;
    else out.push(update);
  }
  return out;
}

/** First index in [lo, hi) whose key has bit `depth` set; the range is sorted and shares the bits above. */
function splitIndex(entries: readonly { key: Uint8Array }[], depth: number, lo: number, hi: number): number {
  let low = lo;
  let high = hi;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (bitAt((entries[mid] as { key: Uint8Array }).key, depth) === 0) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** One batched update: each node on a changed path is hashed once. */
class BatchUpdater {
  readonly created = new Map<string, TrieNode>();
  readonly stale = new Set<string>();
  private readonly hasher = new NodeHasher();

  constructor(
    private readonly reader: TrieNodeReader,
    private readonly updates: readonly TrieUpdate[],
  ) {}

  /** The subtree `hash` at `depth` after applying updates[lo, hi), which all lie under it. */
  update(hash: Uint8Array, depth: number, lo: number, hi: number): Ref {
    if (isEmptyHash(hash)) return this.buildFromUpdates(depth, lo, hi);
    const node = loadNode(this.reader, hash);
    if (node.kind === 'leaf') return this.updateLeaf(hash, node, depth, lo, hi);
    return this.updateInternal(hash, node, depth, lo, hi);
  }

  private buildFromUpdates(depth: number, lo: number, hi: number): Ref {
    const items: Item[] = [];
    for (let i = lo; i < hi; i++) {
      const { key, valueHash } = this.updates[i] as TrieUpdate;
      if (valueHash !== null) items.push({ key, valueHash });
    }
    return this.build(depth, items, 0, items.length);
  }

  /** Below a leaf there is nothing else, so the subtree is rebuilt from the leaf and the writes. */
  private updateLeaf(hash: Uint8Array, leaf: TrieNode & { kind: 'leaf' }, depth: number, lo: number, hi: number): Ref {
    const existing: Item = { key: leaf.key, valueHash: leaf.valueHash, hash };
    const items: Item[] = [];
    let placed = false;
    for (let i = lo; i < hi; i++) {
      const { key, valueHash } = this.updates[i] as TrieUpdate;
      const order = compareBytes(key, leaf.key);
      if (!placed && order > 0) {
        items.push(existing);
        placed = true;
      }
      if (order === 0) {
        placed = true;
        if (valueHash === null) continue;
        items.push(bytesEqual(valueHash, leaf.valueHash) ? existing : { key, valueHash });
      } else if (valueHash !== null) {
        items.push({ key, valueHash });
      }
    }
    if (!placed) items.push(existing);
    // The leaf stays referenced (maybe deeper, beside a new key) unless it was deleted or its value changed.
    if (!items.includes(existing)) this.stale.add(nodeKey(hash));
    return this.build(depth, items, 0, items.length);
  }

  private updateInternal(hash: Uint8Array, node: TrieNode & { kind: 'internal' }, depth: number, lo: number, hi: number): Ref {
    if (depth >= KEY_BITS) throw new Error(`trie node ${toHex(hash)} is an internal node below bit ${KEY_BITS}`);
    const mid = splitIndex(this.updates, depth, lo, hi);
    const left = mid > lo ? this.update(node.left, depth + 1, lo, mid) : undefined;
    const right = hi > mid ? this.update(node.right, depth + 1, mid, hi) : undefined;
    const leftHash = left?.hash ?? node.left;
    const rightHash = right?.hash ?? node.right;
    if (bytesEqual(leftHash, node.left) && bytesEqual(rightHash, node.right)) return { hash, kind: INTERNAL };
    this.stale.add(nodeKey(hash));
    // At least one side was touched, so whichever is undefined has a defined sibling.
    const leftRef = left ?? this.untouched(leftHash, right as Ref);
    const rightRef = right ?? this.untouched(rightHash, left as Ref);
    // Canonical form: a leaf (or nothing) beside an empty subtree moves up unhashed.
    if (leftRef.kind === EMPTY && rightRef.kind !== INTERNAL) return rightRef;
    if (rightRef.kind === EMPTY && leftRef.kind !== INTERNAL) return leftRef;
    return this.internal(leftHash, rightHash);
  }

  /**
   * The ref of a child the batch did not touch. Its exact kind matters only when its sibling
   * emptied (it may then move up), so only then is it read; otherwise a non-empty child
   * stands as INTERNAL, which never collapses.
   */
  private untouched(hash: Uint8Array, sibling: Ref): Ref {
    if (isEmptyHash(hash)) return emptyRef();
    if (sibling.kind !== EMPTY) return { hash, kind: INTERNAL };
    return { hash, kind: loadNode(this.reader, hash).kind === 'leaf' ? LEAF : INTERNAL };
  }

  /** The canonical subtree at `depth` holding items[lo, hi) (sorted, distinct keys, sharing the bits above). */
  private build(depth: number, items: readonly Item[], lo: number, hi: number): Ref {
    if (hi === lo) return emptyRef();
    const first = items[lo] as Item;
    if (hi - lo === 1) return this.leaf(first);
    // Sorted keys: the prefix shared by the first and last is shared by all.
    const splitDepth = commonPrefixBits(first.key, (items[hi - 1] as Item).key);
    const mid = splitIndex(items, splitDepth, lo, hi);
    const left = this.build(splitDepth + 1, items, lo, mid);
    const right = this.build(splitDepth + 1, items, mid, hi);
    let ref = this.internal(left.hash, right.hash);
    // Bits both sides share become a chain of internal nodes with one empty child each.
    for (let chainDepth = splitDepth - 1; chainDepth >= depth; chainDepth--) {
      const empty = new Uint8Array(HASH_BYTES);
      ref = bitAt(first.key, chainDepth) === 0 ? this.internal(ref.hash, empty) : this.internal(empty, ref.hash);
    }
    return ref;
  }

  private leaf(item: Item): Ref {
    if (item.hash !== undefined) return { hash: item.hash, kind: LEAF };
    const hash = this.hasher.leaf(item.key, item.valueHash);
    this.created.set(nodeKey(hash), { kind: 'leaf', key: item.key, valueHash: item.valueHash });
    return { hash, kind: LEAF };
  }

  private internal(left: Uint8Array, right: Uint8Array): Ref {
    const hash = this.hasher.internal(left, right);
    this.created.set(nodeKey(hash), { kind: 'internal', left, right });
    return { hash, kind: INTERNAL };
  }
}

/** Applies a batch of writes (last write per key wins) and returns the new root and the nodes it built. */
export function updateTrie(reader: TrieNodeReader, root: Uint8Array, updates: readonly TrieUpdate[]): TrieUpdateResult {
  checkHash(root, 'trie root');
  const sorted = normalizeUpdates(updates);
  if (sorted.length === 0) return { root: root.slice(), created: new Map(), stale: new Set() };
  const updater = new BatchUpdater(reader, sorted);
  const result = updater.update(root, 0, 0, sorted.length);
  // An unchanged root would otherwise alias the caller's array.
  return { root: result.hash === root ? root.slice() : result.hash, created: updater.created, stale: updater.stale };
}

/** Follows the key's bits from the root to a leaf or an empty subtree, collecting siblings. */
function walk(
  reader: TrieNodeReader,
  root: Uint8Array,
  key: Uint8Array,
  siblings: Uint8Array[] | null,
): (TrieNode & { kind: 'leaf' }) | null {
  checkHash(root, 'trie root');
  checkHash(key, 'trie key');
  let hash = root;
  for (let depth = 0; ; depth++) {
    if (isEmptyHash(hash)) return null;
    const node = loadNode(reader, hash);
    if (node.kind === 'leaf') return node;
    if (depth >= KEY_BITS) throw new Error(`trie node ${toHex(hash)} is an internal node below bit ${KEY_BITS}`);
    const goRight = bitAt(key, depth) === 1;
    siblings?.push((goRight ? node.left : node.right).slice());
    hash = goRight ? node.right : node.left;
  }
}

/** The value hash stored under the key, or null when absent. */
export function getValueHash(reader: TrieNodeReader, root: Uint8Array, key: Uint8Array): Uint8Array | null {
  const leaf = walk(reader, root, key, null);
  return leaf !== null && bytesEqual(leaf.key, key) ? leaf.valueHash.slice() : null;
}

/** An inclusion or non-inclusion proof for the key against the root. */
export function proveKey(reader: TrieNodeReader, root: Uint8Array, key: Uint8Array): TrieProof {
  const siblings: Uint8Array[] = [];
  const leaf = walk(reader, root, key, siblings);
  return { siblings, leaf: leaf === null ? null : { key: leaf.key.slice(), valueHash: leaf.valueHash.slice() } };
}

function isHashBytes(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array && value.length === HASH_BYTES;
}

/** Whether the path's end is consistent with the claim, before any hashing. */
function endMatchesClaim(key: Uint8Array, valueHash: Uint8Array | null, proof: TrieProof): boolean {
  const { leaf } = proof;
  if (leaf === null) return valueHash === null;
  if (!isHashBytes(leaf.key) || !isHashBytes(leaf.valueHash)) return false;
  if (valueHash !== null) return bytesEqual(leaf.key, key) && bytesEqual(leaf.valueHash, valueHash);
  // Another key's leaf proves absence only if it sits on this key's path.
  return !bytesEqual(leaf.key, key) && commonPrefixBits(leaf.key, key) >= proof.siblings.length;
}

/** True when the proof shows key ↦ valueHash (or, with null, the key's absence) under the root. */
export function verifyProof(root: Uint8Array, key: Uint8Array, valueHash: Uint8Array | null, proof: TrieProof): boolean {
  if (!isHashBytes(root) || !isHashBytes(key)) return false;
  if (valueHash !== null && !isHashBytes(valueHash)) return false;
  const { siblings } = proof;
  if (!Array.isArray(siblings) || siblings.length > KEY_BITS) return false;
  if (!endMatchesClaim(key, valueHash, proof)) return false;
  const hasher = new NodeHasher();
  let hash = proof.leaf === null ? new Uint8Array(HASH_BYTES) : hasher.leaf(proof.leaf.key, proof.leaf.valueHash);
  for (let depth = siblings.length - 1; depth >= 0; depth--) {
    const sibling: unknown = siblings[depth];
    if (!isHashBytes(sibling)) return false;
    hash = bitAt(key, depth) === 0 ? hasher.internal(hash, sibling) : hasher.internal(sibling, hash);
  }
  return bytesEqual(hash, root);
}

/** The proof as hex strings. */
export function encodeProof(proof: TrieProof): TrieProofJson {
  return {
    siblings: proof.siblings.map(toHex),
    leaf: proof.leaf === null ? null : { key: toHex(proof.leaf.key), valueHash: toHex(proof.leaf.valueHash) },
  };
}

function decodeHashHex(value: unknown, name: string): Uint8Array {
  if (typeof value !== 'string') throw new TypeError(`${name} must be a hex string`);
  const bytes = fromHex(value);
  if (bytes.length !== HASH_BYTES) throw new TypeError(`${name} must be ${HASH_BYTES} bytes`);
  return bytes;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses encodeProof's output from untrusted JSON; throws TypeError on anything malformed. */
export function decodeProof(json: unknown): TrieProof {
  if (!isRecord(json)) throw new TypeError('trie proof must be an object');
  const { siblings, leaf } = json;
  if (!Array.isArray(siblings)) throw new TypeError('trie proof siblings must be an array');
  if (siblings.length > KEY_BITS) throw new TypeError(`trie proof has more than ${KEY_BITS} siblings`);
  const decodedSiblings = siblings.map((sibling, i) => decodeHashHex(sibling, `trie proof sibling ${i}`));
  if (leaf === null) return { siblings: decodedSiblings, leaf: null };
  if (!isRecord(leaf)) throw new TypeError('trie proof leaf must be an object or null');
  return {
    siblings: decodedSiblings,
    leaf: {
      key: decodeHashHex(leaf.key, 'trie proof leaf key'),
      valueHash: decodeHashHex(leaf.valueHash, 'trie proof leaf valueHash'),
    },
  };
}
