import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { didFromPublicKey, type KeyPair, keyPairFromSeed } from '@arc/core';

/**
 * Keys the runtime derives from the node key: the secrets key (AES-256-GCM for secure environment values at
 * rest) and each blocklet's own signing key (its DID signs what the blocklet submits to the ledger). In
 * one-node mode the node holds both; multi-node custody comes with the consensus issue.
 */
export class RuntimeKeys {
  readonly #secretsKey: Buffer;

  constructor(readonly nodeKey: KeyPair) {
    this.#secretsKey = Buffer.from(hkdfSync('sha256', nodeKey.secretKey, 'arc-runtime', 'blocklet-secrets/v1', 32));
  }

  /** The blocklet's key pair and DID (role blocklet), the same on every start of this node. */
  blockletKey(name: string): KeyPair & { did: string } {
    const seed = new Uint8Array(hkdfSync('sha256', this.nodeKey.secretKey, 'arc-runtime', `blocklet-key/v1/${name}`, 32));
    const key = keyPairFromSeed(seed);
    return { ...key, did: didFromPublicKey(key.publicKey, 'account') };
  }

  /** Encrypts a secret for storage: base64 of iv(12) ‖ tag(16) ‖ ciphertext, bound to the blocklet and key. */
  seal(name: string, key: string, plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#secretsKey, iv);
    cipher.setAAD(Buffer.from(`${name}/${key}`));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
  }

  /** Decrypts what seal made; throws when the value was tampered with or moved to another blocklet or key. */
  open(name: string, key: string, sealed: string): string {
    const raw = Buffer.from(sealed, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.#secretsKey, raw.subarray(0, 12));
    decipher.setAAD(Buffer.from(`${name}/${key}`));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  }
}
