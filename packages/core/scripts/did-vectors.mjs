// Generates packages/core/src/did/vectors.json from ArcBlock's own @arcblock/did, so the golden tests in
// did/vectors.test.ts check our derivation and validation against the reference implementation rather
// than against our reading of it. @arcblock/did is a dev dependency used only here: product code and
// tests read the committed JSON. Run: node packages/core/scripts/did-vectors.mjs
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fromPublicKey, isFromPublicKey, isValid, toTypeInfo, types } from '@arcblock/did';
import { ed25519 } from '@noble/curves/ed25519.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { keccak_256, keccak_384, keccak_512, sha3_256, sha3_384, sha3_512 } from '@noble/hashes/sha3.js';
import { base58, hex } from '@scure/base';

const OUT = fileURLToPath(new URL('../src/did/vectors.json', import.meta.url));
const { RoleType, KeyType, HashType } = types;

// Fixed keys: two ed25519 seeds and one secp256k1 secret key (uncompressed public key, as ArcBlock's wallets use).
const keys = [
  { keyType: KeyType.ED25519, publicKey: hex.encode(ed25519.getPublicKey(new Uint8Array(32).fill(0x11))) },
  { keyType: KeyType.ED25519, publicKey: hex.encode(ed25519.getPublicKey(new Uint8Array(32).fill(0x22))) },
  { keyType: KeyType.SECP256K1, publicKey: hex.encode(secp256k1.getPublicKey(new Uint8Array(32).fill(0x33), false)) },
];
const roles = Object.entries(RoleType);
const hashes = Object.entries(HashType);
const hashFns = {
  [HashType.KECCAK]: keccak_256,
  [HashType.SHA3]: sha3_256,
  [HashType.KECCAK_384]: keccak_384,
  [HashType.SHA3_384]: sha3_384,
  [HashType.KECCAK_512]: keccak_512,
  [HashType.SHA3_512]: sha3_512,
  [HashType.SHA2]: sha256,
};

const did = (address) => `did:abt:${address}`;
const typeInfo = (d) => {
  const t = toTypeInfo(d);
  return { role: t.role, keyType: t.pk, hashType: t.hash };
};

/** Every role × key × requested hash: the DID ArcBlock derives, and the type it says it has. */
const derivations = [];
keys.forEach(({ keyType, publicKey }, keyIndex) => {
  for (const [roleName, role] of roles) {
    for (const [hashName, hashType] of hashes) {
      const d = did(fromPublicKey(`0x${publicKey}`, { role, pk: keyType, hash: hashType }));
      if (!isValid(d) || !isFromPublicKey(d, `0x${publicKey}`)) throw new Error(`ArcBlock rejects its own ${d}`);
      derivations.push({ key: keyIndex, roleName, hashName, role, keyType, hashType, did: d, parsed: typeInfo(d) });
    }
  }
});

/** DIDs built by hand: type bytes naming one hash, checksum by another (ArcBlock rejects), or the same (accepts). */
function rawDid(role, keyType, typeHash, checksumHash, pkHash) {
  const bits = (role << 10) | (keyType << 5) | typeHash;
  const head = new Uint8Array([bits >> 8, bits & 0xff, ...pkHash]);
  const checksum = hashFns[checksumHash](head).subarray(0, 4);
  return did(`z${base58.encode(new Uint8Array([...head, ...checksum]))}`);
}
const checksums = [];
const pkHash = sha3_256(hex.decode(keys[0].publicKey)).subarray(0, 20);
for (const role of [RoleType.ROLE_ACCOUNT, RoleType.ROLE_NODE, RoleType.ROLE_ASSET]) {
  for (const [, typeHash] of hashes) {
    for (const [, checksumHash] of hashes) {
      const d = rawDid(role, KeyType.ED25519, typeHash, checksumHash, pkHash);
      checksums.push({ role, typeHash, checksumHash, did: d, valid: isValid(d) });
    }
  }
}

/** What this project derived for the node role before it followed ArcBlock: well formed, but not the key's DID. */
const legacyNode = keys
  .filter((k) => k.keyType === KeyType.ED25519)
  .map(({ publicKey }) => {
    const bytes = hex.decode(publicKey);
    const d = rawDid(RoleType.ROLE_NODE, KeyType.ED25519, HashType.SHA3, HashType.SHA3, sha3_256(bytes).subarray(0, 20));
    return { publicKey, did: d, valid: isValid(d), fromPublicKey: isFromPublicKey(d, `0x${publicKey}`) };
  });

/** Addresses derived from bytes (asset and token addresses): ArcBlock's DID of those bytes with ed25519 and sha3. */
const derivedInputs = ['00', '010203', hex.encode(new TextEncoder().encode('token:ABT'))];
const derived = [];
for (const input of derivedInputs) {
  for (const [roleName, role] of roles) {
    derived.push({ input, roleName, role, did: did(fromPublicKey(`0x${input}`, { role, pk: KeyType.ED25519, hash: HashType.SHA3 })) });
  }
}

const vectors = {
  generator: '@arcblock/did 1.30.24 via packages/core/scripts/did-vectors.mjs',
  keys,
  derivations,
  checksums,
  legacyNode,
  derived,
};
writeFileSync(OUT, `${JSON.stringify(vectors, null, 1)}\n`);
console.log(`wrote ${derivations.length} derivations, ${checksums.length} checksum cases, ${derived.length} derived addresses to ${OUT}`);
