/**
 * The address of the asset a createAsset transaction makes, from the transaction's hash: a did:abt: DID
 * (role asset, ed25519, sha3) of the first 20 bytes of SHA3-256(hash), with a 4-byte SHA3-256 checksum,
 * base58btc. A blocklet cannot import the ledger's code, so this is a small plain copy of
 * packages/core/src/did/did.ts deriveDid (test/components.test.ts compares the two).
 */

const MASK_64 = (1n << 64n) - 1n;
const ROUND_CONSTANTS = [
  0x0000000000000001n,
  0x0000000000008082n,
  0x800000000000808an,
  0x8000000080008000n,
  0x000000000000808bn,
  0x0000000080000001n,
  0x8000000080008081n,
  0x8000000000008009n,
  0x000000000000008an,
  0x0000000000000088n,
  0x0000000080008009n,
  0x000000008000000an,
  0x000000008000808bn,
  0x800000000000008bn,
  0x8000000000008089n,
  0x8000000000008003n,
  0x8000000000008002n,
  0x8000000000000080n,
  0x000000000000800an,
  0x800000008000000an,
  0x8000000080008081n,
  0x8000000000008080n,
  0x0000000080000001n,
  0x8000000080008008n,
];
/** Rotation of lane x + 5y. */
const ROTATIONS = [0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43, 25, 39, 41, 45, 15, 21, 8, 18, 2, 61, 56, 14];
const SHA3_256_RATE_BYTES = 136;
const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

function rotate(lane: bigint, by: number): bigint {
  if (by === 0) return lane;
  return ((lane << BigInt(by)) | (lane >> BigInt(64 - by))) & MASK_64;
}

function keccakF(state: bigint[]): void {
  const c: bigint[] = new Array(5).fill(0n);
  const b: bigint[] = new Array(25).fill(0n);
  for (const rc of ROUND_CONSTANTS) {
    for (let x = 0; x < 5; x++) c[x] = state[x]! ^ state[x + 5]! ^ state[x + 10]! ^ state[x + 15]! ^ state[x + 20]!;
    for (let x = 0; x < 5; x++) {
      const d = c[(x + 4) % 5]! ^ rotate(c[(x + 1) % 5]!, 1);
      for (let y = 0; y < 25; y += 5) state[x + y] = state[x + y]! ^ d;
    }
    for (let x = 0; x < 5; x++) {
      for (let y = 0; y < 5; y++) b[y + 5 * ((2 * x + 3 * y) % 5)] = rotate(state[x + 5 * y]!, ROTATIONS[x + 5 * y]!);
    }
    for (let y = 0; y < 25; y += 5) {
      for (let x = 0; x < 5; x++) state[x + y] = b[x + y]! ^ (~b[((x + 1) % 5) + y]! & MASK_64 & b[((x + 2) % 5) + y]!);
    }
    state[0] = state[0]! ^ rc;
  }
}

/** SHA3-256 (FIPS 202) of the bytes. */
export function sha3_256(input: Uint8Array): Uint8Array {
  const blocks = Math.floor(input.length / SHA3_256_RATE_BYTES) + 1;
  const padded = new Uint8Array(blocks * SHA3_256_RATE_BYTES);
  padded.set(input);
  padded[input.length] = padded[input.length]! ^ 0x06;
  padded[padded.length - 1] = padded[padded.length - 1]! ^ 0x80;
  const state: bigint[] = new Array(25).fill(0n);
  for (let offset = 0; offset < padded.length; offset += SHA3_256_RATE_BYTES) {
    for (let lane = 0; lane < SHA3_256_RATE_BYTES / 8; lane++) {
      let value = 0n;
      for (let i = 7; i >= 0; i--) value = (value << 8n) | BigInt(padded[offset + lane * 8 + i]!);
      state[lane] = state[lane]! ^ value;
    }
    keccakF(state);
  }
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = Number((state[i >> 3]! >> BigInt(8 * (i & 7))) & 0xffn);
  return out;
}

function base58(bytes: Uint8Array): string {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  let text = '';
  while (value > 0n) {
    text = BASE58[Number(value % 58n)] + text;
    value /= 58n;
  }
  for (const byte of bytes) {
    if (byte !== 0) break;
    text = `1${text}`;
  }
  return text;
}

function fromHex(hex: string): Uint8Array {
  if (!/^([0-9a-f]{2})+$/i.test(hex)) throw new Error('a transaction hash is hex');
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Role asset (6) << 10 | ed25519 (0) << 5 | sha3 (1). */
const ASSET_TYPE_BYTES = [0x18, 0x01];

/** The address of the asset created by the transaction with this hash (hex). */
export function assetAddressOfTx(txHashHex: string): string {
  const head = new Uint8Array(22);
  head.set(ASSET_TYPE_BYTES);
  head.set(sha3_256(fromHex(txHashHex)).subarray(0, 20), 2);
  const body = new Uint8Array(26);
  body.set(head);
  body.set(sha3_256(head).subarray(0, 4), 22);
  return `did:abt:z${base58(body)}`;
}
