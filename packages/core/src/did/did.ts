import { base58 } from '@scure/base';
import { bytesEqual, concatBytes } from '../bytes.ts';
import { sha3 } from '../crypto/provider.ts';

/**
 * `did:abt:` identifiers after ArcBlock's DID spec: two type bytes (role: 6 bits, key
 * algorithm: 5 bits, hash algorithm: 5 bits), the first 20 bytes of the hash of the public key
 * (or, for derived addresses, of the bytes they are derived from), and a 4-byte checksum (the
 * first 4 bytes of the hash of the 22 bytes before it); base58btc with the multibase prefix `z`.
 */

export const DidRole = {
  account: 0,
  node: 1,
  device: 2,
  application: 3,
  smartContract: 4,
  bot: 5,
  asset: 6,
  stake: 7,
  validator: 8,
  group: 9,
  tx: 10,
  tether: 11,
  swap: 12,
  delegate: 13,
  vc: 14,
  blocklet: 15,
  registry: 16,
  token: 17,
  any: 63,
} as const;
export type DidRoleName = keyof typeof DidRole;

export const DidKeyType = { ed25519: 0, secp256k1: 1, ethereum: 2 } as const;
export type DidKeyTypeName = keyof typeof DidKeyType;

export const DidHashType = { keccak: 0, sha3: 1, keccak384: 2, sha3_384: 3, keccak512: 4, sha3_512: 5, sha2: 6 } as const;
export type DidHashTypeName = keyof typeof DidHashType;

export interface DidInfo {
  did: string;
  role: DidRoleName;
  keyType: DidKeyTypeName;
  hashType: DidHashTypeName;
  /** The 20-byte hash of the public key (or derivation input). */
  pkHash: Uint8Array;
}

export const DID_PREFIX = 'did:abt:';
const BODY_BYTES = 26;

function nameOf<T extends Record<string, number>>(table: T, value: number): keyof T | undefined {
  for (const [name, v] of Object.entries(table)) if (v === value) return name as keyof T;
  return undefined;
}

function typeBytes(role: DidRoleName, keyType: DidKeyTypeName, hashType: DidHashTypeName): Uint8Array {
  const bits = (DidRole[role] << 10) | (DidKeyType[keyType] << 5) | DidHashType[hashType];
  return new Uint8Array([bits >> 8, bits & 0xff]);
}

function encodeBody(type: Uint8Array, pkHash: Uint8Array): string {
  const checksum = sha3(concatBytes(type, pkHash)).subarray(0, 4);
  return `${DID_PREFIX}z${base58.encode(concatBytes(type, pkHash, checksum))}`;
}

/** The DID of an ed25519 public key (sha3 hashing), for the given role. */
export function didFromPublicKey(publicKey: Uint8Array, role: DidRoleName = 'account'): string {
  if (publicKey.length !== 32) throw new TypeError('an ed25519 public key is 32 bytes');
  return encodeBody(typeBytes(role, 'ed25519', 'sha3'), sha3(publicKey).subarray(0, 20));
}

/** A DID derived from arbitrary bytes (asset and token addresses: the creating tx hash and an index). */
export function deriveDid(input: Uint8Array, role: DidRoleName): string {
  return encodeBody(typeBytes(role, 'ed25519', 'sha3'), sha3(input).subarray(0, 20));
}

const PARSED_CACHE_MAX = 65_536;
const parsedCache = new Map<string, DidInfo>();

/** Parses a DID, or returns a sentence saying what is wrong with it. */
export function parseDid(did: string): { ok: true; info: DidInfo } | { ok: false; reason: string } {
  // Parsing is deterministic, so remembering valid DIDs changes nothing but the time it takes.
  const hit = parsedCache.get(did);
  if (hit !== undefined) return { ok: true, info: { ...hit, pkHash: hit.pkHash.slice() } };
  const result = parseDidUncached(did);
  if (result.ok) {
    if (parsedCache.size >= PARSED_CACHE_MAX) parsedCache.clear();
    parsedCache.set(did, { ...result.info, pkHash: result.info.pkHash.slice() });
  }
  return result;
}

function parseDidUncached(did: string): { ok: true; info: DidInfo } | { ok: false; reason: string } {
  if (typeof did !== 'string' || !did.startsWith(`${DID_PREFIX}z`)) {
    return { ok: false, reason: `a DID starts with "${DID_PREFIX}z"` };
  }
  if (did.length > 64) return { ok: false, reason: 'a DID is at most 64 characters' };
  let raw: Uint8Array;
  try {
    raw = base58.decode(did.slice(DID_PREFIX.length + 1));
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    return { ok: false, reason: 'the DID body is not base58' };
  }
  if (raw.length !== BODY_BYTES) return { ok: false, reason: `the DID body is ${raw.length} bytes, not ${BODY_BYTES}` };
  const type = raw.subarray(0, 2);
  const pkHash = raw.subarray(2, 22);
  const checksum = raw.subarray(22);
  if (!bytesEqual(sha3(concatBytes(type, pkHash)).subarray(0, 4), checksum)) {
    return { ok: false, reason: 'the DID checksum does not match (a character is wrong or missing)' };
  }
  const bits = ((type[0] as number) << 8) | (type[1] as number);
  const role = nameOf(DidRole, bits >> 10);
  const keyType = nameOf(DidKeyType, (bits >> 5) & 0x1f);
  const hashType = nameOf(DidHashType, bits & 0x1f);
  if (role === undefined || keyType === undefined || hashType === undefined) {
    return { ok: false, reason: 'the DID type bytes name an unknown role, key or hash algorithm' };
  }
  return { ok: true, info: { did, role, keyType, hashType, pkHash: pkHash.slice() } };
}

/** True when the string is a well-formed DID with a valid checksum. */
export function isValidDid(did: string): boolean {
  return parseDid(did).ok;
}

/** True when the DID names this ed25519 public key (any role). */
export function didMatchesPublicKey(did: string, publicKey: Uint8Array): boolean {
  const parsed = parseDid(did);
  if (!parsed.ok || parsed.info.keyType !== 'ed25519' || parsed.info.hashType !== 'sha3') return false;
  return bytesEqual(parsed.info.pkHash, sha3(publicKey).subarray(0, 20));
}
