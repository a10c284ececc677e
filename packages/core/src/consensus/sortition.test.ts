import { describe, expect, it } from 'vitest';
import { utf8 } from '../bytes.ts';
import { keyPairFromSeed } from '../crypto/keys.ts';
import { sha3 } from '../crypto/provider.ts';
import { Writer } from '../encoding/codec.ts';
import { committeeOf, proposerPriority, runSortition, selectedSubUsers, sortitionAlpha, verifySortition } from './sortition.ts';

/** Many distinct, evenly spread 32-byte "VRF outputs". */
function hashes(count: number): Uint8Array[] {
  return Array.from({ length: count }, (_, i) => sha3(new Writer().string('sortition-test').uint(i).finish()));
}

function meanAndVariance(values: number[]): { mean: number; variance: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
  return { mean, variance };
}

describe('selectedSubUsers (the binomial draw)', () => {
  it('selects every unit of stake when committees are whole (τ null or τ ≥ W)', () => {
    for (const hash of hashes(20)) {
      expect(selectedSubUsers(hash, 37, 100, null)).toBe(37);
      expect(selectedSubUsers(hash, 37, 100, 100)).toBe(37);
      expect(selectedSubUsers(hash, 37, 100, 5_000)).toBe(37);
    }
  });

  it('selects nobody for a weight of 0', () => {
    for (const hash of hashes(10)) expect(selectedSubUsers(hash, 0, 100, 10)).toBe(0);
  });

  it('draws τ·w/W sub-users on average, with the binomial variance, over many outputs', () => {
    const draws = 4_000;
    const cases = [
      { weight: 100, total: 1_000, tau: 50 }, // p = 0.05: mean 5
      { weight: 10, total: 40, tau: 20 }, // p = 0.5: mean 5
      { weight: 3, total: 10_000, tau: 2_000 }, // p = 0.2: mean 0.6
    ];
    for (const { weight, total, tau } of cases) {
      const p = tau / total;
      const { mean, variance } = meanAndVariance(hashes(draws).map((h) => selectedSubUsers(h, weight, total, tau)));
      const expectedMean = weight * p;
      const expectedVariance = weight * p * (1 - p);
      // Five standard errors of the sample mean; the variance within 15 %.
      expect(Math.abs(mean - expectedMean)).toBeLessThan(5 * Math.sqrt(expectedVariance / draws));
      expect(Math.abs(variance - expectedVariance)).toBeLessThan(0.15 * expectedVariance);
    }
  });

  it('never selects more sub-users than the weight', () => {
    for (const hash of hashes(500)) expect(selectedSubUsers(hash, 4, 8, 7)).toBeLessThanOrEqual(4);
  });
});

describe('runSortition and verifySortition', () => {
  const keys = [1, 2, 3].map((i) => keyPairFromSeed(new Uint8Array(32).fill(i)));
  const committee = committeeOf(keys.map((k) => ({ publicKey: k.publicKey, weight: 10 })));
  const seed = sha3(utf8('a seed'));
  const alpha = sortitionAlpha(seed, 'committee', 5, 0, 3);
  const member = [...committee.members.values()][0]!;

  it('lets anyone recompute what a member proved, and nothing for another input or key', () => {
    const s = runSortition(keys[0]!.secretKey, member, committee, null, alpha);
    expect(s.subUsers).toBe(10);
    expect(verifySortition(keys[0]!.publicKey, s.proof, committee, null, alpha)).toEqual({ subUsers: 10, hash: s.hash });
    expect(verifySortition(keys[0]!.publicKey, s.proof, committee, null, sortitionAlpha(seed, 'committee', 5, 0, 4))).toBeNull();
    expect(verifySortition(keys[1]!.publicKey, s.proof, committee, null, alpha)).toBeNull();
  });

  it('refuses a key that is no member', () => {
    const stranger = keyPairFromSeed(new Uint8Array(32).fill(9));
    const s = runSortition(stranger.secretKey, { publicKey: stranger.publicKey, weight: 10 }, committee, null, alpha);
    expect(verifySortition(stranger.publicKey, s.proof, committee, null, alpha)).toBeNull();
  });

  it('gives a proposer with no sub-users the lowest priority', () => {
    expect(proposerPriority(sha3(utf8('x')), 0)).toEqual(new Uint8Array(32));
    expect(proposerPriority(sha3(utf8('x')), 2)).not.toEqual(new Uint8Array(32));
  });
});
