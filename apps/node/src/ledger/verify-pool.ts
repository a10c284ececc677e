import { Worker } from 'node:worker_threads';
import { type CheckedTx, checkSignatures, type LedgerError, ledgerError } from '@arc/core';

interface Item {
  publicKey: Uint8Array;
  message: Uint8Array;
  signature: Uint8Array;
}

interface Pending {
  items: Item[];
  resolve: (results: boolean[]) => void;
  reject: (error: Error) => void;
}

const BATCH_MAX_ITEMS = 256;
const BATCH_WAIT_MS = 1;

/**
 * Verifies transaction signatures on worker threads, in batches, so the thread that runs the
 * ledger does not spend itself on ed25519. With zero threads it verifies inline.
 */
export class SignaturePool {
  private readonly workers: Worker[] = [];
  private readonly inflight = new Map<number, Pending>();
  private readonly load: number[] = [];
  private queue: { item: Item; done: (ok: boolean) => void; fail: (e: Error) => void }[] = [];
  private timer: NodeJS.Timeout | null = null;
  private nextId = 1;

  constructor(threads: number) {
    for (let i = 0; i < threads; i++) {
      const worker = new Worker(new URL('./verify-worker.mjs', import.meta.url));
      worker.on('message', ({ id, results }: { id: number; results: boolean[] }) => {
        const pending = this.inflight.get(id);
        this.inflight.delete(id);
        this.load[i] = (this.load[i] ?? 1) - 1;
        pending?.resolve(results);
      });
      worker.on('error', (error) => this.failAll(error));
      worker.unref();
      this.workers.push(worker);
      this.load.push(0);
    }
  }

  /** Checks the sender's and the fee payer's signature of one transaction. */
  async check(checked: CheckedTx): Promise<LedgerError | null> {
    if (this.workers.length === 0) return checkSignatures(checked);
    const { tx, signingBytes } = checked;
    const sender = this.enqueue({ publicKey: tx.publicKey, message: signingBytes, signature: tx.signature });
    const payer = tx.feePayer
      ? this.enqueue({ publicKey: tx.feePayer.publicKey, message: signingBytes, signature: tx.feePayer.signature })
      : true;
    const [senderOk, payerOk] = await Promise.all([sender, payer]);
    if (!senderOk) return ledgerError('INVALID_SIGNATURE', "the sender's signature does not verify against its public key");
    if (!payerOk) return ledgerError('INVALID_SIGNATURE', "the fee payer's signature does not verify against its public key");
    return null;
  }

  private enqueue(item: Item): Promise<boolean> {
    if (item.publicKey.length !== 32 || item.signature.length !== 64) return Promise.resolve(false);
    return new Promise((done, fail) => {
      this.queue.push({ item, done, fail });
      if (this.queue.length >= BATCH_MAX_ITEMS) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), BATCH_WAIT_MS);
    });
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    let target = 0;
    for (let i = 1; i < this.workers.length; i++) if ((this.load[i] ?? 0) < (this.load[target] ?? 0)) target = i;
    const id = this.nextId++;
    this.load[target] = (this.load[target] ?? 0) + 1;
    this.inflight.set(id, {
      items: batch.map((b) => b.item),
      resolve: (results) => {
        for (const [i, b] of batch.entries()) b.done(results[i] === true);
      },
      reject: (error) => {
        for (const b of batch) b.fail(error);
      },
    });
    (this.workers[target] as Worker).postMessage({ id, items: batch.map((b) => b.item) });
  }

  private failAll(error: Error): void {
    for (const pending of this.inflight.values()) pending.reject(error);
    this.inflight.clear();
  }

  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
