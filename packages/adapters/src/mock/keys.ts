import { OcapError, type OcapSigner } from '@arc/core';
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { z } from 'zod';

/**
 * The mock chain's keys and transactions: ed25519 keys, `mock1<40 hex>` addresses, and really signed transactions
 * whose raw form is the hex of a JSON object, so a transaction built and signed in one place can be relayed anywhere.
 */

/** An account, token or asset address of the mock chain: `mock1` and 40 lower-case hex characters. */
export const MOCK_ADDRESS = /^mock1[0-9a-f]{40}$/;
/** A block or transaction hash: `0x` and 64 lower-case hex characters. */
export const MOCK_HASH = /^0x[0-9a-f]{64}$/;
/** Longest raw transaction `broadcast` decodes (hex characters). */
export const MOCK_RAW_TX_HEX_MAX = 4_096;

const SIGNING_DOMAIN = 'ocap-mock-tx-v1';

/** The signed kinds of mock transaction (logs from `native.emit` are unsigned). */
export type MockTxKind = 'transfer' | 'tokenTransfer' | 'assetTransfer';

/** What a signer signs. `amount` is 1n for an asset transfer. */
export interface MockTxBody {
  chainId: string;
  kind: MockTxKind;
  from: string;
  to: string;
  amount: bigint;
  nonce: number;
  fee: bigint;
  token?: string;
  asset?: string;
}

/** A signed transaction as the mock chain keeps it. */
export interface MockSignedTx extends MockTxBody {
  hash: string;
  /** ed25519 public key, hex. */
  publicKey: string;
  /** ed25519 signature over the signing bytes, hex. */
  signature: string;
}

const secrets = new WeakMap<OcapSigner, Uint8Array>();

/** The mock address of an ed25519 public key: `mock1` + the first 20 bytes of its sha256, hex. */
export function mockAddressOf(publicKey: Uint8Array): string {
  return `mock1${bytesToHex(sha256(publicKey)).slice(0, 40)}`;
}

/** An address derived from a label (tokens, assets): the same label always gives the same address. */
export function mockAddressFor(label: string): string {
  return `mock1${bytesToHex(sha256(utf8ToBytes(label))).slice(0, 40)}`;
}

/** A signer for a 32-byte ed25519 secret key; the key stays inside this module. */
export function mockSigner(secretKey: Uint8Array): OcapSigner {
  if (!(secretKey instanceof Uint8Array) || secretKey.length !== 32) {
    throw new OcapError('INVALID_ARGUMENT', 'A mock signer takes a 32-byte ed25519 secret key as a Uint8Array.');
  }
  const secret = Uint8Array.from(secretKey);
  const signer: OcapSigner = Object.freeze({ adapter: 'mock', address: mockAddressOf(ed25519.getPublicKey(secret)) });
  secrets.set(signer, secret);
  return signer;
}

function secretOf(signer: OcapSigner): Uint8Array {
  const secret = secrets.get(signer);
  if (!secret) {
    throw new OcapError(
      'INVALID_ARGUMENT',
      `This signer (${signer.adapter}, ${signer.address}) was not made by the mock adapter; use adapter.signer(secretKey).`,
    );
  }
  return secret;
}

/** The exact bytes signed and hashed: a JSON array in a fixed field order, so every encoder agrees. */
function signingBytes(body: MockTxBody, publicKey: string): Uint8Array {
  const fields = [
    SIGNING_DOMAIN,
    body.chainId,
    body.kind,
    body.from,
    body.to,
    body.amount.toString(),
    body.nonce,
    body.fee.toString(),
    body.token ?? null,
    body.asset ?? null,
    publicKey,
  ];
  return utf8ToBytes(JSON.stringify(fields));
}

