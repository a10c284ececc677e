/**
 * The simulator's toy application: what a block is, how it is checked, and what a decided block does to the state.
 *
 * - A block (the proposal's payload) names its height, attempt, parent and proposer, and carries a nonce from the
 *   proposer's random stream so that two blocks never look alike. Its value (what votes name) is SHA3-256 of it.
 * - It is valid at a node when it decodes and is for that node's height, attempt and parent, from its proposer.
 * - The state root after height h is SHA3-256(root of h−1 ‖ payload of h): equal roots mean equal histories.
 * - The sortition seed of height h+1 is SHA3-256(tag ‖ seed of h ‖ h): a hash chain from the genesis seed that the
 *   blocks do not feed. The node takes the proposer's VRF output instead (Algorand §5.2); a seed drawn from the blocks
 *   (whose nonces are random) would give every run sortition inputs no other run has, and the memo could reuse no VRF
 *   proof across runs (`VrfMemo`: ~5 ms per proof in the pure-JavaScript ECVRF, hundreds per run). With whole-stake
 *   committees the seed only picks proposers and the common coin, and those still vary from run to run with the node
 *   count, the stakes and the faults.
 */
import { bytesEqual, concatBytes, toHex, utf8 } from '../../bytes.ts';
import { sha3 } from '../../crypto/provider.ts';
import { CodecError, Reader, Writer } from '../../encoding/codec.ts';
import type { HeightContext } from '../certificate.ts';
import type { Proposal } from '../messages.ts';
import { genesisSeed } from '../sortition.ts';

const BLOCK_TAG = 'arc-sim-block-v1';
const SEED_TAG = 'arc-sim-seed-v1';

export interface SimBlock {
  height: number;
  attempt: number;
  prevHash: Uint8Array;
  proposer: Uint8Array;
  nonce: number;
}

/** The chain every simulated node starts from. */
export const SIM_GENESIS = {
  hash: sha3(utf8('arc-sim-genesis')),
  root: sha3(utf8('arc-sim-root')),
  seed: genesisSeed(sha3(utf8('arc-sim-genesis'))),
};

/** A block's canonical bytes (the proposal's payload). */
export function encodeBlock(b: SimBlock): Uint8Array {
  return new Writer().string(BLOCK_TAG).uint(b.height).uint(b.attempt).fixed(b.prevHash, 32).fixed(b.proposer, 32).uint(b.nonce).finish();
}

/** The block a payload holds, or null when it is not one block's canonical bytes. */
export function decodeBlock(payload: Uint8Array): SimBlock | null {
  try {
    const r = new Reader(payload);
    if (r.string(BLOCK_TAG.length) !== BLOCK_TAG) return null;
    const block = {
      height: r.uint(),
      attempt: r.uint(),
      prevHash: r.fixed(32),
      proposer: r.fixed(32),
      nonce: r.uint(),
    };
    r.end();
    return block;
  } catch (error) {
    // Bytes that do not decode are an invalid block: an answer, not a fault.
    if (error instanceof CodecError) return null;
    throw error;
  }
}

/** What votes name for a payload. */
export function blockValue(payload: Uint8Array): Uint8Array {
  return sha3(payload);
}

/** A proposer's block for its height and attempt. */
export function buildBlock(
  ctx: HeightContext,
  attempt: number,
  proposer: Uint8Array,
  nonce: number,
): { payload: Uint8Array; value: Uint8Array } {
  const payload = encodeBlock({ height: ctx.height, attempt, prevHash: ctx.prevHash, proposer, nonce });
  return { payload, value: blockValue(payload) };
}

/** The sortition seed of the height after `ctx`'s. */
export function nextSeed(ctx: HeightContext): Uint8Array {
  return sha3(new Writer().string(SEED_TAG).fixed(ctx.seed, 32).uint(ctx.height).finish());
}

/** Why a proposal's block is invalid at a node in `ctx`, or null when it is valid. */
export function invalidReason(proposal: Proposal, ctx: HeightContext): string | null {
  const block = decodeBlock(proposal.payload);
  if (!block) return 'the payload is no block';
  if (!bytesEqual(blockValue(proposal.payload), proposal.value)) return 'the payload does not hash to the value';
  if (block.height !== ctx.height || block.attempt !== proposal.attempt) return 'the block is for another height or attempt';
  if (!bytesEqual(block.prevHash, ctx.prevHash)) return 'the block builds on another parent';
  if (!bytesEqual(block.proposer, proposal.proposer)) return 'the block names another proposer';
  if (!ctx.committee.members.has(toHex(block.proposer))) return 'the proposer is no member';
  return null;
}

/** The state root after a block. */
export function nextRoot(prevRoot: Uint8Array, payload: Uint8Array): Uint8Array {
  return sha3(concatBytes(prevRoot, payload));
}
