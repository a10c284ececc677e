import { concatBytes } from '../bytes.ts';
import { sha3 } from '../crypto/provider.ts';
import { CodecError, Reader, Writer } from '../encoding/codec.ts';
import { TX_LIMITS } from './limits.ts';
import type { BlockHeader, BlockSeal } from './types.ts';

export const BLOCK_VERSION = 1;
/** Headers of a chain run by consensus: version 1's fields and the proposer's seed proof. */
export const BLOCK_VERSION_CONSENSUS = 2;
const SEED_PROOF_BYTES = 80;
const HEADER_DOMAIN = 0x42; // 'B'
export const ZERO_HASH = new Uint8Array(32);

/** The canonical encoding of a block header. */
export function encodeHeader(h: BlockHeader): Uint8Array {
  const w = new Writer()
    .u8(h.version)
    .string(h.chainId)
    .uint(h.height)
    .fixed(h.prevHash, 32)
    .uint(h.timeMs)
    .string(h.proposer)
    .fixed(h.txRoot, 32)
    .fixed(h.stateRoot, 32)
    .uint(h.txCount);
  if (h.version === BLOCK_VERSION_CONSENSUS) {
    // Zeros in its place would hash and decode as another header: a version-2 header without its proof is a bug.
    if (!h.seedProof) throw new CodecError("a version-2 block header carries the proposer's seedProof");
    w.fixed(h.seedProof, SEED_PROOF_BYTES);
  }
  return w.finish();
}

/** Decodes a header written by encodeHeader; throws CodecError on anything else. */
export function decodeHeader(bytes: Uint8Array): BlockHeader {
  const r = new Reader(bytes);
  const h: BlockHeader = {
    version: r.u8(),
    chainId: r.string(TX_LIMITS.chainIdBytes),
    height: r.uint(),
    prevHash: r.fixed(32),
    timeMs: r.uint(),
    proposer: r.string(TX_LIMITS.didBytes),
    txRoot: r.fixed(32),
    stateRoot: r.fixed(32),
    txCount: r.uint(),
  };
  if (h.version === BLOCK_VERSION_CONSENSUS) h.seedProof = r.fixed(SEED_PROOF_BYTES);
  r.end();
  return h;
}

/** The block hash: SHA3-256 of a domain byte and the header's encoding. The seal signs this. */
export function blockHash(h: BlockHeader): Uint8Array {
  return sha3(concatBytes(new Uint8Array([HEADER_DOMAIN]), encodeHeader(h)));
}

export function encodeSeal(seal: BlockSeal): Uint8Array {
  return new Writer().fixed(seal.publicKey, 32).fixed(seal.signature, 64).finish();
}

export function decodeSeal(bytes: Uint8Array): BlockSeal {
  const r = new Reader(bytes);
  const seal = { publicKey: r.fixed(32), signature: r.fixed(64) };
  r.end();
  return seal;
}

const LEAF = new Uint8Array([0]);
const NODE = new Uint8Array([1]);

/**
 * The Merkle root of a block's transaction hashes (RFC 6962 shape: leaves and nodes are hashed
 * with different prefixes; an odd node is promoted). An empty block has the zero hash.
 */
export function txMerkleRoot(hashes: Uint8Array[]): Uint8Array {
  if (hashes.length === 0) return ZERO_HASH;
  let level = hashes.map((h) => sha3(concatBytes(LEAF, h)));
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) {
      const left = level[i] as Uint8Array;
      const right = level[i + 1];
      next.push(right === undefined ? left : sha3(concatBytes(NODE, left, right)));
    }
    level = next;
  }
  return level[0] as Uint8Array;
}
