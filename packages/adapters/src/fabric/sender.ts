import { OcapError } from '@arc/core';
import type { Status } from '@hyperledger/fabric-gateway';
import { KeyedSerial } from '../shared/serial.ts';
import type { ChaincodeCall, FabricConnection, Submitted } from './connection.ts';
import type { ErrorContext } from './errors.ts';
import type { FabricSigner } from './identity.ts';

/** Sent transactions remembered until they commit (for `pending` answers and commit-status waits). */
export const SENT_TXS_MAX = 10_000;
/** Sends waiting behind one signer's earlier sends before new ones are refused. */
export const SENDS_QUEUED_PER_SIGNER_MAX = 1_000;

/** What the adapter knows of a transaction it sent before it commits. */
export interface SentTx {
  txId: string;
  from: string;
  to: string | null;
  value: bigint;
  commit: Promise<Status>;
}

/**
 * Sends one signer's transactions one after another, each endorsed only once the previous one committed: a
 * transaction simulates against the committed state, so two in flight from one account would read the same balance
 * and the later one would fail validation with MVCC_READ_CONFLICT. The caller gets its answer as soon as the orderer
 * accepted the transaction; the lane moves on at its commit.
 */
export class FabricSender {
  readonly #lanes = new KeyedSerial(SENDS_QUEUED_PER_SIGNER_MAX);
  readonly #sent = new Map<string, SentTx>();

  constructor(readonly connection: () => Promise<FabricConnection>) {}

  /** Endorses and submits `call` in the signer's lane; `movement` is what a pending read reports (to, value). */
  send(
    signer: FabricSigner,
    call: ChaincodeCall,
    context: ErrorContext,
    movement: { to: string | null; value: bigint },
  ): Promise<Submitted> {
    return new Promise<Submitted>((resolve, reject) => {
      this.#lanes
        .run(signer.address, async () => {
          let submitted: Submitted;
          try {
            submitted = await (await this.connection()).submit(signer, call, context);
          } catch (error) {
            reject(error);
            return;
          }
          this.track({ txId: submitted.txId, from: signer.address, ...movement, commit: submitted.commit });
          resolve(submitted);
          // The lane waits for the commit whatever its outcome; the outcome reaches whoever waits on the transaction.
          await submitted.commit.then(
            () => undefined,
            () => undefined,
          );
        })
        .catch((error: unknown) => {
          reject(
            new OcapError('UNAVAILABLE', `More than ${SENDS_QUEUED_PER_SIGNER_MAX} sends are queued for ${signer.address}; retry later.`, {
              cause: error,
            }),
          );
        });
    });
  }

  /** Remembers a sent transaction until its commit status arrives. */
  track(tx: SentTx): void {
    this.#sent.set(tx.txId, tx);
    if (this.#sent.size > SENT_TXS_MAX) {
      const oldest = this.#sent.keys().next().value;
      if (oldest !== undefined) this.#sent.delete(oldest);
    }
    const forget = () => {
      if (this.#sent.get(tx.txId) === tx) this.#sent.delete(tx.txId);
    };
    tx.commit.then(forget, forget);
  }

  /** A transaction this adapter sent that has not committed yet. */
  pending(txId: string): SentTx | undefined {
    return this.#sent.get(txId);
  }
}
