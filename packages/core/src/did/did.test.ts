import { sha256 } from '@noble/hashes/sha2.js';
import { base58 } from '@scure/base';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesEqual, concatBytes, toHex } from '../bytes.ts';
import { keyPairFromSeed } from '../crypto/keys.ts';
import { sha3 } from '../crypto/provider.ts';
import {
  DID_PREFIX,
  DidHashType,
  type DidHashTypeName,
  DidRole,
  type DidRoleName,
  deriveDid,
  didFromPublicKey,
  didHashFor,
  didMatchesPublicKey,
  isValidDid,
  parseDid,
} from './did.ts';

const RUNS = { numRuns: 200 };
const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const ROLES = Object.keys(DidRole) as DidRoleName[];
const HASHES = Object.keys(DidHashType) as DidHashTypeName[];

const publicKeyArb = fc.uint8Array({ minLength: 32, maxLength: 32 });
const seedKey = (byte: number) => keyPairFromSeed(new Uint8Array(32).fill(byte)).publicKey;

/** A DID body from raw parts, with a correct checksum unless one is given. */
function rawDid(type: number[], pkHash: Uint8Array, checksum?: Uint8Array): string {
  const head = concatBytes(new Uint8Array(type), pkHash);
  return `${DID_PREFIX}z${base58.encode(concatBytes(head, checksum ?? sha3(head).subarray(0, 4)))}`;
}

function reason(did: string): string {
  const parsed = parseDid(did);
  if (parsed.ok) throw new Error(`expected ${did} to be rejected`);
  return parsed.reason;
}

describe('DIDs of public keys', () => {
  it('derives the same DID for the same key, pinned by a golden value', () => {
    expect(didFromPublicKey(seedKey(1))).toBe('did:abt:z1e1gtMvLzDaoE31X2rYsMFZHDvc6mqZWYM');
    expect(didFromPublicKey(seedKey(2))).toBe('did:abt:z1VaNrBpf5Ti7LNpc9u9Ebmoz3mCJpousn8');
  });

  it('parses the DID of any key back into role account, ed25519, sha3 and the first 20 bytes of sha3(key)', () => {
    fc.assert(
      fc.property(publicKeyArb, (publicKey) => {
        const did = didFromPublicKey(publicKey);
        const parsed = parseDid(did);
        expect(parsed.ok).toBe(true);
        if (!parsed.ok) return;
        expect(parsed.info).toMatchObject({ did, role: 'account', keyType: 'ed25519', hashType: 'sha3' });
        expect(toHex(parsed.info.pkHash)).toBe(toHex(sha3(publicKey).subarray(0, 20)));
        expect(did.length).toBeLessThanOrEqual(64);
      }),
      RUNS,
    );
  });

  it.each(ROLES)('keeps the role %s it was made with', (role) => {
    const parsed = parseDid(didFromPublicKey(seedKey(3), role));
    expect(parsed.ok && parsed.info.role).toBe(role);
  });

  it('gives different roles of one key different DIDs that all match the key', () => {
    const key = seedKey(4);
    const dids = ROLES.map((role) => didFromPublicKey(key, role));
    expect(new Set(dids).size).toBe(ROLES.length);
    for (const did of dids) expect(didMatchesPublicKey(did, key)).toBe(true);
  });

  it('parses the DID of any key, role and hash back into its role and the hash it was made with, and matches the key', () => {
    fc.assert(
      fc.property(publicKeyArb, fc.constantFrom(...ROLES), fc.constantFrom(...HASHES), (publicKey, role, hashType) => {
        const did = didFromPublicKey(publicKey, role, { hashType });
        const parsed = parseDid(did);
        expect(parsed.ok && parsed.info).toMatchObject({ role, keyType: 'ed25519', hashType: didHashFor(role, hashType) });
        expect(didMatchesPublicKey(did, publicKey)).toBe(true);
      }),
      RUNS,
    );
  });

  it('makes node, validator, tether and swap DIDs with SHA2 whatever hash was asked, and every other role with the one asked', () => {
    expect(ROLES.filter((role) => didHashFor(role, 'keccak') === 'sha2').sort()).toEqual(['node', 'swap', 'tether', 'validator']);
    expect(didHashFor('account', 'keccak')).toBe('keccak');
    expect(didHashFor('account')).toBe('sha3');
  });

  it('refuses a public key that is not 32 bytes', () => {
    expect(() => didFromPublicKey(new Uint8Array(31))).toThrow(TypeError);
    expect(() => didFromPublicKey(new Uint8Array(33))).toThrow(TypeError);
  });

  it('derives addresses deterministically from their input and role, distinct from key DIDs', () => {
    const input = new Uint8Array([1, 2, 3]);
    expect(deriveDid(input, 'asset')).toBe(deriveDid(input, 'asset'));
    expect(deriveDid(input, 'asset')).not.toBe(deriveDid(input, 'token'));
    const parsed = parseDid(deriveDid(input, 'token'));
    expect(parsed.ok && parsed.info.role).toBe('token');
    expect(parsed.ok && toHex(parsed.info.pkHash)).toBe(toHex(sha3(input).subarray(0, 20)));
  });
});

