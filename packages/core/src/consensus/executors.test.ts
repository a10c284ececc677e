import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesEqual, toHex, utf8 } from '../bytes.ts';
import { keyPairFromSeed } from '../crypto/keys.ts';
import { sha3 } from '../crypto/provider.ts';
import { CodecError } from '../encoding/codec.ts';
import {
  decodeExecutorMessage,
  type ExecutorClaim,
  type ExecutorResult,
  encodeExecutorMessage,
  executorAlpha,
  executorPriority,
  executorSignatureValid,
  rankClaims,
  signExecutorClaim,
  signExecutorResult,
  verifyExecutorClaim,
} from './executors.ts';
import { committeeOf } from './sortition.ts';

const keys = [1, 2, 3, 4].map((i) => keyPairFromSeed(new Uint8Array(32).fill(i)));
const SEED = sha3(utf8('a seed'));

function committeeWith(weights: number[]) {
  return committeeOf(keys.slice(0, weights.length).map((k, i) => ({ publicKey: k.publicKey, weight: weights[i] as number })));
}

function memberOf(committee: ReturnType<typeof committeeWith>, index: number) {
  return committee.members.get(toHex((keys[index] as (typeof keys)[number]).publicKey))!;
}

/** Who ranks first for an event, by index into `keys`. */
function firstOf(committee: ReturnType<typeof committeeWith>, alpha: Uint8Array): number {
  const claims = [...committee.members.values()].map((member, index) => ({
    publicKey: member.publicKey,
    priority: executorPriority(keys[index]!.secretKey, member, committee, alpha).priority,
    index,
  }));
  return rankClaims(claims)[0]!.index;
}

describe('executor ranking', () => {
  it('ranks a validator with three times the stake first clearly more often, over many events', () => {
    const committee = committeeWith([3000, 1000, 1000, 1000]);
    const firsts = [0, 0, 0, 0];
    const events = 240;
    for (let i = 0; i < events; i += 1) firsts[firstOf(committee, executorAlpha(SEED, 'watcher', `arc:${i}`))]! += 1;
    // Expected about 1/2 for the heavy validator and 1/6 for each other one.
    expect(firsts[0]).toBeGreaterThan(events * 0.35);
    for (const light of firsts.slice(1)) expect(firsts[0]).toBeGreaterThan(1.5 * light);
    for (const light of firsts.slice(1)) expect(light).toBeGreaterThan(0);
  });

  it('is deterministic: the same key and event give the same proof and priority, and verification agrees', () => {
    const committee = committeeWith([1000, 1000, 1000, 1000]);
    const alpha = executorAlpha(SEED, 'watcher', 'arc:000000000007.000001:ab:added');
    const one = executorPriority(keys[1]!.secretKey, memberOf(committee, 1), committee, alpha);
    const two = executorPriority(keys[1]!.secretKey, memberOf(committee, 1), committee, alpha);
    expect(toHex(one.proof)).toBe(toHex(two.proof));
    expect(toHex(one.priority)).toBe(toHex(two.priority));
    expect(toHex(verifyExecutorClaim(keys[1]!.publicKey, one.proof, committee, alpha)!)).toBe(toHex(one.priority));
  });

  it('orders claims the same whatever order they arrive in, ties broken by public key', () => {
    const zero = new Uint8Array(32);
    const high = new Uint8Array(32).fill(9);
    const claims = [
      { publicKey: keys[2]!.publicKey, priority: zero },
      { publicKey: keys[0]!.publicKey, priority: zero },
      { publicKey: keys[3]!.publicKey, priority: high },
    ];
    const expected = rankClaims(claims).map((c) => toHex(c.publicKey));
    expect(rankClaims([...claims].reverse()).map((c) => toHex(c.publicKey))).toEqual(expected);
    expect(expected[0]).toBe(toHex(keys[3]!.publicKey));
    const [a, b] = [toHex(keys[0]!.publicKey), toHex(keys[2]!.publicKey)].sort();
    expect(expected.slice(1)).toEqual([a, b]);
  });

  it('still ranks a validator drawn for no sub-user, last with priority zero', () => {
    const committee = committeeWith([1, 1_000_000]);
    const alpha = executorAlpha(SEED, 'watcher', 'arc:1');
    const tiny = executorPriority(keys[0]!.secretKey, memberOf(committee, 0), committee, alpha);
    expect(tiny.subUsers).toBe(0);
    expect(bytesEqual(tiny.priority, new Uint8Array(32))).toBe(true);
    expect(verifyExecutorClaim(keys[0]!.publicKey, tiny.proof, committee, alpha)).toEqual(new Uint8Array(32));
    expect(firstOf(committee, alpha)).toBe(1);
  });
});

