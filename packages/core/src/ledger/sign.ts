import { signMessage } from '../crypto/keys.ts';
import { txSigningBytes } from './tx-codec.ts';
import type { Tx, UnsignedTx } from './types.ts';

/** Puts the sender's (and the fee payer's) signature on an unsigned transaction. */
export function attachSignatures(unsigned: UnsignedTx, signature: Uint8Array, feePayerSignature?: Uint8Array): Tx {
  if (unsigned.feePayer !== null && feePayerSignature === undefined) {
    throw new TypeError('this transaction names a fee payer; its signature is required');
  }
  const feePayer = unsigned.feePayer === null ? null : { ...unsigned.feePayer, signature: feePayerSignature as Uint8Array };
  return { ...unsigned, feePayer, signature };
}

/** Signs an unsigned transaction with the sender's seed (and the fee payer's, when both are at hand). */
export function signTx(unsigned: UnsignedTx, senderSecretKey: Uint8Array, feePayerSecretKey?: Uint8Array): Tx {
  const bytes = txSigningBytes(unsigned);
  const payerSignature = feePayerSecretKey ? signMessage(feePayerSecretKey, bytes) : undefined;
  return attachSignatures(unsigned, signMessage(senderSecretKey, bytes), payerSignature);
}
