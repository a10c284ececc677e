import { type CheckedTx, checkTxStatic, encodeTx, type Itx, type KeyPair, LedgerError, signTx } from '@arc/core';
import type { Admission } from './admission.ts';
import type { Ledger } from './ledger.ts';

/** A transaction the node signed with its own key, ready to be recorded (in flight) and then submitted. */
export interface NodeTx {
  bytes: Uint8Array;
  checked: CheckedTx;
}

/**
 * The node's own transactions (usage records, settlements), one at a time: each takes the next nonce of the node's
 * account (the chain's, plus what waits in the mempool) inside the queue, so two jobs never sign the same nonce.
 * `prepare` may record the transaction's hash before it is submitted (a crash then still knows what was in flight).
 */
export class NodeTxQueue {
  #tail: Promise<unknown> = Promise.resolve();

  constructor(
    readonly ledger: Ledger,
    readonly admission: Admission,
    readonly key: KeyPair & { did: string },
  ) {}

  /** Signs `itx`, hands it to `prepare`, then submits it; resolves with its hash once admitted. */
  send(itx: Itx, prepare: (tx: NodeTx) => Promise<void> = async () => undefined): Promise<string> {
    const run = this.#tail.then(async () => {
      const tx = await this.#sign(itx);
      await prepare(tx);
      await this.admission.submit(tx.bytes);
      return tx.checked.hashHex;
    });
    this.#tail = run.catch(() => undefined);
    return run;
  }

  /** The encoded size a transaction of `itx` would have (to fill one up to the chain's maxTxBytes). */
  sizeOf(itx: Itx): number {
    return encodeTx(
      signTx(
        {
          chainId: this.ledger.chainId,
          from: this.key.did,
          publicKey: this.key.publicKey,
          nonce: 1,
          fee: this.ledger.params.minFee,
          feePayer: null,
          itx,
        },
        this.key.secretKey,
      ),
    ).length;
  }

  async #sign(itx: Itx): Promise<NodeTx> {
    const nonce = await this.ledger.nextNonce(this.key.did);
    const unsigned = {
      chainId: this.ledger.chainId,
      from: this.key.did,
      publicKey: this.key.publicKey,
      nonce,
      fee: this.ledger.params.minFee,
      feePayer: null,
      itx,
    };
    const bytes = encodeTx(signTx(unsigned, this.key.secretKey));
    const checked = checkTxStatic(bytes, { chainId: this.ledger.chainId, params: this.ledger.params });
    if (checked instanceof LedgerError) throw new Error(`the node's ${itx.type} transaction does not check: ${checked.message}`);
    return { bytes, checked };
  }
}
