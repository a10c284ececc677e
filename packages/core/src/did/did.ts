import { sha256 } from '@noble/hashes/sha2.js';
import { keccak_256, keccak_384, keccak_512, sha3_384, sha3_512 } from '@noble/hashes/sha3.js';
import { base58 } from '@scure/base';
import { bytesEqual, concatBytes } from '../bytes.ts';
import { sha3 } from '../crypto/provider.ts';

/**
 * `did:abt:` identifiers exactly as ArcBlock's `@arcblock/did` makes them: two type bytes (role: 6
 * bits, key algorithm: 5 bits, hash algorithm: 5 bits), the first 20 bytes of the hash of the public
 * key (or, for derived addresses, of the bytes they are derived from), and a 4-byte checksum (the
 * first 4 bytes of the hash of the 22 bytes before it); base58btc with the multibase prefix `z`.
 * Both hashes are the one the type bytes name, and the node, validator, tether and swap roles always
 * use SHA2 (one round of sha256) whatever hash was asked for. `vectors.json`, generated from
 * `@arcblock/did` itself (scripts/did-vectors.mjs), pins this in vectors.test.ts.
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
  factory: 18,
  rollup: 19,
  storage: 20,
  profile: 21,
  passkey: 22,
  tokenFactory: 23,
  provider: 24,
  any: 63,
} as const;
export type DidRoleName = keyof typeof DidRole;

export const DidKeyType = { ed25519: 0, secp256k1: 1, ethereum: 2, passkey: 3 } as const;
export type DidKeyTypeName = keyof typeof DidKeyType;

export const DidHashType = { keccak: 0, sha3: 1, keccak384: 2, sha3_384: 3, keccak512: 4, sha3_512: 5, sha2: 6 } as const;
export type DidHashTypeName = keyof typeof DidHashType;

/** The key types whose DIDs this module derives (ArcBlock's passkey and ethereum types are only parsed). */
export type DidDerivableKeyTypeName = 'ed25519' | 'secp256k1';

/** Public key lengths per derivable key type: ed25519 keys, and secp256k1 keys compressed or not. */
const PUBLIC_KEY_BYTES: Record<DidDerivableKeyTypeName, readonly number[]> = { ed25519: [32], secp256k1: [33, 65] };

/** Roles ArcBlock always hashes with SHA2, whatever hash was asked for (its `DidType`). */
const SHA2_ROLES: ReadonlySet<DidRoleName> = new Set(['node', 'validator', 'tether', 'swap']);

const HASHES: Record<DidHashTypeName, (data: Uint8Array) => Uint8Array> = {
  keccak: keccak_256,
  sha3,
  keccak384: keccak_384,
  sha3_384,
  keccak512: keccak_512,
  sha3_512,
  sha2: sha256,
};

/** The hash a DID of this role is made with: the one asked for, except SHA2 for the roles ArcBlock pins. */
export function didHashFor(role: DidRoleName, hashType: DidHashTypeName = 'sha3'): DidHashTypeName {
  return SHA2_ROLES.has(role) ? 'sha2' : hashType;
}

export interface DidOptions {
  keyType?: DidDerivableKeyTypeName;
  /** Ignored (SHA2) for the node, validator, tether and swap roles, as ArcBlock does. */
  hashType?: DidHashTypeName;
}

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

/** The DID of `input` (a public key or derivation bytes): hash, type bytes and checksum all by one hash. */
function encodeDid(input: Uint8Array, role: DidRoleName, keyType: DidKeyTypeName, requestedHash: DidHashTypeName): string {
  const hashType = didHashFor(role, requestedHash);
  const hash = HASHES[hashType];
  const head = concatBytes(typeBytes(role, keyType, hashType), hash(input).subarray(0, 20));
  return `${DID_PREFIX}z${base58.encode(concatBytes(head, hash(head).subarray(0, 4)))}`;
}

/** The DID of a public key for the given role (ed25519 and sha3 unless told), equal to `@arcblock/did`'s. */
export function didFromPublicKey(publicKey: Uint8Array, role: DidRoleName = 'account', options: DidOptions = {}): string {
  const keyType = options.keyType ?? 'ed25519';
  const lengths = PUBLIC_KEY_BYTES[keyType];
  if (!lengths.includes(publicKey.length)) {
    throw new TypeError(`a ${keyType} public key is ${lengths.join(' or ')} bytes, not ${publicKey.length}`);
  }
  return encodeDid(publicKey, role, keyType, options.hashType ?? 'sha3');
}

/** A DID derived from arbitrary bytes (asset and token addresses: the creating tx hash and an index). */
export function deriveDid(input: Uint8Array, role: DidRoleName): string {
  return encodeDid(input, role, 'ed25519', 'sha3');
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
  const head = raw.subarray(0, 22);
  const pkHash = raw.subarray(2, 22);
  const checksum = raw.subarray(22);
  const bits = ((raw[0] as number) << 8) | (raw[1] as number);
  const role = nameOf(DidRole, bits >> 10);
  const keyType = nameOf(DidKeyType, (bits >> 5) & 0x1f);
  const hashType = nameOf(DidHashType, bits & 0x1f);
  if (role === undefined || keyType === undefined || hashType === undefined) {
    return { ok: false, reason: 'the DID type bytes name an unknown role, key or hash algorithm' };
  }
  // The checksum is checked with the hash the type bytes name, as ArcBlock's isValid does: a DID whose
  // checksum used another hash is a different (broken) DID, not the same one spelt differently.
  if (!bytesEqual(HASHES[hashType](head).subarray(0, 4), checksum)) {
    return { ok: false, reason: `the DID checksum does not match its ${hashType} type (a character is wrong or missing)` };
  }
  return { ok: true, info: { did, role, keyType, hashType, pkHash: pkHash.slice() } };
}

/** True when the string is a well-formed DID with a valid checksum. */
export function isValidDid(did: string): boolean {
  return parseDid(did).ok;
}

/**
 * True when the DID names this ed25519 public key (any role or hash): re-derived from the key with the
 * DID's own type, as ArcBlock's isFromPublicKey does, so a node-role DID hashed with sha3 (what this
 * project made before it followed ArcBlock) is well formed but names no key.
 */
export function didMatchesPublicKey(did: string, publicKey: Uint8Array): boolean {
  const parsed = parseDid(did);
  if (!parsed.ok || parsed.info.keyType !== 'ed25519' || publicKey.length !== 32) return false;
  return encodeDid(publicKey, parsed.info.role, 'ed25519', parsed.info.hashType) === did;
}
