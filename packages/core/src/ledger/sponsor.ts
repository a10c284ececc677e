/**
 * Batch sponsorship: a fee payer co-signs many of its users' transactions with one signature. It signs the root of a
 * Merkle tree over the transactions' signing bytes; each transaction then carries that signature, its leaf index and
 * the sibling hashes up to the root (FeePayer.batch). A verifier folds the proof to the root and checks one signature
 * per root: the node verifies each (payer key, root, signature) once, however many transactions carry it, which makes
 * a sponsored transaction cost about what a plain one does. The sender signs the same bytes either way: whether its
 * fee payer co-signs alone or in a batch is the payer's choice.
 *
 * Tree: leaf = SHA3(0x00 ‖ signingBytes), node = SHA3(0x01 ‖ left ‖ right); a level with an odd count pairs its last
 * node with 32 zero bytes (never a leaf: no signing bytes hash to zero). Bit i of the index says whether the node at
 * level i is a right child. The signed message is 'S' ‖ chainId ‖ root.
 */
import { bytesEqual } from '../bytes.ts';
import { signMessage } from '../crypto/keys.ts';
import { sha3 } from '../crypto/provider.ts';
import { Writer } from '../encoding/codec.ts';
import { TX_LIMITS } from './limits.ts';
import { txSigningBytes } from './tx-codec.ts';
import type { SponsorProof, Tx } from './types.ts';

const SPONSOR_DOMAIN = 0x53; // 'S'
const LEAF = 0x00;
const NODE = 0x01;
const EMPTY = new Uint8Array(32);

function leafHash(signingBytes: Uint8Array): Uint8Array {
  const data = new Uint8Array(1 + signingBytes.length);
  data[0] = LEAF;
  data.set(signingBytes, 1);
  return sha3(data);
}

function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  const data = new Uint8Array(65);
  data[0] = NODE;
  data.set(left, 1);
  data.set(right, 33);
  return sha3(data);
}

/** The message a fee payer signs for a batch with this root: sponsorPrefix(chainId) ‖ root. */
export function sponsorMessage(chainId: string, root: Uint8Array): Uint8Array {
  return new Writer().u8(SPONSOR_DOMAIN).string(chainId).fixed(root, 32).finish();
}

/** What comes before the root in a chain's sponsor messages (a verifier that folds proofs elsewhere appends the root). */
export function sponsorPrefix(chainId: string): Uint8Array {
  return new Writer().u8(SPONSOR_DOMAIN).string(chainId).finish();
}

/** The root a transaction's proof leads to from its signing bytes (the proof's shape is checked statically). */
export function sponsorRoot(signingBytes: Uint8Array, batch: SponsorProof): Uint8Array {
  let hash = leafHash(signingBytes);
  batch.proof.forEach((sibling, level) => {
    hash = (batch.index >>> level) & 1 ? nodeHash(sibling, hash) : nodeHash(hash, sibling);
  });
  return hash;
}

/** Null when the proof can describe a leaf of a tree the codec allows; otherwise what is wrong with it. */
export function sponsorProofProblem(batch: SponsorProof): string | null {
  if (batch.proof.length < 1 || batch.proof.length > TX_LIMITS.sponsorDepthMax) {
    return `a batch proof has 1 to ${TX_LIMITS.sponsorDepthMax} levels`;
  }
  if (!Number.isSafeInteger(batch.index) || batch.index < 0 || batch.index >= 2 ** batch.proof.length) {
    return `a batch index of a ${batch.proof.length}-level proof is below ${2 ** batch.proof.length}`;
  }
  return null;
}

/** The largest batch one signature sponsors. */
export const SPONSOR_BATCH_MAX = 2 ** TX_LIMITS.sponsorDepthMax;

/**
 * Co-signs a batch of transactions that name this fee payer, with one signature: returns them with FeePayer.batch
 * filled in (the senders' signatures untouched). A batch of one still gets a one-level proof.
 */
export function sponsorBatch(txs: Tx[], payerSecretKey: Uint8Array, payerPublicKey: Uint8Array): Tx[] {
  return sponsorBatchWith(txs, payerPublicKey, (message) => signMessage(payerSecretKey, message));
}

/** sponsorBatch for a payer whose key signs elsewhere (a wallet, a blocklet's ctx.keys): `sign` signs one message. */
export function sponsorBatchWith(txs: Tx[], payerPublicKey: Uint8Array, sign: (message: Uint8Array) => Uint8Array): Tx[] {
  if (txs.length === 0) return [];
  if (txs.length > SPONSOR_BATCH_MAX) throw new RangeError(`a batch holds at most ${SPONSOR_BATCH_MAX} transactions`);
  const chainId = (txs[0] as Tx).chainId;
  for (const tx of txs) {
    if (tx.chainId !== chainId) throw new TypeError('every transaction of a batch is for the same chain');
    if (tx.feePayer === null) throw new TypeError('a transaction of the batch names no fee payer');
    if (!bytesEqual(tx.feePayer.publicKey, payerPublicKey))
      throw new TypeError(`a transaction names fee payer ${tx.feePayer.did}, not this key`);
  }
  const levels: Uint8Array[][] = [txs.map((tx) => leafHash(txSigningBytes(tx)))];
  do {
    const below = levels[levels.length - 1] as Uint8Array[];
    const above: Uint8Array[] = [];
    for (let i = 0; i < below.length; i += 2) above.push(nodeHash(below[i] as Uint8Array, below[i + 1] ?? EMPTY));
    levels.push(above);
  } while ((levels[levels.length - 1] as Uint8Array[]).length > 1);
  const root = (levels[levels.length - 1] as Uint8Array[])[0] as Uint8Array;
  const signature = sign(sponsorMessage(chainId, root));
  return txs.map((tx, index) => {
    const proof = levels.slice(0, -1).map((level, depth) => level[(index >>> depth) ^ 1] ?? EMPTY);
    return { ...tx, feePayer: { ...(tx.feePayer as NonNullable<Tx['feePayer']>), signature, batch: { index, proof } } };
  });
}
