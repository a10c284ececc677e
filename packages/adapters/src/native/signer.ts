import {
  didFromPublicKey,
  encodeTx,
  type Itx,
  keyPairFromSeed,
  OcapError,
  type OcapSigner,
  signTx,
  toHex,
  type UnsignedTx,
  validateItx,
} from '@arc/core';

/** The key behind a native signer: its DID, public key and 32-byte ed25519 seed. */
interface SignerKey {
  did: string;
  publicKey: Uint8Array;
  seed: Uint8Array;
}

/** The key behind each signer this adapter handed out; the seed never leaves this module. */
const keys = new WeakMap<OcapSigner, SignerKey>();

/** A signer for a 32-byte ed25519 seed; its address is the account's DID. */
export function nativeSigner(secretKey: Uint8Array): OcapSigner {
  if (!(secretKey instanceof Uint8Array) || secretKey.length !== 32) {
    const size = secretKey instanceof Uint8Array ? `${secretKey.length} bytes` : typeof secretKey;
    throw new OcapError('INVALID_ARGUMENT', `A native signer takes the 32-byte ed25519 seed as a Uint8Array, not ${size}.`);
  }
  const { publicKey, secretKey: seed } = keyPairFromSeed(secretKey);
  const did = didFromPublicKey(publicKey);
  const signer: OcapSigner = Object.freeze({ adapter: 'native', address: did });
  keys.set(signer, { did, publicKey, seed });
  return signer;
}

function keyOf(signer: OcapSigner): SignerKey {
  const key = keys.get(signer);
  if (!key) {
    throw new OcapError(
      'INVALID_ARGUMENT',
      `This signer (${signer.adapter}, ${signer.address}) was not made by the native adapter; use adapter.signer(secretKey).`,
    );
  }
  return key;
}

/** INVALID_ARGUMENT unless the signer was made by `nativeSigner`; returns its DID. */
export function checkSigner(signer: OcapSigner): string {
  return keyOf(signer).did;
}

export interface SignInput {
  chainId: string;
  nonce: number;
  fee: bigint;
  itx: Itx;
}

/**
 * The encoded, signed transaction (hex, what tx.send takes) of one inner transaction from the signer, checked
 * first against the ledger's rules that need no chain state (a mistake is INVALID_ARGUMENT here, not a round trip).
 */
export function signedTxHex(signer: OcapSigner, input: SignInput): string {
  const key = keyOf(signer);
  if (!Number.isSafeInteger(input.nonce) || input.nonce < 1) {
    throw new OcapError('INVALID_ARGUMENT', `A nonce is a whole number from 1, not ${input.nonce}.`);
  }
  if (input.fee < 0n) throw new OcapError('INVALID_ARGUMENT', 'A fee cannot be negative.');
  const invalid = validateItx(input.itx);
  if (invalid !== null) throw new OcapError('INVALID_ARGUMENT', `${invalid.code}: ${invalid.message}`, { cause: invalid });
  const unsigned: UnsignedTx = {
    chainId: input.chainId,
    from: key.did,
    publicKey: key.publicKey,
    nonce: input.nonce,
    fee: input.fee,
    feePayer: null,
    itx: input.itx,
  };
  return toHex(encodeTx(signTx(unsigned, key.seed)));
}
