/**
 * What the signature pool sends its workers (verify-worker.mjs reads the same layout) and the same check on this
 * thread, for when no worker is alive.
 */
import { concatBytes, type SponsorProof, sponsorRoot, verifySignature } from '@arc/core';

/** One signature: a 32-byte ed25519 public key and a 64-byte signature. */
export interface Signer {
  publicKey: Uint8Array;
  signature: Uint8Array;
}

/**
 * One transaction's signatures over its one message: the sender's, then the fee payer's co-signature when it has
 * one. They travel as one item, so a fee-payer transaction costs one round trip and its message is packed once.
 */
export interface Item {
  message: Uint8Array;
  signers: Signer[];
  /**
   * Batch sponsorship (core's sponsor.ts): the fee payer (signer 1) signed prefix ‖ the root this proof leads to from
   * the message. The worker folds the proof and verifies each root signature once while it remembers it.
   */
  sponsor?: SponsorProof & { prefix: Uint8Array };
}

/** A packed item's header: its signer count (u8) and its message length (u32). */
const PACKED_ITEM_HEADER_BYTES = 1 + 4;
/** Set in a packed item's signer count when it is batch-sponsored (verify-worker.mjs reads its proof after the message). */
const PACKED_SPONSORED = 0x80;
/** A packed signer: public key and signature. */
const PACKED_SIGNER_BYTES = 32 + 64;

/** An item verified on this thread, as the worker does it: signers in order, stopping at the first that fails. */
export function verifyItem(item: Item): number {
  const { sponsor } = item;
  if (sponsor) {
    const [sender, payer] = item.signers as [Signer, Signer];
    if (!verifySignature(sender.publicKey, item.message, sender.signature)) return 0;
    const signed = concatBytes(sponsor.prefix, sponsorRoot(item.message, sponsor));
    return verifySignature(payer.publicKey, signed, payer.signature) ? 3 : 1;
  }
  let verified = 0;
  for (const [i, { publicKey, signature }] of item.signers.entries()) {
    if (!verifySignature(publicKey, item.message, signature)) break;
    verified |= 1 << i;
  }
  return verified;
}

/**
 * A batch as one buffer for verify-worker.mjs: per item its signer count (u8), its message length (u32,
 * little-endian), each signer's 32-byte public key and 64-byte signature, then the message; a sponsored item (count |
 * PACKED_SPONSORED) then its leaf index (u32), proof depth (u8), siblings (32 bytes each) and prefix (u8 length, bytes).
 */
export function packBatch(waiters: readonly { item: Item }[]): Uint8Array<ArrayBuffer> {
  let size = 0;
  for (const { item } of waiters) {
    size += PACKED_ITEM_HEADER_BYTES + PACKED_SIGNER_BYTES * item.signers.length + item.message.length;
    if (item.sponsor) size += 4 + 1 + 32 * item.sponsor.proof.length + 1 + item.sponsor.prefix.length;
  }
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let at = 0;
  for (const { item } of waiters) {
    out[at] = item.signers.length | (item.sponsor ? PACKED_SPONSORED : 0);
    view.setUint32(at + 1, item.message.length, true);
    at += PACKED_ITEM_HEADER_BYTES;
    for (const { publicKey, signature } of item.signers) {
      out.set(publicKey, at);
      out.set(signature, at + 32);
      at += PACKED_SIGNER_BYTES;
    }
    out.set(item.message, at);
    at += item.message.length;
    if (item.sponsor) {
      const { index, proof, prefix } = item.sponsor;
      view.setUint32(at, index, true);
      out[at + 4] = proof.length;
      at += 5;
      for (const sibling of proof) {
        out.set(sibling, at);
        at += 32;
      }
      out[at] = prefix.length;
      out.set(prefix, at + 1);
      at += 1 + prefix.length;
    }
  }
  return out;
}
