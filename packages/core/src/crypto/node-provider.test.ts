import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nodeCryptoProvider } from './node-provider.ts';
import { nobleProvider } from './provider.ts';

const seed = fc.uint8Array({ minLength: 32, maxLength: 32 });
const message = fc.uint8Array({ maxLength: 300 });

/** The node computes with node:crypto; every result must be noble's (core's default, the browser's). */
describe('node:crypto provider', () => {
  it('derives the same public keys and signatures as noble, and each verifies the other', () => {
    fc.assert(
      fc.property(seed, message, (secret, data) => {
        const publicKey = nodeCryptoProvider.publicKeyEd25519(secret);
        expect(publicKey).toEqual(nobleProvider.publicKeyEd25519(secret));
        const signature = nodeCryptoProvider.signEd25519(secret, data);
        expect(signature).toEqual(nobleProvider.signEd25519(secret, data));
        expect(nodeCryptoProvider.verifyEd25519(publicKey, data, signature)).toBe(true);
        expect(nobleProvider.verifyEd25519(publicKey, data, signature)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('hashes as noble does and rejects what noble rejects', () => {
    fc.assert(
      fc.property(message, seed, fc.uint8Array({ minLength: 64, maxLength: 64 }), (data, key, signature) => {
        expect(nodeCryptoProvider.sha3_256(data)).toEqual(nobleProvider.sha3_256(data));
        expect(nodeCryptoProvider.verifyEd25519(key, data, signature)).toBe(nobleProvider.verifyEd25519(key, data, signature));
      }),
      { numRuns: 200 },
    );
  });
});
