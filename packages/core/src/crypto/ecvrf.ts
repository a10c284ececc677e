import type { EdwardsPoint } from '@noble/curves/abstract/edwards.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToNumberLE, numberToBytesLE } from '@noble/curves/utils.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { concatBytes } from '../bytes.ts';

/**
 * ECVRF-EDWARDS25519-SHA512-TAI, RFC 9381 (suite string 0x03): a verifiable random function on the
 * ed25519 key pair an account already has. Only the secret key's holder can compute beta for an alpha;
 * anyone holding the public key can check it. Section numbers below are RFC 9381's.
 *
 * Decoding is strict everywhere (RFC 8032 §5.1.3: y < p, no "negative zero" x), so each point and each
 * proof has exactly one encoding; verification always validates the public key (validate_key = TRUE),
 * because a small-order key lets anyone forge proofs.
 */

const Point = ed25519.Point;
const Fn = Point.Fn;

const SUITE_STRING = 0x03;
const POINT_BYTES = 32;
const CHALLENGE_BYTES = 16; // cLen
const SCALAR_BYTES = 32; // qLen
const SEED_BYTES = 32;

/** try_and_increment's counter is one byte (§5.4.1.1); all 256 values failing has probability 2^-256. */
const ENCODE_ATTEMPTS_MAX = 256;

// Domain separators (§5.4.1.1, §5.4.3, §5.2): a front byte per use, 0x00 at the back.
const ENCODE_FRONT = Uint8Array.of(0x01);
const CHALLENGE_FRONT = Uint8Array.of(0x02);
const PROOF_TO_HASH_FRONT = Uint8Array.of(0x03);
const SEPARATOR_BACK = Uint8Array.of(0x00);
const SUITE = Uint8Array.of(SUITE_STRING);

/** pi = Gamma (32 bytes) || c (16 bytes) || s (32 bytes). */
export const VRF_PROOF_BYTES = POINT_BYTES + CHALLENGE_BYTES + SCALAR_BYTES;
/** beta is a SHA-512 digest. */
export const VRF_OUTPUT_BYTES = 64;

/** A VRF input that cannot be used: a stable code and a sentence for people. Retrying never helps. */
export class VrfError extends Error {
  override name = 'VrfError';

  constructor(
    readonly code: 'VRF_BAD_SECRET_KEY' | 'VRF_BAD_PROOF' | 'VRF_ENCODE_FAILED',
    message: string,
  ) {
    super(message);
  }
}

/** RFC 9381 ECVRF_prove with the ed25519 secret key (32-byte seed, RFC 8032 key expansion). */
export function vrfProve(secretKey: Uint8Array, alpha: Uint8Array): Uint8Array {
  if (secretKey.length !== SEED_BYTES) throw new VrfError('VRF_BAD_SECRET_KEY', 'a VRF secret key is a 32-byte ed25519 seed');
  // x is RFC 8032's clamped scalar (reduced mod L, which changes neither x*P nor s); prefix is hash(SK)[32..63].
  const { scalar: x, prefix, point: y, pointBytes: publicKey } = ed25519.utils.getExtendedPublicKey(secretKey);
  const h = encodeToCurve(publicKey, alpha);
  if (h === null) throw new VrfError('VRF_ENCODE_FAILED', 'alpha has no try-and-increment point (probability 2^-256)');
  const hString = h.toBytes();
  const gamma = h.multiply(x);
  const k = nonceRfc8032(prefix, hString);
  const c = challenge([y, h, gamma, Point.BASE.multiply(k), h.multiply(k)]);
  const s = Fn.add(k, Fn.mul(c, x));
  return concatBytes(gamma.toBytes(), numberToBytesLE(c, CHALLENGE_BYTES), numberToBytesLE(s, SCALAR_BYTES));
}

/** ECVRF_proof_to_hash: beta (64 bytes) of a proof that decodes; throws VrfError otherwise. */
export function vrfProofToHash(proof: Uint8Array): Uint8Array {
  const decoded = decodeProof(proof);
  if (decoded === null) throw new VrfError('VRF_BAD_PROOF', 'not an ECVRF-EDWARDS25519-SHA512-TAI proof');
  return proofToHash(decoded.gamma);
}

