/**
 * Who executes a blocklet's chain-event invocation on a network of validators: each validator's VRF over the event
 * (under a sortition seed of the chain) ranks it, weighted by stake as in proposer selection (sortition.ts), and the
 * top-ranked claimant runs the invocation. A claim carries the VRF proof, so every node checks every rank; a result
 * carries it too, so a node can tell the chosen executor's result from anyone else's. Both are signed with the
 * sender's ed25519 key and have one canonical encoding (a kind byte first), as the BA* messages do.
 */
import { compareBytes, toHex } from '../bytes.ts';
import { vrfProofToHash, vrfProve, vrfVerify } from '../crypto/ecvrf.ts';
import { signMessage } from '../crypto/keys.ts';
import { verifySignature } from '../crypto/provider.ts';
import { CodecError, Reader, Writer } from '../encoding/codec.ts';
import { type Committee, type CommitteeMember, proposerPriority, selectedSubUsers } from './sortition.ts';

/**
 * Expected sub-users drawn per event. A validator's priority is the best hash over its drawn sub-users, so its chance
 * of ranking first grows with its stake; τ bounds the hashing (about τ hashes per event in all) on any stake size.
 */
export const EXECUTOR_TAU = 64;

export const EXECUTOR_LIMITS = {
  /** A blocklet name (the manifest allows 64 characters). */
  nameBytesMax: 128,
  /** A trigger's dedup key (chain name, event position, transaction hash, added/removed). */
  dedupKeyBytesMax: 512,
  /** An error code of a failed invocation. */
  errorCodeBytesMax: 64,
};

const VRF_PROOF_BYTES = 80;
const KEY_BYTES = 32;
const SIGNATURE_BYTES = 64;
const DIGEST_BYTES = 32;

/** The VRF input for one event of one blocklet under a sortition seed. */
export function executorAlpha(seed: Uint8Array, blockletName: string, dedupKey: string): Uint8Array {
  return new Writer().string('arc-executor-v1').fixed(seed, 32).string(blockletName).string(dedupKey).finish();
}

/** A validator's rank for one event: its VRF proof, its priority (32 bytes, higher runs first) and its sub-users. */
export interface ExecutorRank {
  proof: Uint8Array;
  priority: Uint8Array;
  subUsers: number;
}

/**
 * A validator's own rank for an event (pure: the VRF is deterministic). A validator drawn for no sub-user still
 * ranks, with priority zero, below every drawn one: the event never lacks an executor while a validator is up.
 */
export function executorPriority(secretKey: Uint8Array, member: CommitteeMember, committee: Committee, alpha: Uint8Array): ExecutorRank {
  // Not runSortition: it verifies its own proof too, doubling the cost of a rank nobody needs checked here (peers check it).
  const proof = vrfProve(secretKey, alpha);
  const hash = vrfProofToHash(proof);
  const subUsers = selectedSubUsers(hash, member.weight, committee.totalWeight, EXECUTOR_TAU);
  return { proof, priority: proposerPriority(hash, subUsers), subUsers };
}

/** A claimant's priority from its proof; null when the key is no member or the proof does not verify. */
export function verifyExecutorClaim(publicKey: Uint8Array, proof: Uint8Array, committee: Committee, alpha: Uint8Array): Uint8Array | null {
  const member = committee.members.get(toHex(publicKey));
  if (!member) return null;
  const hash = vrfVerify(publicKey, proof, alpha);
  if (!hash) return null;
  return proposerPriority(hash, selectedSubUsers(hash, member.weight, committee.totalWeight, EXECUTOR_TAU));
}

/** What ranks a claim: the claimant's key and its verified priority. */
export interface RankedClaim {
  publicKey: Uint8Array;
  priority: Uint8Array;
}

/** Claims in the order they run: priority descending, then public key ascending (the same order on every node). */
export function rankClaims<T extends RankedClaim>(claims: readonly T[]): T[] {
  return [...claims].sort((a, b) => compareBytes(b.priority, a.priority) || compareBytes(a.publicKey, b.publicKey));
}

/** "I rank this high for this event": sent by every validator that watches the event. */
export interface ExecutorClaim {
  kind: 'claim';
  name: string;
  dedupKey: string;
  /** The height of this node's chain whose seed the alpha was made under (receivers use their own and compare). */
  seedHeight: number;
  publicKey: Uint8Array;
  proof: Uint8Array;
  signature: Uint8Array;
}

/** How an invocation ended: ok, or failed with its error code. */
export type ExecutorOutcome = { ok: true } | { ok: false; code: string };

