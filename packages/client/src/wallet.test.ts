import { parseDid, verifySignature } from '@arc/core';
import { describe, expect, it } from 'vitest';
import { ClientError } from './errors.ts';
import { Wallet } from './wallet.ts';

const seed = (byte: number) => () => new Uint8Array(32).fill(byte);

describe('Wallet', () => {
  it('generates distinct wallets from the platform random source', () => {
    expect(Wallet.generate().did).not.toBe(Wallet.generate().did);
  });

  it('is deterministic for a given random source', () => {
    expect(Wallet.generate(seed(7)).did).toBe(Wallet.generate(seed(7)).did);
  });

  it('has an account DID that parses and names its ed25519 key', () => {
    const parsed = parseDid(Wallet.generate().did);
    expect(parsed.ok && parsed.info.role).toBe('account');
    expect(parsed.ok && parsed.info.keyType).toBe('ed25519');
  });

  it('round-trips through its secret key and through JSON', () => {
    const wallet = Wallet.generate();
    expect(Wallet.fromSecretKey(wallet.secretKeyHex).did).toBe(wallet.did);
    const restored = Wallet.fromJSON(JSON.parse(JSON.stringify(wallet)));
    expect(restored.toJSON()).toEqual(wallet.toJSON());
    expect(wallet.toJSON()).toEqual({ did: wallet.did, publicKey: wallet.publicKeyHex, secretKey: wallet.secretKeyHex });
  });

  it('signs bytes that verify against its public key', () => {
    const wallet = Wallet.generate();
    const message = new TextEncoder().encode('hello');
    expect(verifySignature(wallet.publicKey, message, wallet.sign(message))).toBe(true);
  });

  it('rejects a key file whose DID belongs to another key', () => {
    const json = { ...Wallet.generate(seed(1)).toJSON(), did: Wallet.generate(seed(2)).did };
    expect(() => Wallet.fromJSON(json)).toThrow(/does not belong/);
  });

  it('rejects malformed secrets with BAD_INPUT', () => {
    for (const bad of ['zz', 'ab'.repeat(31), new Uint8Array(16)]) {
      const error = (() => {
        try {
          Wallet.fromSecretKey(bad);
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(ClientError);
      expect((error as ClientError).code).toBe('BAD_INPUT');
    }
    expect(() => Wallet.fromJSON({ did: 'x' })).toThrow(ClientError);
    expect(() => Wallet.generate(() => new Uint8Array(5))).toThrow(/32 bytes/);
  });

  it('does not print its secret key', () => {
    const wallet = Wallet.generate();
    expect(String(wallet)).not.toContain(wallet.secretKeyHex);
  });
});