/**
 * ECVRF_verify with validate_key: the 64-byte beta when the proof is valid for (publicKey, alpha), else null.
 * Never throws on garbage input (wrong lengths, non-canonical points, small-order keys).
 */
export function vrfVerify(publicKey: Uint8Array, proof: Uint8Array, alpha: Uint8Array): Uint8Array | null {
  const y = decodePoint(publicKey);
  if (y === null || y.isSmallOrder()) return null; // validate_key (§5.4.5)
  const decoded = decodeProof(proof);
  if (decoded === null) return null;
  const { gamma, c, s } = decoded;
  const h = encodeToCurve(publicKey, alpha);
  if (h === null) return null;
  // Everything here is public, so variable-time multiplication is fine; it also accepts a zero s.
  const u = Point.BASE.multiplyUnsafe(s).subtract(y.multiplyUnsafe(c));
  const v = h.multiplyUnsafe(s).subtract(gamma.multiplyUnsafe(c));
  if (challenge([y, h, gamma, u, v]) !== c) return null;
  return proofToHash(gamma);
}

/** string_to_point (§5.5): RFC 8032 decoding, null for anything that is not a canonical curve point. */
function decodePoint(bytes: Uint8Array): EdwardsPoint | null {
  if (bytes.length !== POINT_BYTES) return null;
  try {
    return Point.fromBytes(bytes, false); // zip215 = false: rejects y >= p and x = 0 with the sign bit set
  } catch (error) {
    // noble throws on bytes that are not a point; that is an answer here, not a fault.
    if (error instanceof Error) return null;
    throw error;
  }
}

/** ECVRF_encode_to_curve_try_and_increment (§5.4.1.1) with encode_to_curve_salt = the public key bytes. */
function encodeToCurve(salt: Uint8Array, alpha: Uint8Array): EdwardsPoint | null {
  for (let ctr = 0; ctr < ENCODE_ATTEMPTS_MAX; ctr++) {
    const hash = sha512(concatBytes(SUITE, ENCODE_FRONT, salt, alpha, Uint8Array.of(ctr), SEPARATOR_BACK));
    // interpret_hash_value_as_a_point: the first 32 bytes through string_to_point, then clear the cofactor.
    const candidate = decodePoint(hash.subarray(0, POINT_BYTES));
    if (candidate !== null) return candidate.clearCofactor();
  }
  return null;
}

/** ECVRF_nonce_generation_RFC8032 (§5.4.2.2): k = SHA-512(hash(SK)[32..63] || h_string) mod L. */
function nonceRfc8032(prefix: Uint8Array, hString: Uint8Array): bigint {
  return Fn.create(bytesToNumberLE(sha512(concatBytes(prefix, hString))));
}

/** ECVRF_challenge_generation (§5.4.3): the first cLen bytes of the hash of the five points, little-endian. */
function challenge(points: readonly EdwardsPoint[]): bigint {
  const encoded = points.map((point) => point.toBytes());
  const hash = sha512(concatBytes(SUITE, CHALLENGE_FRONT, ...encoded, SEPARATOR_BACK));
  return bytesToNumberLE(hash.subarray(0, CHALLENGE_BYTES));
}

/** ECVRF_decode_proof (§5.4.4): Gamma must decode and s must be below L, or the proof is refused. */
function decodeProof(proof: Uint8Array): { gamma: EdwardsPoint; c: bigint; s: bigint } | null {
  if (proof.length !== VRF_PROOF_BYTES) return null;
  const gamma = decodePoint(proof.subarray(0, POINT_BYTES));
  if (gamma === null) return null;
  const c = bytesToNumberLE(proof.subarray(POINT_BYTES, POINT_BYTES + CHALLENGE_BYTES));
  const s = bytesToNumberLE(proof.subarray(POINT_BYTES + CHALLENGE_BYTES));
  // s + L would pass the equations as well as s does: only s < L keeps the proof's encoding unique.
  if (s >= Fn.ORDER) return null;
  return { gamma, c, s };
}

/** The hash step of ECVRF_proof_to_hash (§5.2), cofactor cleared so Gamma's small-order part cannot change beta. */
function proofToHash(gamma: EdwardsPoint): Uint8Array {
  return sha512(concatBytes(SUITE, PROOF_TO_HASH_FRONT, gamma.clearCofactor().toBytes(), SEPARATOR_BACK));
}
