import { ED25519_TORSION_SUBGROUP, ed25519 } from '@noble/curves/ed25519.js';
import { bytesToNumberLE, numberToBytesLE } from '@noble/curves/utils.js';
import { sha512 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesEqual, concatBytes, fromHex, toHex } from '../bytes.ts';
import { VRF_OUTPUT_BYTES, VRF_PROOF_BYTES, VrfError, vrfProofToHash, vrfProve, vrfVerify } from './ecvrf.ts';

const Point = ed25519.Point;
const L = Point.Fn.ORDER;

/** RFC 9381 Appendix B.3, ECVRF-EDWARDS25519-SHA512-TAI (Examples 16–18); SK and PK are RFC 8032 §7.1's. */
const VECTORS = [
  {
    name: 'example 16 (empty alpha)',
    sk: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
    pk: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    alpha: '',
    pi: '8657106690b5526245a92b003bb079ccd1a92130477671f6fc01ad16f26f723f26f8a57ccaed74ee1b190bed1f479d9727d2d0f9b005a6e456a35d4fb0daab1268a1b0db10836d9826a528ca76567805',
    beta: '90cf1df3b703cce59e2a35b925d411164068269d7b2d29f3301c03dd757876ff66b71dda49d2de59d03450451af026798e8f81cd2e333de5cdf4f3e140fdd8ae',
  },
  {
    name: 'example 17 (alpha 0x72)',
    sk: '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
    pk: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
    alpha: '72',
    pi: 'f3141cd382dc42909d19ec5110469e4feae18300e94f304590abdced48aed5933bf0864a62558b3ed7f2fea45c92a465301b3bbf5e3e54ddf2d935be3b67926da3ef39226bbc355bdc9850112c8f4b02',
    beta: 'eb4440665d3891d668e7e0fcaf587f1b4bd7fbfe99d0eb2211ccec90496310eb5e33821bc613efb94db5e5b54c70a848a0bef4553a41befc57663b56373a5031',
  },
  {
    name: 'example 18 (alpha 0xaf82)',
    sk: 'c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7',
    pk: 'fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025',
    alpha: 'af82',
    pi: '9bc0f79119cc5604bf02d23b4caede71393cedfbb191434dd016d30177ccbf8096bb474e53895c362d8628ee9f9ea3c0e52c7a5c691b6c18c9979866568add7a2d41b00b05081ed0f58ee5e31b3a970e',
    beta: '645427e5d00c62a23fb703732fa5d892940935942101e456ecca7bb217c61c452118fec1219202a0edcf038bb6373241578be7217ba85a2687f7a0310b2df19f',
  },
].map((v) => ({ name: v.name, sk: fromHex(v.sk), pk: fromHex(v.pk), alpha: fromHex(v.alpha), pi: fromHex(v.pi), beta: fromHex(v.beta) }));

const EXAMPLE = VECTORS[0]!;
const GAMMA = { start: 0, end: 32 };
const C = { start: 32, end: 48 };
const S = { start: 48, end: 80 };

function flipBit(bytes: Uint8Array, byteIndex: number, bit: number): Uint8Array {
  const out = bytes.slice();
  out[byteIndex] = (out[byteIndex] as number) ^ (1 << bit);
  return out;
}

function withS(proof: Uint8Array, s: bigint): Uint8Array {
  return concatBytes(proof.subarray(0, S.start), numberToBytesLE(s, 32));
}

// The suite's hash-to-curve and challenge, written out again to build the forgery validate_key exists to stop.
function encodeToCurve(salt: Uint8Array, alpha: Uint8Array) {
  for (let ctr = 0; ctr < 256; ctr++) {
    const hash = sha512(concatBytes(Uint8Array.of(3, 1), salt, alpha, Uint8Array.of(ctr, 0)));
    try {
      return Point.fromBytes(hash.subarray(0, 32)).clearCofactor();
    } catch (error) {
      if (!(error instanceof Error)) throw error;
    }
  }
  throw new Error('no point in 256 tries');
}

