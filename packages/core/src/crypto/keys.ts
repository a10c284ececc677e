import { cryptoProvider } from './provider.ts';

/** An ed25519 key pair; the secret key is the 32-byte seed. */
export interface KeyPair {
  secretKey: Uint8Array;
  publicKey: Uint8Array;
}

/** Derives the key pair of a 32-byte seed. The caller supplies the randomness. */
export function keyPairFromSeed(seed: Uint8Array): KeyPair {
  if (seed.length !== 32) throw new TypeError('an ed25519 seed is 32 bytes');
  return { secretKey: seed.slice(), publicKey: cryptoProvider().publicKeyEd25519(seed) };
}

/** Signs a message with an ed25519 seed (deterministic, RFC 8032). */
export function signMessage(secretKey: Uint8Array, message: Uint8Array): Uint8Array {
  return cryptoProvider().signEd25519(secretKey, message);
}
