import { createPublicKey, type KeyObject, sign, verify } from 'node:crypto';
import { decodeEcdsaSignature, encodeEcdsaSignature } from './der.ts';

/** The order n of the P-256 group. */
const P256_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const P256_HALF_ORDER = P256_ORDER >> 1n;

/**
 * Signs SHA-256(message) with ECDSA P-256 and returns a DER signature with a low S, as Fabric's signers do: Fabric's
 * verifier refuses a high S (malleability), and node:crypto does not normalize it.
 */
export function signLowS(privateKey: KeyObject, message: Uint8Array): Buffer {
  const { r, s } = decodeEcdsaSignature(sign('sha256', message, privateKey));
  return encodeEcdsaSignature(r, s > P256_HALF_ORDER ? P256_ORDER - s : s);
}

/**
 * Checks a DER ECDSA signature over SHA-256(message) the way Fabric's software BCCSP does: well-formed DER, a low S,
 * then the curve arithmetic. Any malformed input is a plain `false`.
 */
export function verifyLowS(publicKey: KeyObject, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    const { r, s } = decodeEcdsaSignature(signature);
    if (r <= 0n || s <= 0n || r >= P256_ORDER || s > P256_HALF_ORDER) return false;
    return verify('sha256', message, publicKey, signature);
  } catch {
    // A signature that is not even DER is a failed check, not an error of the peer.
    return false;
  }
}

/** The uncompressed EC point (0x04 || X || Y) of a P-256 key: what Fabric hashes into a subject key identifier. */
export function ecPoint(key: KeyObject): Buffer {
  const jwk = (key.type === 'private' ? createPublicKey(key) : key).export({ format: 'jwk' });
  if (jwk.crv !== 'P-256' || !jwk.x || !jwk.y) throw new Error('only P-256 keys are supported');
  return Buffer.concat([Buffer.from([0x04]), Buffer.from(jwk.x, 'base64url'), Buffer.from(jwk.y, 'base64url')]);
}