/** Signs a transaction body with the signer's key; `body.from` must be the signer's address. */
export function signMockTx(signer: OcapSigner, body: MockTxBody): MockSignedTx {
  if (body.from !== signer.address) throw new OcapError('INVALID_ARGUMENT', `The signer ${signer.address} cannot sign for ${body.from}.`);
  const secret = secretOf(signer);
  const publicKey = bytesToHex(ed25519.getPublicKey(secret));
  const bytes = signingBytes(body, publicKey);
  return { ...body, publicKey, signature: bytesToHex(ed25519.sign(bytes, secret)), hash: `0x${bytesToHex(sha256(bytes))}` };
}

/** The raw form `broadcast` takes: hex of the transaction as UTF-8 JSON (amounts as decimal strings). */
export function encodeMockTx(tx: MockSignedTx): string {
  const { hash: _hash, amount, fee, ...rest } = tx;
  return bytesToHex(utf8ToBytes(JSON.stringify({ ...rest, amount: amount.toString(), fee: fee.toString() })));
}

const decimal = z
  .string()
  .regex(/^\d{1,78}$/)
  .transform((s) => BigInt(s));
const hex = (bytes: number) => z.string().regex(new RegExp(`^[0-9a-f]{${bytes * 2}}$`));
const address = z.string().regex(MOCK_ADDRESS);
const RawTx = z.strictObject({
  chainId: z.string().max(64),
  kind: z.enum(['transfer', 'tokenTransfer', 'assetTransfer']),
  from: address,
  to: address,
  amount: decimal,
  nonce: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  fee: decimal,
  token: address.optional(),
  asset: address.optional(),
  publicKey: hex(32),
  signature: hex(64),
});

/**
 * Decodes a raw transaction and checks that it is whole and really signed by `from` (INVALID_ARGUMENT if not).
 * Whether the chain accepts it (nonce, funds, chain id) is the ledger's call.
 */
export function decodeMockTx(raw: string): MockSignedTx {
  const text = typeof raw === 'string' ? raw.replace(/^0x/, '').toLowerCase() : '';
  if (text.length === 0 || text.length > MOCK_RAW_TX_HEX_MAX || !/^[0-9a-f]*$/.test(text) || text.length % 2 !== 0) {
    throw new OcapError('INVALID_ARGUMENT', `A raw mock transaction is up to ${MOCK_RAW_TX_HEX_MAX} hex characters of signed JSON.`);
  }
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(hexToBytes(text)));
  } catch (error) {
    throw new OcapError('INVALID_ARGUMENT', 'The raw transaction is not hex-encoded JSON.', { cause: error });
  }
  const parsed = RawTx.safeParse(json);
  if (!parsed.success)
    throw new OcapError('INVALID_ARGUMENT', `The raw transaction is malformed: ${parsed.error.message}`, { cause: parsed.error });
  const { publicKey, signature, ...body } = parsed.data;
  if ((body.kind === 'tokenTransfer') !== (body.token !== undefined) || (body.kind === 'assetTransfer') !== (body.asset !== undefined)) {
    throw new OcapError(
      'INVALID_ARGUMENT',
      `A ${body.kind} names ${body.kind === 'tokenTransfer' ? 'a token' : body.kind === 'assetTransfer' ? 'an asset' : 'neither token nor asset'}.`,
    );
  }
  const publicKeyBytes = hexToBytes(publicKey);
  if (mockAddressOf(publicKeyBytes) !== body.from)
    throw new OcapError('INVALID_ARGUMENT', `The public key is not the key of ${body.from}.`);
  const bytes = signingBytes(body, publicKey);
  let valid: boolean;
  try {
    valid = ed25519.verify(hexToBytes(signature), bytes, publicKeyBytes);
  } catch (error) {
    throw new OcapError('INVALID_ARGUMENT', 'The transaction signature cannot be checked.', { cause: error });
  }
  if (!valid) throw new OcapError('INVALID_ARGUMENT', `The signature does not match the transaction and the key of ${body.from}.`);
  return { ...body, publicKey, signature, hash: `0x${bytesToHex(sha256(bytes))}` };
}