describe('DID validation', () => {
  it('rejects every single-character substitution of a valid DID', () => {
    const alphabet = `${BASE58}0OIl:_- `;
    fc.assert(
      fc.property(publicKeyArb, fc.nat(), fc.nat(), (publicKey, at, pick) => {
        const did = didFromPublicKey(publicKey);
        const i = at % did.length;
        const replacement = alphabet[pick % alphabet.length] as string;
        const changed = did.slice(0, i) + replacement + did.slice(i + 1);
        if (changed === did) return;
        expect(isValidDid(changed)).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects a DID with any one character dropped or doubled', () => {
    fc.assert(
      fc.property(publicKeyArb, fc.nat(), (publicKey, at) => {
        const did = didFromPublicKey(publicKey);
        const i = at % did.length;
        expect(isValidDid(did.slice(0, i) + did.slice(i + 1))).toBe(false);
        expect(isValidDid(did.slice(0, i + 1) + did.slice(i))).toBe(false);
      }),
      RUNS,
    );
  });

  it('says why a DID with the wrong prefix is rejected', () => {
    const did = didFromPublicKey(seedKey(1));
    for (const bad of [did.replace('did:abt:', 'did:eth:'), did.replace(':z', ':'), did.slice(DID_PREFIX.length), '', 'DID:ABT:z1']) {
      expect(reason(bad)).toMatch(/starts with "did:abt:z"/);
    }
    expect(isValidDid(123 as unknown as string)).toBe(false);
  });

  it('says why a body of the wrong length is rejected, even with a correct checksum', () => {
    const type = [0x00, 0x01];
    expect(reason(rawDid(type, new Uint8Array(19).fill(7)))).toMatch(/25 bytes, not 26/);
    expect(reason(rawDid(type, new Uint8Array(21).fill(7)))).toMatch(/27 bytes, not 26/);
    expect(reason(`${DID_PREFIX}z`)).toMatch(/0 bytes, not 26/);
    expect(reason(`${DID_PREFIX}z${'2'.repeat(60)}`)).toMatch(/at most 64 characters/);
  });

  it('says why a body that is not base58 or has a wrong checksum is rejected', () => {
    const did = didFromPublicKey(seedKey(1));
    expect(reason(`${did.slice(0, -1)}0`)).toMatch(/not base58/);
    const good = parseDid(did);
    if (!good.ok) throw new Error('golden DID must parse');
    expect(reason(rawDid([0x00, 0x01], good.info.pkHash, new Uint8Array(4)))).toMatch(/checksum does not match/);
  });

  it('rejects a DID whose type bytes name one hash but whose checksum used another', () => {
    const pkHash = new Uint8Array(20).fill(9);
    const sha256Checksum = (type: number[]) => sha256(concatBytes(new Uint8Array(type), pkHash)).subarray(0, 4);
    const nodeSha2 = [0x04, DidHashType.sha2]; // node role, ed25519, SHA2
    const accountSha3 = [0x00, DidHashType.sha3];
    expect(isValidDid(rawDid(nodeSha2, pkHash, sha256Checksum(nodeSha2)))).toBe(true);
    expect(reason(rawDid(nodeSha2, pkHash))).toMatch(/checksum does not match its sha2 type/); // a sha3 checksum
    expect(reason(rawDid(accountSha3, pkHash, sha256Checksum(accountSha3)))).toMatch(/checksum does not match its sha3 type/);
  });

  it('rejects type bytes that name an unknown role, key or hash algorithm', () => {
    const pkHash = new Uint8Array(20).fill(9);
    const typeOf = (role: number, key: number, hash: number) => {
      const bits = (role << 10) | (key << 5) | hash;
      return [bits >> 8, bits & 0xff];
    };
    expect(isValidDid(rawDid(typeOf(0, 0, 1), pkHash))).toBe(true);
    expect(reason(rawDid(typeOf(40, 0, 1), pkHash))).toMatch(/unknown role, key or hash/);
    expect(reason(rawDid(typeOf(0, 9, 1), pkHash))).toMatch(/unknown role, key or hash/);
    expect(reason(rawDid(typeOf(0, 0, 20), pkHash))).toMatch(/unknown role, key or hash/);
  });
});

describe('parseDid results', () => {
  it('hands each caller its own pkHash, so changing one result cannot change a later parse', () => {
    const key = seedKey(7);
    const did = didFromPublicKey(key);
    const first = parseDid(did);
    if (!first.ok) throw new Error('DID must parse');
    first.info.pkHash.fill(0);
    const second = parseDid(did);
    expect(second.ok && toHex(second.info.pkHash)).toBe(toHex(sha3(key).subarray(0, 20)));
    expect(didMatchesPublicKey(did, key)).toBe(true);
  });
});

describe('didMatchesPublicKey', () => {
  it('matches a DID to the key it was made from and to no other key', () => {
    fc.assert(
      fc.property(publicKeyArb, publicKeyArb, (key, other) => {
        fc.pre(!bytesEqual(key, other));
        const did = didFromPublicKey(key);
        expect(didMatchesPublicKey(did, key)).toBe(true);
        expect(didMatchesPublicKey(did, other)).toBe(false);
      }),
      RUNS,
    );
  });

  it('does not match an invalid DID, or a DID naming another key or hash algorithm over the same hash', () => {
    const key = seedKey(5);
    const pkHash = sha3(key).subarray(0, 20);
    expect(didMatchesPublicKey('did:abt:znotadid', key)).toBe(false);
    expect(didMatchesPublicKey(rawDid([0x00, 0x01], pkHash), key)).toBe(true);
    expect(didMatchesPublicKey(rawDid([0x00, 0x21], pkHash), key)).toBe(false); // secp256k1
    expect(didMatchesPublicKey(rawDid([0x00, 0x00], pkHash), key)).toBe(false); // keccak
  });

  it('does not match a DID derived from bytes other than a key', () => {
    const key = seedKey(6);
    expect(didMatchesPublicKey(deriveDid(new Uint8Array([1]), 'account'), key)).toBe(false);
  });
});
