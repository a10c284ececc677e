import { Worker } from 'node:worker_threads';
import { type CheckedTx, checkSignatures, type LedgerError, ledgerError, sponsorPrefix } from '@arc/core';
import { NodeError } from '../errors.ts';
import { nodeAppPath } from '../paths.ts';
import { type Item, packBatch, type Signer, verifyItem } from './verify-batch.ts';

interface Waiter {
  item: Item;
  /**
   * The slot a batch-sponsored item goes to, chosen by its batch signature: every transaction of one batch reaches the
   * same worker, which verifies the batch's signature once (null: any worker).
   */
  slot: number | null;
  /** `verified`: bit i set when signer i's signature verifies (the worker stops at the first that does not). */
  done: (verified: number) => void;
  fail: (error: Error) => void;
}

interface Batch {
  id: number;
  waiters: Waiter[];
  /** How many workers it has been sent to. */
  attempts: number;
  timer: NodeJS.Timeout | null;
  /** Its place in the order of what was sent to its current worker (Slot.sent). */
  seq: number;
  /** The worker's step count when the batch's timer was last set: a worker that moved since is alive. */
  progressAtTimer: number;
}

/** One worker thread, or none while it is being replaced. */
interface Slot {
  index: number;
  worker: Worker | null;
  /**
   * Shared with the worker: [PROGRESS_DONE] the seq of the last batch it answered, [PROGRESS_STEPS] a count it bumps at
   * each batch it starts and ends. Read when a batch's timer runs out: the timer runs on this thread, which a block can
   * hold for longer than the timeout while the worker's answer waits in the queue behind it.
   */
  progress: Int32Array;
  /** Batches sent to the current worker (each batch's seq; the worker answers in this order). */
  sent: number;
  inflight: Map<number, Batch>;
  /** Deaths since it last answered a batch: respawns of a worker that keeps dying back off. */
  deaths: number;
  respawn: NodeJS.Timeout | null;
}

export interface SignaturePoolLimits {
  /**
   * A batch that gets no answer within this, from a worker that has not moved on its queue meanwhile, is taken from
   * its worker (which is replaced) and sent again: a worker stuck on one batch goes within twice this.
   */
  batchTimeoutMs: number;
}

/** Transactions per batch (each one or two signatures). */
const BATCH_MAX_ITEMS = 256;
const BATCH_WAIT_MS = 1;
/** Chain ids whose sponsor prefix is kept (admission only passes its own chain's transactions here). */
const PREFIXES_MAX = 16;
/** A batch goes to at most this many workers; then its callers get a retriable UNAVAILABLE. */
const BATCH_ATTEMPTS_MAX = 2;
/** Far above what a full batch takes (~15 ms): only a stuck or dead worker reaches it. */
export const VERIFY_BATCH_TIMEOUT_MS_DEFAULT = 10_000;
const RESPAWN_DELAY_MIN_MS = 50;
/** Slots of a worker's shared progress (verify-worker.mjs writes them). */
const PROGRESS_DONE = 0;
const PROGRESS_STEPS = 1;
/** When a batch's timer finds it answered but the answer not yet read: how soon to look again. */
const ANSWER_PENDING_RECHECK_MS = 50;
const RESPAWN_DELAY_MAX_MS = 5_000;

export type VerifyTestHook = 'exit' | 'hang';

/**
 * Verifies transaction signatures on worker threads, in batches, so the thread that runs the
 * ledger does not spend itself on ed25519. With zero threads it verifies inline.
 *
 * Every batch gets an answer: a worker that dies (or does not move for `batchTimeoutMs` while a batch of it waits)
 * is replaced, and its batches go to another worker; with no worker alive they are verified inline. Whether a worker
 * moved is read from memory it shares with this thread, not from its messages: those wait while a block holds this
 * thread, and a healthy worker must not be taken for dead then.
 * A batch that has failed on `BATCH_ATTEMPTS_MAX` workers fails its callers with UNAVAILABLE.
 */
