/**
 * Trie nodes: their byte encoding, their hash, and the bit helpers the trie walks keys with.
 * The encoding of a node is exactly its hash preimage, so a stored row can be checked by
 * hashing it.
 */
import { toHex } from '../bytes.ts';
import { sha3 } from '../crypto/provider.ts';

/** Bytes in a key, a value hash and a node hash. */
export const HASH_BYTES = 32;
/** Bits in a key: the deepest an internal node can sit is KEY_BITS - 1. */
export const KEY_BITS = 256;
/** Bytes of an encoded node: a tag and two 32-byte fields. */
export const NODE_BYTES = 1 + 2 * HASH_BYTES;

const LEAF_TAG = 0x00;
/** An internal node's encoding starts with this byte (a leaf's with 0). */
export const INTERNAL_NODE_TAG = 0x01;
const INTERNAL_TAG = INTERNAL_NODE_TAG;

/** The hash of an empty subtree (and of an empty trie): 32 zero bytes. */
export const EMPTY_ROOT: Uint8Array = new Uint8Array(HASH_BYTES);

/** A stored trie node; an internal node refers to its children by hash (EMPTY_ROOT when empty). */
export type TrieNode = { kind: 'leaf'; key: Uint8Array; valueHash: Uint8Array } | { kind: 'internal'; left: Uint8Array; right: Uint8Array };

/** Bit `index` of the key, most significant bit of byte 0 first. */
export function bitAt(key: Uint8Array, index: number): number {
  return ((key[index >> 3] as number) >> (7 - (index & 7))) & 1;
}

/** Number of leading bits two 32-byte keys share (256 when equal). */
export function commonPrefixBits(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < HASH_BYTES; i++) {
    const diff = (a[i] as number) ^ (b[i] as number);
    if (diff !== 0) return i * 8 + Math.clz32(diff) - 24;
  }
  return KEY_BITS;
}

const HEX_CODES = Uint16Array.from('0123456789abcdef', (c) => c.charCodeAt(0));
/** Scratch of nodeKey, written and read within one synchronous call. */
const NODE_KEY_CODES = new Uint16Array(2 * HASH_BYTES);

/**
 * A node hash as the key nodes are stored under: exactly toHex(hash), built as one flat string (the trie makes one
 * per node it reads or builds, and toHex's byte-by-byte concatenation left garbage behind on that hot path).
 */
export function nodeKey(hash: Uint8Array): string {
  if (hash.length !== HASH_BYTES) return toHex(hash);
  for (let i = 0; i < HASH_BYTES; i++) {
    const b = hash[i] as number;
    NODE_KEY_CODES[2 * i] = HEX_CODES[b >> 4] as number;
    NODE_KEY_CODES[2 * i + 1] = HEX_CODES[b & 15] as number;
  }
  return String.fromCharCode.apply(null, NODE_KEY_CODES as unknown as number[]);
}

/** True for the empty-subtree hash; compares content so a copy of EMPTY_ROOT counts too. */
export function isEmptyHash(hash: Uint8Array): boolean {
  for (let i = 0; i < hash.length; i++) if (hash[i] !== 0) return false;
  return true;
}

/**
 * Hashes nodes through one reusable 65-byte input buffer, so hashing a path allocates only
 * the digests. One per call rather than module-wide, so nothing outlives the call that owns it.
 */
export class NodeHasher {
  private readonly input = new Uint8Array(NODE_BYTES);

  leaf(key: Uint8Array, valueHash: Uint8Array): Uint8Array {
    return this.hash(LEAF_TAG, key, valueHash);
  }

  internal(left: Uint8Array, right: Uint8Array): Uint8Array {
    return this.hash(INTERNAL_TAG, left, right);
  }

  private hash(tag: number, first: Uint8Array, second: Uint8Array): Uint8Array {
    this.input[0] = tag;
    this.input.set(first, 1);
    this.input.set(second, 1 + HASH_BYTES);
    return sha3(this.input);
  }
}

function checkField(bytes: Uint8Array, name: string): void {
  if (!(bytes instanceof Uint8Array) || bytes.length !== HASH_BYTES) {
    throw new TypeError(`trie node ${name} must be ${HASH_BYTES} bytes`);
  }
}

/** Encodes a node as tag (0 leaf, 1 internal) followed by its two 32-byte fields. */
export function encodeNode(node: TrieNode): Uint8Array {
  const isLeaf = node.kind === 'leaf';
  const first = isLeaf ? node.key : node.left;
  const second = isLeaf ? node.valueHash : node.right;
  checkField(first, isLeaf ? 'key' : 'left');
  checkField(second, isLeaf ? 'valueHash' : 'right');
  const out = new Uint8Array(NODE_BYTES);
  out[0] = isLeaf ? LEAF_TAG : INTERNAL_TAG;
  out.set(first, 1);
  out.set(second, 1 + HASH_BYTES);
  return out;
}

/** Decodes encodeNode's output; throws TypeError on any other length or tag. */
export function decodeNode(bytes: Uint8Array): TrieNode {
  if (!(bytes instanceof Uint8Array) || bytes.length !== NODE_BYTES) {
    throw new TypeError(`trie node must be ${NODE_BYTES} bytes`);
  }
  // Copies, so the node never aliases a buffer the storage layer may reuse.
  const first = bytes.slice(1, 1 + HASH_BYTES);
  const second = bytes.slice(1 + HASH_BYTES);
  if (bytes[0] === LEAF_TAG) return { kind: 'leaf', key: first, valueHash: second };
  if (bytes[0] === INTERNAL_TAG) return { kind: 'internal', left: first, right: second };
  throw new TypeError(`unknown trie node tag ${bytes[0]}`);
}

/** The node's hash: sha3 of its encoding; the key it is stored under. */
export function hashNode(node: TrieNode): Uint8Array {
  return sha3(encodeNode(node));
}
