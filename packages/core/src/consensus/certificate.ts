/**
 * Checking what votes prove, for a node catching up, the explorer and a light client alike: every vote is signed by
 * its voter, its sortition proof selects the sub-users it counts for, no voter counts twice, and their weight passes
 * the step's threshold at a step where BA* returns that value. Pure: the seed and committee of the height are handed in.
 */
import { bytesEqual, toHex } from '../bytes.ts';
import { vrfVerify } from '../crypto/ecvrf.ts';
import { BINARY_FIRST, type Certificate, EMPTY_VALUE, FINAL_STEP, signatureValid, type Vote } from './messages.ts';
import { type ConsensusParams, passes } from './params.ts';
import { type Committee, selectedSubUsers, sortitionAlpha } from './sortition.ts';

/** The seed, committee and parent a height's votes are checked against. */
export interface HeightContext {
  height: number;
  prevHash: Uint8Array;
  seed: Uint8Array;
  committee: Committee;
}

/** Checks one message's signature and sortition; a cache may remember answers by message bytes (they are pure). */
export interface VoteChecker {
  /** The sub-users and VRF output a vote counts for, or null when its signature or sortition fails. */
  check(vote: Vote, ctx: HeightContext, tau: number | null): VoteWeight;
}

/** A binary BA* step whose timeout flips the common coin (steps 5, 8, 11…): its votes carry VRF outputs to draw it. */
export function isCoinStep(step: number): boolean {
  return step !== FINAL_STEP && step >= BINARY_FIRST && (step - BINARY_FIRST) % 3 === 2;
}

/**
 * Whether a vote at `step` carries a sortition proof. A sampled committee (τ set) needs one to show the sub-users a
 * voter was chosen with; a whole-stake committee (τ null) chooses every member with all its weight, so its votes need
 * none, except at the coin steps, whose votes' VRF outputs draw the common coin. The small-network default thereby
 * proves and checks no VRF for almost every vote (an ECVRF proof costs ~4 ms here, a check ~2.6 ms).
 */
export function voteProofNeeded(tau: number | null, step: number): boolean {
  return tau !== null || isCoinStep(step);
}

export type VoteWeight = { subUsers: number; hash: Uint8Array | null } | null;

/**
 * The sub-users a vote counts for and its VRF output (null for a vote that needs no proof), or null when its signature
 * or sortition fails; `vrfVerify` is the VRF check to use (a memo's or the direct one). A vote with a proof where none
 * is needed, or none where one is, is refused: each vote has one encoding.
 */
export function weighVote(
  vote: Vote,
  ctx: HeightContext,
  tau: number | null,
  verify: (publicKey: Uint8Array, proof: Uint8Array, alpha: Uint8Array) => Uint8Array | null,
): VoteWeight {
  const member = ctx.committee.members.get(toHex(vote.voter));
  if (!member) return null;
  const needed = voteProofNeeded(tau, vote.step);
  if (needed !== vote.proof.length > 0 || !signatureValid(vote)) return null;
  if (!needed) return { subUsers: member.weight, hash: null };
  const hash = verify(vote.voter, vote.proof, sortitionAlpha(ctx.seed, 'committee', vote.height, vote.attempt, vote.step));
  if (!hash) return null;
  const subUsers = selectedSubUsers(hash, member.weight, ctx.committee.totalWeight, tau);
  return subUsers > 0 ? { subUsers, hash } : null;
}

/** The direct checker: the signature, then the VRF proof where the step needs one, then the binomial draw. */
export const directChecker: VoteChecker = {
  check: (vote, ctx, tau) => weighVote(vote, ctx, tau, vrfVerify),
};

/** The committee size a step's threshold is a share of: τ, or the whole stake when committees are whole. */
export function stepTau(params: ConsensusParams, step: number): number | null {
  return step === FINAL_STEP ? params.tauFinal : params.tauStep;
}

export function expectedSize(tau: number | null, committee: Committee): number {
  return tau === null ? committee.totalWeight : Math.min(tau, committee.totalWeight);
}

/**
 * What a step's passing value means: at the final step a final block; at binary BA*'s steps 1, 4, 7… a block (a
 * non-empty value returns there); at steps 2, 5, 8… "no block" (the empty value returns there); otherwise nothing.
 */
export function decisionAt(step: number, value: Uint8Array): 'final' | 'block' | 'empty' | null {
  const empty = bytesEqual(value, EMPTY_VALUE);
  if (step === FINAL_STEP) return empty ? null : 'final';
  if (step < BINARY_FIRST) return null;
  const kind = (step - BINARY_FIRST) % 3;
  if (kind === 0 && !empty) return 'block';
  if (kind === 1 && empty) return 'empty';
  return null;
}

export type CertificateCheck = { ok: true; decision: 'final' | 'block' | 'empty'; weight: number } | { ok: false; reason: string };

/** Whether a certificate proves its value was decided at its height (and whether final), with the reason when not. */
export function verifyCertificate(
  cert: Certificate,
  ctx: HeightContext,
  params: ConsensusParams,
  checker: VoteChecker = directChecker,
): CertificateCheck {
  if (cert.height !== ctx.height) return { ok: false, reason: `the certificate is for height ${cert.height}, not ${ctx.height}` };
  if (!bytesEqual(cert.prevHash, ctx.prevHash)) return { ok: false, reason: 'the certificate builds on another parent block' };
  const decision = decisionAt(cert.step, cert.value);
  if (!decision) return { ok: false, reason: `step ${cert.step} decides nothing for this value` };
  const tau = stepTau(params, cert.step);
  const seen = new Set<string>();
  let weight = 0;
  for (const [index, vote] of cert.votes.entries()) {
    const same =
      vote.height === cert.height &&
      vote.attempt === cert.attempt &&
      vote.step === cert.step &&
      bytesEqual(vote.prevHash, cert.prevHash) &&
      bytesEqual(vote.value, cert.value);
    if (!same) return { ok: false, reason: `vote ${index} is for another height, attempt, step or value` };
    const voter = toHex(vote.voter);
    if (seen.has(voter)) return { ok: false, reason: `vote ${index} repeats voter ${voter}` };
    seen.add(voter);
    const counted = checker.check(vote, ctx, tau);
    if (!counted) return { ok: false, reason: `vote ${index} has a bad signature or sortition proof, or its voter is no member` };
    weight += counted.subUsers;
  }
  const threshold = cert.step === FINAL_STEP ? params.thresholdFinal : params.thresholdStep;
  if (!passes(weight, expectedSize(tau, ctx.committee), threshold)) {
    return { ok: false, reason: `the votes weigh ${weight}, not above the threshold of ${expectedSize(tau, ctx.committee)}` };
  }
  return { ok: true, decision, weight };
}