/** "I ran it, this is how it ended": sent by the executor, with its proof so anyone can check its rank. */
export interface ExecutorResult {
  kind: 'result';
  name: string;
  dedupKey: string;
  publicKey: Uint8Array;
  proof: Uint8Array;
  outcome: ExecutorOutcome;
  /** SHA3-256 of the invocation's canonical result JSON (the node defines it; peers only compare it). */
  outputDigest: Uint8Array;
  signature: Uint8Array;
}

export type ExecutorMessage = ExecutorClaim | ExecutorResult;

const KIND = { claim: 1, result: 2 } as const;

function writeOutcome(w: Writer, outcome: ExecutorOutcome): Writer {
  return outcome.ok ? w.bool(true) : w.bool(false).string(outcome.code);
}

/** The bytes a claim's signature covers. */
export function claimSigningBytes(c: Omit<ExecutorClaim, 'kind' | 'signature'>): Uint8Array {
  return new Writer()
    .string('arc-executor-claim-v1')
    .string(c.name)
    .string(c.dedupKey)
    .uint(c.seedHeight)
    .fixed(c.publicKey, KEY_BYTES)
    .fixed(c.proof, VRF_PROOF_BYTES)
    .finish();
}

/** The bytes a result's signature covers. */
export function resultSigningBytes(r: Omit<ExecutorResult, 'kind' | 'signature'>): Uint8Array {
  const w = new Writer()
    .string('arc-executor-result-v1')
    .string(r.name)
    .string(r.dedupKey)
    .fixed(r.publicKey, KEY_BYTES)
    .fixed(r.proof, VRF_PROOF_BYTES);
  return writeOutcome(w, r.outcome).fixed(r.outputDigest, DIGEST_BYTES).finish();
}

export function signExecutorClaim(c: Omit<ExecutorClaim, 'kind' | 'signature'>, secretKey: Uint8Array): ExecutorClaim {
  return { ...c, kind: 'claim', signature: signMessage(secretKey, claimSigningBytes(c)) };
}

export function signExecutorResult(r: Omit<ExecutorResult, 'kind' | 'signature'>, secretKey: Uint8Array): ExecutorResult {
  return { ...r, kind: 'result', signature: signMessage(secretKey, resultSigningBytes(r)) };
}

/** The sender's signature check (the rank is checked against the committee with verifyExecutorClaim). */
export function executorSignatureValid(m: ExecutorMessage): boolean {
  const signed = m.kind === 'claim' ? claimSigningBytes(m) : resultSigningBytes(m);
  return verifySignature(m.publicKey, signed, m.signature);
}

/** The canonical bytes of a claim or result. */
export function encodeExecutorMessage(m: ExecutorMessage): Uint8Array {
  const w = new Writer().u8(KIND[m.kind]).string(m.name).string(m.dedupKey);
  if (m.kind === 'claim') w.uint(m.seedHeight);
  w.fixed(m.publicKey, KEY_BYTES).fixed(m.proof, VRF_PROOF_BYTES);
  if (m.kind === 'result') writeOutcome(w, m.outcome).fixed(m.outputDigest, DIGEST_BYTES);
  return w.fixed(m.signature, SIGNATURE_BYTES).finish();
}

/** Decodes a claim or result; throws CodecError on anything that is not one message's canonical bytes. */
export function decodeExecutorMessage(bytes: Uint8Array): ExecutorMessage {
  const r = new Reader(bytes);
  const kind = r.u8();
  if (kind !== KIND.claim && kind !== KIND.result) throw new CodecError(`unknown executor message kind ${kind}`);
  const name = r.string(EXECUTOR_LIMITS.nameBytesMax);
  const dedupKey = r.string(EXECUTOR_LIMITS.dedupKeyBytesMax);
  let m: ExecutorMessage;
  if (kind === KIND.claim) {
    const seedHeight = r.uint();
    const publicKey = r.fixed(KEY_BYTES);
    const proof = r.fixed(VRF_PROOF_BYTES);
    m = { kind: 'claim', name, dedupKey, seedHeight, publicKey, proof, signature: r.fixed(SIGNATURE_BYTES) };
  } else {
    const publicKey = r.fixed(KEY_BYTES);
    const proof = r.fixed(VRF_PROOF_BYTES);
    const outcome: ExecutorOutcome = r.bool() ? { ok: true } : { ok: false, code: r.string(EXECUTOR_LIMITS.errorCodeBytesMax) };
    const outputDigest = r.fixed(DIGEST_BYTES);
    m = { kind: 'result', name, dedupKey, publicKey, proof, outcome, outputDigest, signature: r.fixed(SIGNATURE_BYTES) };
  }
  r.end();
  return m;
}
