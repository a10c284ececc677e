import { ed25519 } from '@noble/curves/ed25519.js';
import { sha3_256 as nobleSha3 } from '@noble/hashes/sha3.js';

/**
 * The primitives core computes with. The default is pure JavaScript (@noble), which runs in
 * browsers; a host may install a faster implementation with identical outputs (the node uses
 * node:crypto). Swapping the provider never changes a result, only how fast it is reached.
 */
export interface CryptoProvider {
  sha3_256(data: Uint8Array): Uint8Array;
  /** ed25519 verification; must reject non-canonical signatures and points. */
  verifyEd25519(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean;
  /** ed25519 signing with a 32-byte seed (deterministic, RFC 8032). */
  signEd25519(secretKey: Uint8Array, message: Uint8Array): Uint8Array;
  /** The ed25519 public key of a 32-byte seed (RFC 8032). */
  publicKeyEd25519(seed: Uint8Array): Uint8Array;
}

export const nobleProvider: CryptoProvider = {
  sha3_256: (data) => nobleSha3(data),
  verifyEd25519: (publicKey, message, signature) => {
    try {
      return ed25519.verify(signature, message, publicKey, { zip215: false });
    } catch (error) {
      // A malformed point or signature is a failed verification, not a crash.
      if (error instanceof Error) return false;
      throw error;
    }
  },
  signEd25519: (secretKey, message) => ed25519.sign(message, secretKey),
  publicKeyEd25519: (seed) => ed25519.getPublicKey(seed),
};

let current: CryptoProvider = nobleProvider;

/** Installs a faster provider; outputs must equal nobleProvider's. */
export function useCryptoProvider(provider: CryptoProvider): void {
  current = provider;
}

/** The installed provider. */
export function cryptoProvider(): CryptoProvider {
  return current;
}

/** SHA3-256 of the bytes. */
export function sha3(data: Uint8Array): Uint8Array {
  return current.sha3_256(data);
}

/** Verifies an ed25519 signature with the installed provider. */
export function verifySignature(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  return current.verifyEd25519(publicKey, message, signature);
}