describe('executor claim checks', () => {
  const committee = committeeWith([1000, 1000, 1000]);
  const alpha = executorAlpha(SEED, 'watcher', 'arc:2');
  const rank = executorPriority(keys[0]!.secretKey, memberOf(committee, 0), committee, alpha);

  it('refuses a proof with a flipped byte', () => {
    const forged = rank.proof.slice();
    forged[40] = (forged[40] as number) ^ 1;
    expect(verifyExecutorClaim(keys[0]!.publicKey, forged, committee, alpha)).toBeNull();
  });

  it("refuses one validator's proof presented under another validator's key", () => {
    expect(verifyExecutorClaim(keys[1]!.publicKey, rank.proof, committee, alpha)).toBeNull();
  });

  it('refuses a proof made for another event or under another seed', () => {
    expect(verifyExecutorClaim(keys[0]!.publicKey, rank.proof, committee, executorAlpha(SEED, 'watcher', 'arc:3'))).toBeNull();
    expect(verifyExecutorClaim(keys[0]!.publicKey, rank.proof, committee, executorAlpha(sha3(SEED), 'watcher', 'arc:2'))).toBeNull();
  });

  it('refuses a key that is not in the committee, even with a valid proof', () => {
    const outsider = executorPriority(keys[3]!.secretKey, { publicKey: keys[3]!.publicKey, weight: 1000 }, committee, alpha);
    expect(verifyExecutorClaim(keys[3]!.publicKey, outsider.proof, committee, alpha)).toBeNull();
  });
});

describe('executor messages', () => {
  const committee = committeeWith([1000, 1000]);
  const alpha = executorAlpha(SEED, 'watcher', 'arc:4');
  const { proof } = executorPriority(keys[0]!.secretKey, memberOf(committee, 0), committee, alpha);
  const claim = signExecutorClaim(
    { name: 'watcher', dedupKey: 'arc:4', seedHeight: 12, publicKey: keys[0]!.publicKey, proof },
    keys[0]!.secretKey,
  );
  const result = signExecutorResult(
    {
      name: 'watcher',
      dedupKey: 'arc:4',
      publicKey: keys[0]!.publicKey,
      proof,
      outcome: { ok: false, code: 'BLOCKLET_TIMEOUT' },
      outputDigest: sha3(utf8('{}')),
    },
    keys[0]!.secretKey,
  );

  it('round-trips a claim and a result through their canonical bytes, signatures intact', () => {
    for (const m of [claim, result]) {
      const back = decodeExecutorMessage(encodeExecutorMessage(m));
      expect(back).toEqual(m);
      expect(executorSignatureValid(back)).toBe(true);
    }
  });

  it('refuses a signature once any signed field is changed, or made by another key', () => {
    expect(executorSignatureValid({ ...claim, seedHeight: 13 } satisfies ExecutorClaim)).toBe(false);
    expect(executorSignatureValid({ ...result, outcome: { ok: true } } satisfies ExecutorResult)).toBe(false);
    expect(executorSignatureValid({ ...result, publicKey: keys[1]!.publicKey })).toBe(false);
    const byOther = signExecutorResult({ ...result, publicKey: keys[0]!.publicKey }, keys[1]!.secretKey);
    expect(executorSignatureValid(byOther)).toBe(false);
  });

  it('refuses trailing bytes, unknown kinds and oversized fields with CodecError', () => {
    const bytes = encodeExecutorMessage(claim);
    expect(() => decodeExecutorMessage(Uint8Array.of(...bytes, 0))).toThrow(CodecError);
    expect(() => decodeExecutorMessage(Uint8Array.of(9, ...bytes.subarray(1)))).toThrow(CodecError);
    const long = signExecutorClaim({ ...claim, dedupKey: 'x'.repeat(600) }, keys[0]!.secretKey);
    expect(() => decodeExecutorMessage(encodeExecutorMessage(long))).toThrow(CodecError);
  });

  it('decodes arbitrary bytes to a message or a CodecError, never anything else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        try {
          decodeExecutorMessage(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(CodecError);
        }
      }),
      { numRuns: 2_000 },
    );
  });
});
