import { describe, expect, it } from 'vitest';
import { utf8 } from '../bytes.ts';
import { keyPairFromSeed } from '../crypto/keys.ts';
import { sha3 } from '../crypto/provider.ts';
import { decisionAt, directChecker, type HeightContext, stepTau, verifyCertificate, voteProofNeeded } from './certificate.ts';
import { BINARY_FIRST, type Certificate, EMPTY_VALUE, FINAL_STEP, signVote, type Vote } from './messages.ts';
import { type ConsensusParams, SMALL_NETWORK_PARAMS } from './params.ts';
import { committeeOf, runSortition, sortitionAlpha } from './sortition.ts';

const params = SMALL_NETWORK_PARAMS;
const keys = [1, 2, 3, 4].map((i) => keyPairFromSeed(new Uint8Array(32).fill(i)));
const committee = committeeOf(keys.map((k) => ({ publicKey: k.publicKey, weight: 1 })));
const ctx: HeightContext = { height: 7, prevHash: sha3(utf8('parent')), seed: sha3(utf8('seed')), committee };
const BLOCK = sha3(utf8('a block'));

/** Committees of τ = 4 sub-users: the whole stake again, but sampled by rule, so every vote carries its VRF proof. */
const sampled: ConsensusParams = { ...params, tauStep: 4, tauFinal: 4 };

/** A vote signed by keys[index], with the sortition proof `p` asks for at the step (`proof` forces one or none). */
function voteOf(index: number, step: number, value: Uint8Array, p: ConsensusParams = params, proof?: boolean): Vote {
  const key = keys[index]!;
  const member = { publicKey: key.publicKey, weight: 1 };
  const tau = stepTau(p, step);
  const withProof = proof ?? voteProofNeeded(tau, step);
  const alpha = sortitionAlpha(ctx.seed, 'committee', ctx.height, 0, step);
  const vrf = withProof ? runSortition(key.secretKey, member, committee, tau, alpha).proof : new Uint8Array();
  return signVote({ height: ctx.height, attempt: 0, prevHash: ctx.prevHash, step, value, voter: key.publicKey, proof: vrf }, key.secretKey);
}

function certificateOf(votes: Vote[], step = BINARY_FIRST, value = BLOCK): Certificate {
  return { kind: 'certificate', height: ctx.height, attempt: 0, prevHash: ctx.prevHash, step, value, votes, payload: new Uint8Array() };
}

const three = [0, 1, 2].map((i) => voteOf(i, BINARY_FIRST, BLOCK));