function challenge(...points: InstanceType<typeof Point>[]): bigint {
  const hash = sha512(concatBytes(Uint8Array.of(3, 2), ...points.map((p) => p.toBytes()), Uint8Array.of(0)));
  return bytesToNumberLE(hash.subarray(0, 16));
}

describe('ECVRF-EDWARDS25519-SHA512-TAI (RFC 9381)', () => {
  it.each(VECTORS)('proves pi byte for byte, hashes it to beta and verifies it: $name', ({ sk, pk, alpha, pi, beta }) => {
    expect(ed25519.getPublicKey(sk)).toEqual(pk);
    const proof = vrfProve(sk, alpha);
    expect(proof).toHaveLength(VRF_PROOF_BYTES);
    expect(toHex(proof)).toBe(toHex(pi));
    expect(toHex(vrfProofToHash(pi))).toBe(toHex(beta));
    const verified = vrfVerify(pk, pi, alpha);
    expect(verified).toHaveLength(VRF_OUTPUT_BYTES);
    expect(toHex(verified!)).toBe(toHex(beta));
  });

  it('proves deterministically: the same key and alpha give the same proof', () => {
    const { sk, alpha } = EXAMPLE;
    expect(vrfProve(sk, alpha)).toEqual(vrfProve(sk, alpha));
    expect(vrfProve(sk, Uint8Array.of(1))).not.toEqual(vrfProve(sk, Uint8Array.of(2)));
  });

  it('refuses a proof with a bit flipped in Gamma, in c or in s', () => {
    const { pk, alpha, pi } = EXAMPLE;
    for (const part of [GAMMA, C, S]) {
      // The low bit of the first byte and the high bit of the last (Gamma's x sign, c's top bit, s ≥ 2^255).
      expect(vrfVerify(pk, flipBit(pi, part.start, 0), alpha)).toBeNull();
      expect(vrfVerify(pk, flipBit(pi, part.end - 1, 7), alpha)).toBeNull();
      expect(vrfVerify(pk, flipBit(pi, (part.start + part.end) >> 1, 3), alpha)).toBeNull();
    }
  });

  it('refuses a proof for another alpha and under another public key', () => {
    const [first, second] = VECTORS;
    expect(vrfVerify(first!.pk, first!.pi, second!.alpha)).toBeNull();
    expect(vrfVerify(first!.pk, first!.pi, Uint8Array.of(0))).toBeNull();
    expect(vrfVerify(second!.pk, first!.pi, first!.alpha)).toBeNull();
  });

  it('refuses proofs and public keys of the wrong length without throwing', () => {
    const { pk, alpha, pi } = EXAMPLE;
    for (const length of [0, 32, 79, 81, 96]) {
      const proof = concatBytes(pi, new Uint8Array(16)).subarray(0, length);
      expect(vrfVerify(pk, proof, alpha)).toBeNull();
      expect(() => vrfProofToHash(proof)).toThrow(VrfError);
    }
    for (const length of [0, 31, 33, 64]) {
      expect(vrfVerify(concatBytes(pk, pk).subarray(0, length), pi, alpha)).toBeNull();
    }
  });

  it('refuses s + L, which satisfies the verification equations as well as s does', () => {
    const { pk, alpha, pi } = EXAMPLE;
    const s = bytesToNumberLE(pi.subarray(S.start));
    for (const tooBig of [s + L, L, 2n ** 256n - 1n]) {
      const proof = withS(pi, tooBig);
      expect(vrfVerify(pk, proof, alpha)).toBeNull();
      expect(() => vrfProofToHash(proof)).toThrow(expect.objectContaining({ code: 'VRF_BAD_PROOF' }));
    }
  });

  it('refuses non-canonical point encodings of the public key and of Gamma', () => {
    const { pk, alpha, pi } = EXAMPLE;
    // y = 3 + p decodes under lax rules (ZIP-215) to a point of large order; RFC 8032 decoding refuses it.
    const nonCanonical = fromHex('f0ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f');
    const negativeZeroX = fromHex('0100000000000000000000000000000000000000000000000000000000000080');
    for (const key of [nonCanonical, negativeZeroX, new Uint8Array(32).fill(0xff)]) {
      expect(vrfVerify(key, pi, alpha)).toBeNull();
    }
    for (const gamma of [nonCanonical, negativeZeroX]) {
      const proof = concatBytes(gamma, pi.subarray(C.start));
      expect(vrfVerify(pk, proof, alpha)).toBeNull();
      expect(() => vrfProofToHash(proof)).toThrow(VrfError);
    }
  });

  it('refuses every small-order public key, including the identity that would let anyone forge a proof', () => {
    const { alpha, pi } = EXAMPLE;
    for (const key of ED25519_TORSION_SUBGROUP) expect(vrfVerify(fromHex(key), pi, alpha)).toBeNull();

    // The helpers above speak the suite: they recompute example 16's H and, from the RFC's U and V, its c.
    const y = Point.fromBytes(EXAMPLE.pk);
    const h = encodeToCurve(EXAMPLE.pk, alpha);
    expect(toHex(h.toBytes())).toBe('91bbed02a99461df1ad4c6564a5f5d829d0b90cfc7903e7a5797bd658abf3318');
    const u = Point.fromHex('aef27c725be964c6a9bf4c45ca8e35df258c1878b838f37d9975523f09034071');
    const v = Point.fromHex('5016572f71466c646c119443455d6cb9b952f07d060ec8286d678615d55f954f');
    expect(challenge(y, h, Point.fromBytes(pi.subarray(0, 32)), u, v)).toBe(bytesToNumberLE(pi.subarray(C.start, C.end)));

    // With Y the identity, Gamma the identity and any s, U = s*B and V = s*H: c is then just their hash.
    const identity = Point.ZERO;
    const forgedKey = identity.toBytes();
    const forgedH = encodeToCurve(forgedKey, alpha);
    const s = 12345n;
    const c = challenge(identity, forgedH, identity, Point.BASE.multiply(s), forgedH.multiply(s));
    const forged = concatBytes(identity.toBytes(), numberToBytesLE(c, 16), numberToBytesLE(s, 32));
    expect(vrfProofToHash(forged)).toHaveLength(VRF_OUTPUT_BYTES);
    expect(vrfVerify(forgedKey, forged, alpha)).toBeNull();
  });

  it('refuses a secret key that is not a 32-byte seed', () => {
    expect(() => vrfProve(new Uint8Array(31), EXAMPLE.alpha)).toThrow(expect.objectContaining({ code: 'VRF_BAD_SECRET_KEY' }));
    expect(() => vrfProve(new Uint8Array(64), EXAMPLE.alpha)).toThrow(VrfError);
  });

  const seed = fc.uint8Array({ minLength: 32, maxLength: 32 });
  const alpha = fc.uint8Array({ maxLength: 64 });

  it('round-trips: a proof of a random key and alpha verifies to its beta', () => {
    fc.assert(
      fc.property(seed, alpha, (secretKey, message) => {
        const proof = vrfProve(secretKey, message);
        const beta = vrfVerify(ed25519.getPublicKey(secretKey), proof, message);
        expect(beta).not.toBeNull();
        expect(beta).toEqual(vrfProofToHash(proof));
      }),
      { numRuns: 30 },
    );
  });

  it('never verifies a proof for one alpha against another', () => {
    fc.assert(
      fc.property(seed, alpha, alpha, (secretKey, message, other) => {
        fc.pre(!bytesEqual(message, other));
        const proof = vrfProve(secretKey, message);
        expect(vrfVerify(ed25519.getPublicKey(secretKey), proof, other)).toBeNull();
      }),
      { numRuns: 30 },
    );
  });
});
