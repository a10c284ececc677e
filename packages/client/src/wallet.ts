import {
  attachSignatures,
  didFromPublicKey,
  fromHex,
  isHex,
  keyPairFromSeed,
  signMessage,
  type Tx,
  toHex,
  txSigningBytes,
  type UnsignedTx,
} from '@arc/core';
import { z } from 'zod';
import { openTopicKey, type SealedTopicKey } from './e2e.ts';
import { badInput } from './errors.ts';

/** Source of random bytes; the default is the platform CSPRNG (browsers and Node 20 both have it). */
export type RandomBytes = (length: number) => Uint8Array;

const defaultRandom: RandomBytes = (length) => globalThis.crypto.getRandomValues(new Uint8Array(length));

const SEED_BYTES = 32;
const hex32 = z.string().regex(/^(0x)?[0-9a-fA-F]{64}$/, 'must be 32 bytes of hex');

/** The key file / storage format: all hex, lower case. */
/** A transaction its sender signed, waiting for its fee payer's co-signature (Wallet.signForSponsor). */
export type SenderSigned = UnsignedTx & { signature: Uint8Array };

export const WalletJsonSchema = z.object({ did: z.string(), publicKey: hex32, secretKey: hex32 });
export type WalletJson = z.infer<typeof WalletJsonSchema>;

/** A DID and public key: what a signer is known by (a Wallet is one). */
export interface PublicIdentity {
  did: string;
  publicKey: Uint8Array;
}

/** An ed25519 account key held in memory: its DID, public key, and signing. */
export class Wallet implements PublicIdentity {
  readonly did: string;
  readonly publicKey: Uint8Array;
  readonly #secretKey: Uint8Array;

  private constructor(seed: Uint8Array) {
    const keys = keyPairFromSeed(seed);
    this.#secretKey = keys.secretKey;
    this.publicKey = keys.publicKey;
    this.did = didFromPublicKey(keys.publicKey);
  }

  /** A new wallet from fresh randomness (crypto.getRandomValues unless another source is given). */
  static generate(random: RandomBytes = defaultRandom): Wallet {
    const seed = random(SEED_BYTES);
    if (!(seed instanceof Uint8Array) || seed.length !== SEED_BYTES) {
      throw badInput(`the random source must return ${SEED_BYTES} bytes`);
    }
    return new Wallet(seed);
  }

  /** The wallet of a 32-byte ed25519 seed, as hex or bytes. */
  static fromSecretKey(secretKey: string | Uint8Array): Wallet {
    if (typeof secretKey === 'string') {
      if (!isHex(secretKey)) throw badInput('the secret key is not hex');
      secretKey = fromHex(secretKey);
    }
    if (secretKey.length !== SEED_BYTES) throw badInput(`a secret key is ${SEED_BYTES} bytes, not ${secretKey.length}`);
    return new Wallet(secretKey);
  }

  /** Restores a wallet saved with toJSON, checking that its DID and public key belong to its secret key. */
  static fromJSON(json: unknown): Wallet {
    const parsed = WalletJsonSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw badInput(`not a wallet: ${issue ? `${issue.path.join('.') || '(root)'} ${issue.message}` : 'invalid'}`);
    }
    const wallet = Wallet.fromSecretKey(parsed.data.secretKey);
    if (wallet.did !== parsed.data.did || toHex(wallet.publicKey) !== parsed.data.publicKey.replace(/^0x/, '').toLowerCase()) {
      throw badInput('the wallet DID or public key does not belong to its secret key (the file was edited or mixed up)');
    }
    return wallet;
  }

  /** The public key as hex. */
  get publicKeyHex(): string {
    return toHex(this.publicKey);
  }

  /** The 32-byte seed as hex; whoever has it controls the account. */
  get secretKeyHex(): string {
    return toHex(this.#secretKey);
  }

  /** Signs bytes with ed25519. */
  /** Opens an end-to-end topic key sealed to this wallet's key (the secret never leaves the wallet). */
  openTopicKey(sealed: SealedTopicKey): Uint8Array {
    return openTopicKey(sealed, this.#secretKey);
  }

  sign(message: Uint8Array): Uint8Array {
    return signMessage(this.#secretKey, message);
  }

  /** Signs a transaction this wallet sends; pass the fee payer's cosign() signature when it names one. */
  signTx(unsigned: UnsignedTx, feePayerSignature?: Uint8Array): Tx {
    if (unsigned.from !== this.did) throw badInput(`the transaction is from ${unsigned.from}, not this wallet (${this.did})`);
    if (unsigned.feePayer !== null && feePayerSignature === undefined) {
      throw badInput('the transaction names a fee payer; get its signature with cosign() first');
    }
    return attachSignatures(unsigned, this.sign(txSigningBytes(unsigned)), feePayerSignature);
  }

  /**
   * The sender's signature alone on a transaction whose fee payer co-signs later, in a batch with others
   * (cosignBatch): hand the result to the application's relayer.
   */
  signForSponsor(unsigned: UnsignedTx): SenderSigned {
    if (unsigned.from !== this.did) throw badInput(`the transaction is from ${unsigned.from}, not this wallet (${this.did})`);
    if (unsigned.feePayer === null) throw badInput('the transaction names no fee payer; sign it with signTx');
    return { ...unsigned, signature: this.sign(txSigningBytes(unsigned)) };
  }

  /** The storable form, secret key included: keep it where only its owner can read it. */
  toJSON(): WalletJson {
    return { did: this.did, publicKey: this.publicKeyHex, secretKey: this.secretKeyHex };
  }

  // Printing a wallet (console.log, util.inspect) shows the DID only, so secrets do not leak into logs.
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `Wallet(${this.did})`;
  }

  toString(): string {
    return `Wallet(${this.did})`;
  }
}