describe('verifyCertificate', () => {
  it('accepts votes of more than two thirds of the stake for a block at a step that returns it', () => {
    expect(verifyCertificate(certificateOf(three), ctx, params)).toEqual({ ok: true, decision: 'block', weight: 3 });
  });

  it('accepts a final certificate and an empty one where BA* returns the empty value', () => {
    const final = [0, 1, 2].map((i) => voteOf(i, FINAL_STEP, BLOCK));
    expect(verifyCertificate(certificateOf(final, FINAL_STEP), ctx, params)).toMatchObject({ ok: true, decision: 'final' });
    const empty = [0, 1, 2].map((i) => voteOf(i, BINARY_FIRST + 1, EMPTY_VALUE));
    expect(verifyCertificate(certificateOf(empty, BINARY_FIRST + 1, EMPTY_VALUE), ctx, params)).toMatchObject({
      ok: true,
      decision: 'empty',
    });
  });

  it('refuses a forged vote', () => {
    const forged = { ...three[2]!, signature: three[2]!.signature.map((b, i) => (i === 0 ? b ^ 1 : b)) };
    const check = verifyCertificate(certificateOf([three[0]!, three[1]!, forged]), ctx, params);
    expect(check).toEqual({ ok: false, reason: 'vote 2 has a bad signature or sortition proof, or its voter is no member' });
  });

  it('refuses a vote whose sortition proof is for another step', () => {
    const votes = [0, 1].map((i) => voteOf(i, BINARY_FIRST, BLOCK, sampled));
    expect(verifyCertificate(certificateOf([...votes, voteOf(2, BINARY_FIRST, BLOCK, sampled)]), ctx, sampled)).toMatchObject({
      ok: true,
      weight: 3,
    });
    const borrowed = { ...voteOf(2, BINARY_FIRST + 3, BLOCK, sampled), step: BINARY_FIRST };
    const resigned = signVote({ ...borrowed }, keys[2]!.secretKey);
    const check = verifyCertificate(certificateOf([...votes, resigned]), ctx, sampled);
    expect(check).toMatchObject({ ok: false, reason: expect.stringContaining('vote 2 has a bad signature or sortition proof') });
  });

  it('takes a whole-stake vote without a proof, and refuses a proof where none belongs or none where one does', () => {
    expect(three.every((v) => v.proof.length === 0)).toBe(true);
    const withProof = voteOf(2, BINARY_FIRST, BLOCK, params, true);
    expect(verifyCertificate(certificateOf([three[0]!, three[1]!, withProof]), ctx, params)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('vote 2 has a bad signature or sortition proof'),
    });
    const sampledVotes = [0, 1].map((i) => voteOf(i, BINARY_FIRST, BLOCK, sampled));
    const without = voteOf(2, BINARY_FIRST, BLOCK, sampled, false);
    expect(verifyCertificate(certificateOf([...sampledVotes, without]), ctx, sampled)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('vote 2 has a bad signature or sortition proof'),
    });
  });

  it('asks a whole-stake committee for proofs at the coin steps only', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 11, FINAL_STEP].filter((step) => voteProofNeeded(null, step))).toEqual([5, 8, 11]);
    expect([1, 3, FINAL_STEP].every((step) => voteProofNeeded(4, step))).toBe(true);
    const coin = voteOf(0, BINARY_FIRST + 2, BLOCK);
    expect(coin.proof.length).toBe(80);
    expect(directChecker.check(coin, ctx, null)).toMatchObject({ subUsers: 1, hash: expect.any(Uint8Array) });
    expect(directChecker.check(voteOf(0, BINARY_FIRST + 2, BLOCK, params, false), ctx, null)).toBeNull();
    expect(directChecker.check(three[0]!, ctx, null)).toEqual({ subUsers: 1, hash: null });
  });

  it('refuses a voter counted twice', () => {
    const check = verifyCertificate(certificateOf([three[0]!, three[1]!, three[0]!]), ctx, params);
    expect(check).toMatchObject({ ok: false, reason: expect.stringContaining('vote 2 repeats voter') });
  });

  it('refuses a vote for another step or value', () => {
    const otherStep = voteOf(2, BINARY_FIRST + 3, BLOCK);
    expect(verifyCertificate(certificateOf([three[0]!, three[1]!, otherStep]), ctx, params)).toEqual({
      ok: false,
      reason: 'vote 2 is for another height, attempt, step or value',
    });
    const otherValue = voteOf(2, BINARY_FIRST, sha3(utf8('another block')));
    expect(verifyCertificate(certificateOf([three[0]!, three[1]!, otherValue]), ctx, params)).toMatchObject({
      ok: false,
      reason: 'vote 2 is for another height, attempt, step or value',
    });
  });

  it('refuses votes that weigh two thirds of the stake or less', () => {
    const six = committeeOf(
      [1, 2, 3, 4, 5, 6].map((i) => ({ publicKey: keyPairFromSeed(new Uint8Array(32).fill(i)).publicKey, weight: 1 })),
    );
    expect(verifyCertificate(certificateOf(three.slice(0, 2)), ctx, params)).toEqual({
      ok: false,
      reason: 'the votes weigh 2, not above the threshold of 4',
    });
    // Two of three is two thirds exactly: not more than two thirds.
    const threeMembers = committeeOf(keys.slice(0, 3).map((k) => ({ publicKey: k.publicKey, weight: 1 })));
    expect(verifyCertificate(certificateOf(three.slice(0, 2)), { ...ctx, committee: threeMembers }, params)).toEqual({
      ok: false,
      reason: 'the votes weigh 2, not above the threshold of 3',
    });
    // The same three voters are half of a committee of six.
    expect(verifyCertificate(certificateOf(three), { ...ctx, committee: six }, params)).toEqual({
      ok: false,
      reason: 'the votes weigh 3, not above the threshold of 6',
    });
  });

  it('refuses a certificate for another height or parent, and a step that decides nothing', () => {
    expect(verifyCertificate(certificateOf(three), { ...ctx, height: 8 }, params)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('height 7, not 8'),
    });
    expect(verifyCertificate(certificateOf(three), { ...ctx, prevHash: sha3(utf8('x')) }, params)).toMatchObject({
      ok: false,
      reason: 'the certificate builds on another parent block',
    });
    expect(verifyCertificate(certificateOf(three, BINARY_FIRST + 1), ctx, params)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('decides nothing'),
    });
  });
});

describe('decisionAt', () => {
  it('maps binary BA* steps to what a passing value returns', () => {
    expect(decisionAt(BINARY_FIRST, BLOCK)).toBe('block');
    expect(decisionAt(BINARY_FIRST + 3, BLOCK)).toBe('block');
    expect(decisionAt(BINARY_FIRST + 1, EMPTY_VALUE)).toBe('empty');
    expect(decisionAt(BINARY_FIRST, EMPTY_VALUE)).toBeNull();
    expect(decisionAt(BINARY_FIRST + 2, BLOCK)).toBeNull();
    expect(decisionAt(FINAL_STEP, BLOCK)).toBe('final');
    expect(decisionAt(FINAL_STEP, EMPTY_VALUE)).toBeNull();
    expect(decisionAt(2, BLOCK)).toBeNull();
  });
});
