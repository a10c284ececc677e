import {
  assetAddress,
  encodeTx,
  type Itx,
  isValidDid,
  SPONSOR_BATCH_MAX,
  sponsorBatchWith,
  type Tx,
  toHex,
  txHash,
  txSigningBytes,
  type UnsignedTx,
  validateItx,
} from '@arc/core';
import { badInput, ClientError } from './errors.ts';
import type { PublicIdentity, SenderSigned, Wallet } from './wallet.ts';

export interface BuildTxInput {
  chainId: string;
  /** The sender (a Wallet, or just its DID and public key when another device signs). */
  wallet: PublicIdentity;
  /** The sender's next nonce: its committed nonce + 1 (see ArcClient.nextNonce). */
  nonce: number;
  /** Offered fee in the smallest ABT unit; at least the chain's minFee. */
  fee: bigint;
  itx: Itx;
  /** An application paying the fee; it co-signs with cosign(). */
  feePayer?: PublicIdentity;
}

/**
 * Builds an unsigned transaction and checks the rules that need no chain state, so a mistake is a
 * BAD_INPUT (or the ledger's own code) here rather than a round trip to the node.
 */
export function buildTx(input: BuildTxInput): UnsignedTx {
  if (!Number.isSafeInteger(input.nonce) || input.nonce < 1) throw badInput(`a nonce is a whole number from 1, not ${input.nonce}`);
  if (input.fee < 0n) throw badInput('a fee cannot be negative');
  if (input.feePayer !== undefined && !isValidDid(input.feePayer.did)) throw badInput('the fee payer DID is not valid');
  const invalid = validateItx(input.itx);
  if (invalid !== null) throw new ClientError(invalid.code, invalid.message, { retriable: invalid.retriable });
  return {
    chainId: input.chainId,
    from: input.wallet.did,
    publicKey: input.wallet.publicKey,
    nonce: input.nonce,
    fee: input.fee,
    feePayer: input.feePayer === undefined ? null : { did: input.feePayer.did, publicKey: input.feePayer.publicKey },
    itx: input.itx,
  };
}

/** The fee payer's signature over a transaction that names it; hand it to wallet.signTx or attachSignatures. */
export function cosign(unsigned: UnsignedTx, payer: Wallet): Uint8Array {
  if (unsigned.feePayer === null) throw badInput('the transaction names no fee payer');
  if (unsigned.feePayer.did !== payer.did) {
    throw badInput(`the transaction names fee payer ${unsigned.feePayer.did}, not ${payer.did}`);
  }
  return payer.sign(txSigningBytes(unsigned));
}

/**
 * A transaction its sender signed (Wallet.signForSponsor), as the bytes a fee payer's relayer takes: the fee payer's
 * signature is zeros, for the relayer to replace (the `fee-relayer` blocklet: POST /sponsor {tx: 0x…}).
 */
export function encodeForSponsor(tx: SenderSigned): Uint8Array {
  if (tx.feePayer === null) throw badInput('the transaction names no fee payer');
  return encodeTx({ ...tx, feePayer: { did: tx.feePayer.did, publicKey: tx.feePayer.publicKey, signature: new Uint8Array(64) } });
}

/**
 * Co-signs many transactions that name this fee payer with one signature (batch sponsorship): what an application's
 * relayer does with the transactions its users signed (Wallet.signForSponsor), so that the node verifies one fee
 * payer signature for all of them. Send each result as usual; each carries its place in the batch.
 */
export function cosignBatch(txs: SenderSigned[], payer: Wallet): Tx[] {
  for (const tx of txs) {
    if (tx.feePayer === null) throw badInput('a transaction of the batch names no fee payer');
    if (tx.feePayer.did !== payer.did) throw badInput(`a transaction names fee payer ${tx.feePayer.did}, not ${payer.did}`);
  }
  if (txs.length > SPONSOR_BATCH_MAX) throw badInput(`a batch holds at most ${SPONSOR_BATCH_MAX} transactions; split it`);
  if (new Set(txs.map((tx) => tx.chainId)).size > 1) throw badInput('every transaction of a batch is for the same chain');
  const unsponsored = txs.map((tx) => ({
    ...tx,
    feePayer: { ...(tx.feePayer as NonNullable<UnsignedTx['feePayer']>), signature: new Uint8Array(64) },
  }));
  return sponsorBatchWith(unsponsored, payer.publicKey, (message) => payer.sign(message));
}

/** The hex that tx.send takes: the canonical encoding of the signed transaction. */
export function encodeTxHex(tx: Tx): string {
  return toHex(encodeTx(tx));
}

/** The transaction's hash as hex, which the node uses to name it. */
export function txHashHex(tx: Tx): string {
  return toHex(txHash(encodeTx(tx)));
}

/** The address of the asset a signed createAsset transaction will create. */
export function createdAssetAddress(tx: Tx): string {
  if (tx.itx.type !== 'createAsset') throw badInput('only a createAsset transaction creates an asset');
  return assetAddress(txHash(encodeTx(tx)));
}
