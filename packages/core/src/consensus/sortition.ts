/**
 * Cryptographic sortition (Algorand §5): a node's VRF output over the round's seed and role picks how many of its
 * `weight` sub-users (units of stake) are chosen, each with probability τ/W, as a binomial draw. Everyone recomputes
 * the draw from the proof and the node's weight, so nobody can claim more seats than their stake gives them.
 * The binomial is summed with + − × ÷ only (no Math.pow, exp or log), so every machine gets the same answer.
 */
import { compareBytes, concatBytes, toHex, utf8 } from '../bytes.ts';
import { vrfProve, vrfVerify } from '../crypto/ecvrf.ts';
import { sha3 } from '../crypto/provider.ts';
import { Writer } from '../encoding/codec.ts';

/** One voter's or proposer's weight: its public key (hex) and its stake in whole units. */
export interface CommitteeMember {
  publicKey: Uint8Array;
  weight: number;
}

/** Who may be chosen at a height and with what weight; `totalWeight` is the sum. */
export interface Committee {
  members: Map<string, CommitteeMember>;
  totalWeight: number;
}

/** Builds a committee from members (a key listed twice is refused: each node is one member). */
export function committeeOf(members: CommitteeMember[]): Committee {
  const map = new Map<string, CommitteeMember>();
  let totalWeight = 0;
  for (const member of members) {
    if (!Number.isSafeInteger(member.weight) || member.weight < 0) throw new RangeError('a weight is a non-negative safe integer');
    const key = toHex(member.publicKey);
    if (map.has(key)) throw new RangeError(`${key} is listed twice`);
    map.set(key, member);
    totalWeight += member.weight;
  }
  if (!Number.isSafeInteger(totalWeight) || totalWeight <= 0) throw new RangeError('the committee has no weight');
  return { members: map, totalWeight };
}

export type SortitionRole = 'proposer' | 'committee';
const ROLE_BYTE: Record<SortitionRole, number> = { proposer: 1, committee: 2 };

/** The VRF input for a role at (height, attempt, step) under a seed. */
export function sortitionAlpha(seed: Uint8Array, role: SortitionRole, height: number, attempt: number, step: number): Uint8Array {
  return new Writer().string('arc-sortition-v1').u8(ROLE_BYTE[role]).fixed(seed, 32).uint(height).uint(attempt).uint(step).finish();
}

/** x^n by squaring: only multiplications, so the same bits everywhere. */
function powInt(x: number, n: number): number {
  let result = 1;
  let base = x;
  let e = n;
  while (e > 0) {
    if (e % 2 === 1) result *= base;
    base *= base;
    e = Math.floor(e / 2);
  }
  return result;
}

/** The VRF output's first 53 bits as a number in [0, 1). */
function fractionOf(hash: Uint8Array): number {
  let x = 0;
  for (let i = 0; i < 7; i += 1) x = x * 256 + (hash[i] as number);
  return Math.floor(x / 8) / 2 ** 53;
}

/**
 * How many of `weight` sub-users the VRF output `hash` selects when `tau` of `totalWeight` are expected: the j with
 * Σ_{k<j} B(k) ≤ x < Σ_{k≤j} B(k), B binomial(weight, τ/W). With τ ≥ W every sub-user is selected.
 */
export function selectedSubUsers(hash: Uint8Array, weight: number, totalWeight: number, tau: number | null): number {
  if (weight <= 0) return 0;
  if (tau === null || tau >= totalWeight) return weight;
  const p = tau / totalWeight;
  const x = fractionOf(hash);
  const ratio = p / (1 - p);
  let term = powInt(1 - p, weight);
  let cumulative = term;
  let j = 0;
  while (x >= cumulative && j < weight) {
    term = (term * ratio * (weight - j)) / (j + 1);
    j += 1;
    cumulative += term;
    // A term that rounds to zero past the mean adds nothing more: the draw is at its end.
    if (term === 0 && j > weight * p) break;
  }
  return j;
}

/** A sortition's outcome for one member: its proof, VRF output and how many sub-users were chosen. */
export interface Sortition {
  proof: Uint8Array;
  hash: Uint8Array;
  subUsers: number;
}

/** Runs sortition for a member with its secret key (pure: the VRF is deterministic). */
export function runSortition(
  secretKey: Uint8Array,
  member: CommitteeMember,
  committee: Committee,
  tau: number | null,
  alpha: Uint8Array,
): Sortition {
  const proof = vrfProve(secretKey, alpha);
  const hash = vrfVerify(member.publicKey, proof, alpha);
  if (!hash) throw new Error('a VRF proof made here does not verify: the key pair does not match');
  return { proof, hash, subUsers: selectedSubUsers(hash, member.weight, committee.totalWeight, tau) };
}

/** How many sub-users a member's proof selects (0: a valid proof that chose none), or null when it does not verify or the key is no member. */
export function verifySortition(
  publicKey: Uint8Array,
  proof: Uint8Array,
  committee: Committee,
  tau: number | null,
  alpha: Uint8Array,
): { subUsers: number; hash: Uint8Array } | null {
  const member = committee.members.get(toHex(publicKey));
  if (!member) return null;
  const hash = vrfVerify(publicKey, proof, alpha);
  if (!hash) return null;
  return { subUsers: selectedSubUsers(hash, member.weight, committee.totalWeight, tau), hash };
}

/** A proposer's priority (paper §6): the highest H(vrf output ‖ i) over its chosen sub-users i. */
export function proposerPriority(hash: Uint8Array, subUsers: number): Uint8Array {
  let best: Uint8Array = new Uint8Array(32);
  for (let i = 1; i <= subUsers; i += 1) {
    const candidate = sha3(concatBytes(hash, new Writer().uint(i).finish()));
    if (compareBytes(candidate, best) > 0) best = candidate;
  }
  return best;
}

/** The seed of the next height (paper §5.2): the VRF of the previous seed and the height, by the block's proposer. */
export function seedAlpha(previousSeed: Uint8Array, height: number): Uint8Array {
  return new Writer().string('arc-seed-v1').fixed(previousSeed, 32).uint(height).finish();
}

/** The seed a VRF output makes (32 bytes), and the chain's first seed from its genesis block hash. */
export function seedOf(vrfOutput: Uint8Array): Uint8Array {
  return sha3(vrfOutput);
}

export function genesisSeed(genesisHash: Uint8Array): Uint8Array {
  return sha3(concatBytes(utf8('arc-genesis-seed-v1'), genesisHash));
}