export class SignaturePool {
  private readonly slots: Slot[] = [];
  private queue: Waiter[] = [];
  private timer: NodeJS.Timeout | null = null;
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly threads: number,
    private readonly limits: SignaturePoolLimits = { batchTimeoutMs: VERIFY_BATCH_TIMEOUT_MS_DEFAULT },
    private readonly log: (line: string) => void = () => undefined,
  ) {
    for (let index = 0; index < threads; index++) {
      const slot: Slot = { index, worker: null, progress: new Int32Array(2), sent: 0, inflight: new Map(), deaths: 0, respawn: null };
      this.slots.push(slot);
      this.spawn(slot);
    }
  }

  /** Workers alive now (a dead one counts again once its replacement started). */
  get liveWorkers(): number {
    return this.slots.filter((s) => s.worker !== null).length;
  }

  /** Transactions whose signatures are being checked now (the block producer waits briefly for them under load). */
  get checking(): number {
    return this.checkingCount;
  }

  private checkingCount = 0;

  /** Checks the sender's and the fee payer's signature of one transaction (one item, one worker round trip). */
  async check(checked: CheckedTx): Promise<LedgerError | null> {
    this.checkingCount++;
    try {
      return await this.checkNow(checked);
    } finally {
      this.checkingCount--;
    }
  }

  private async checkNow(checked: CheckedTx): Promise<LedgerError | null> {
    if (this.threads === 0) return checkSignatures(checked);
    const { tx, signingBytes } = checked;
    const sender = { publicKey: tx.publicKey, signature: tx.signature };
    if (!wellFormed(sender)) return senderInvalid();
    const payer = tx.feePayer && { publicKey: tx.feePayer.publicKey, signature: tx.feePayer.signature };
    const signers = payer && wellFormed(payer) ? [sender, payer] : [sender];
    const batch = tx.feePayer?.batch;
    const sponsor =
      batch && signers.length === 2 ? { index: batch.index, proof: batch.proof, prefix: this.prefixOf(tx.chainId) } : undefined;
    const item: Item = sponsor ? { message: signingBytes, signers, sponsor } : { message: signingBytes, signers };
    const verified = await this.enqueue(item, sponsor && payer ? slotOf(payer.signature, this.threads) : null);
    if ((verified & 1) === 0) return senderInvalid();
    if (payer && (signers.length < 2 || (verified & 2) === 0)) return payerInvalid();
    return null;
  }

  /** Sponsor message prefixes by chain id (a node checks one chain's transactions; the map stays tiny). */
  private readonly prefixes = new Map<string, Uint8Array>();

  private prefixOf(chainId: string): Uint8Array {
    let prefix = this.prefixes.get(chainId);
    if (prefix === undefined) {
      prefix = sponsorPrefix(chainId);
      if (this.prefixes.size >= PREFIXES_MAX) this.prefixes.clear();
      this.prefixes.set(chainId, prefix);
    }
    return prefix;
  }

  /** For tests: makes one worker exit, or hang without answering, once it reaches this message. */
  testHook(index: number, hook: VerifyTestHook): void {
    this.slots[index]?.worker?.postMessage({ testHook: hook });
  }

  private enqueue(item: Item, slot: number | null): Promise<number> {
    if (this.closed) return Promise.reject(stopping());
    return new Promise((done, fail) => {
      this.queue.push({ item, slot, done, fail });
      if (this.queue.length >= BATCH_MAX_ITEMS) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), BATCH_WAIT_MS);
    });
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const waiters = this.queue;
    this.queue = [];
    // Sponsored items in one batch per slot they are pinned to; the rest in one batch to the least busy worker.
    const groups = new Map<number | null, Waiter[]>();
    for (const w of waiters) {
      const group = groups.get(w.slot);
      if (group) group.push(w);
      else groups.set(w.slot, [w]);
    }
    for (const [slot, group] of groups) {
      this.dispatch({ id: this.nextId++, waiters: group, attempts: 0, timer: null, seq: 0, progressAtTimer: 0 }, slot);
    }
  }

  /** Sends a batch to its pinned slot while that worker is alive (and on its first attempt), else to the least busy. */
  private dispatch(batch: Batch, pinned: number | null = null): void {
    const preferred = pinned === null || batch.attempts > 0 ? undefined : this.slots[pinned];
    let target: Slot | null = preferred?.worker ? preferred : null;
    for (const slot of target ? [] : this.slots) {
      if (slot.worker !== null && (target === null || slot.inflight.size < target.inflight.size)) target = slot;
    }
    if (target === null || target.worker === null) {
      // Every worker is being replaced: verify here rather than keep admission waiting.
      settle(
        batch,
        batch.waiters.map(({ item }) => verifyItem(item)),
      );
      return;
    }
    const slot = target;
    batch.attempts++;
    slot.inflight.set(batch.id, batch);
    batch.seq = ++slot.sent;
    this.armTimer(slot, batch, this.limits.batchTimeoutMs);
    // One buffer per batch, moved (not copied) to the worker: cloning hundreds of small arrays cost the ledger's thread more.
    const packed = packBatch(batch.waiters);
    (slot.worker as Worker).postMessage({ id: batch.id, seq: batch.seq, packed }, [packed.buffer]);
  }

  private spawn(slot: Slot): void {
    slot.respawn = null;
    if (this.closed) return;
    let worker: Worker;
    try {
      const progress = new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT));
      worker = new Worker(nodeAppPath('src/ledger/verify-worker.mjs'), { workerData: { progress } });
      slot.progress = progress;
      slot.sent = 0;
    } catch (error) {
      // No thread now (resources); batches verify inline meanwhile, and the slot tries again later.
      this.respawnLater(slot, `could not start (${(error as Error).message})`);
      return;
    }
    slot.worker = worker;
    worker.on('message', ({ id, results }: { id: number; results: Uint8Array }) => {
      const batch = slot.inflight.get(id);
      if (slot.worker !== worker || !batch) return; // answered after its worker was given up on
      slot.inflight.delete(id);
      slot.deaths = 0;
      if (batch.timer) clearTimeout(batch.timer);
      settle(batch, results);
    });
    worker.on('error', (error) => this.lost(slot, worker, `failed: ${error.message}`));
    worker.on('exit', (code) => this.lost(slot, worker, `exited with code ${code}`));
    worker.unref();
  }

  /** A worker is gone (or given up on): replace it and send its batches elsewhere. */
  private lost(slot: Slot, worker: Worker, why: string): void {
    if (slot.worker !== worker) return; // 'error' and then 'exit' of one worker, or already replaced
    slot.worker = null;
    const orphans = [...slot.inflight.values()];
    slot.inflight.clear();
    if (!this.closed) this.respawnLater(slot, `${why}; ${orphans.length} batch(es) go to another worker`);
    for (const batch of orphans) {
      if (batch.timer) clearTimeout(batch.timer);
      if (this.closed) fail(batch, stopping());
      else if (batch.attempts >= BATCH_ATTEMPTS_MAX) {
        fail(batch, new NodeError('UNAVAILABLE', `signature verification failed on ${batch.attempts} workers (${why}); send again`));
      } else this.dispatch(batch);
    }
  }

  /** Starts a replacement after a delay that doubles while the slot's workers keep dying. */
  private respawnLater(slot: Slot, why: string): void {
    const delayMs = Math.min(RESPAWN_DELAY_MAX_MS, RESPAWN_DELAY_MIN_MS * 2 ** slot.deaths);
    slot.deaths++;
    this.log(`signature worker ${slot.index} ${why}; a new one starts in ${delayMs} ms`);
    slot.respawn = setTimeout(() => this.spawn(slot), delayMs);
    slot.respawn.unref();
  }

  private armTimer(slot: Slot, batch: Batch, ms: number): void {
    batch.progressAtTimer = Atomics.load(slot.progress, PROGRESS_STEPS);
    batch.timer = setTimeout(() => this.timedOut(slot, batch), ms);
  }

  /**
   * A batch's timer ran out. The worker is given up on only if it has not moved since the timer was set: one that
   * answered (its answer waits behind this thread) or is working through the batches queued before it is alive.
   */
  private timedOut(slot: Slot, batch: Batch): void {
    const worker = slot.worker;
    if (worker === null || slot.inflight.get(batch.id) !== batch) return;
    if (Atomics.load(slot.progress, PROGRESS_DONE) >= batch.seq) {
      this.armTimer(slot, batch, ANSWER_PENDING_RECHECK_MS);
      return;
    }
    if (Atomics.load(slot.progress, PROGRESS_STEPS) !== batch.progressAtTimer) {
      this.armTimer(slot, batch, this.limits.batchTimeoutMs);
      return;
    }
    this.lost(slot, worker, `did not answer a batch within ${this.limits.batchTimeoutMs} ms`);
    worker.terminate().then(
      () => undefined,
      (error: Error) => this.log(`signature worker ${slot.index} did not stop: ${error.message}`),
    );
  }

  /** Stops the workers; whatever is still waiting gets a retriable UNAVAILABLE. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const queued = this.queue;
    this.queue = [];
    for (const w of queued) w.fail(stopping());
    const workers: Worker[] = [];
    for (const slot of this.slots) {
      if (slot.respawn) clearTimeout(slot.respawn);
      if (slot.worker) {
        workers.push(slot.worker);
        this.lost(slot, slot.worker, 'stopped');
      }
    }
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** Answers a batch: one mask per item, in order (bit i: signer i's signature verifies; a missing answer verifies none). */
function settle(batch: Batch, results: ArrayLike<number>): void {
  for (const [i, w] of batch.waiters.entries()) w.done(results[i] ?? 0);
}

/** A worker slot for a batch signature (its first four bytes: a signature's bytes are uniform). */
function slotOf(signature: Uint8Array, threads: number): number {
  const word =
    (signature[0] as number) | ((signature[1] as number) << 8) | ((signature[2] as number) << 16) | ((signature[3] as number) << 24);
  return (word >>> 0) % threads;
}

function wellFormed(signer: Signer): boolean {
  return signer.publicKey.length === 32 && signer.signature.length === 64;
}

function senderInvalid(): LedgerError {
  return ledgerError('INVALID_SIGNATURE', "the sender's signature does not verify against its public key");
}

function payerInvalid(): LedgerError {
  return ledgerError('INVALID_SIGNATURE', "the fee payer's signature does not verify against its public key");
}

function fail(batch: Batch, error: Error): void {
  for (const w of batch.waiters) w.fail(error);
}

function stopping(): NodeError {
  return new NodeError('UNAVAILABLE', 'the node is stopping; send the transaction again once it is back');
}
