import type { CheckedTx } from '@arc/core';
import { NodeError } from '../errors.ts';

export interface MempoolLimits {
  maxTxs: number;
  /** At most this many transactions of one account wait at once (MEMPOOL_MAX_PER_ACCOUNT). */
  maxPerAccount?: number;
  ttlMs: number;
}

/** Enough for a wallet that sends a long run of nonces without waiting; one account cannot fill the pool. */
export const MEMPOOL_MAX_PER_ACCOUNT_DEFAULT = 128;

export interface MempoolEntry {
  checked: CheckedTx;
  receivedAtMs: number;
  seq: number;
}

/**
 * Transactions waiting for a block. Bounded; deduplicated by hash; per account a contiguous run
 * of nonces (so a block can always take a prefix); blocks take the highest fees first.
 */
export class Mempool {
  private readonly byHash = new Map<string, MempoolEntry>();
  private readonly byAccount = new Map<string, MempoolEntry[]>();
  private seq = 0;
  readonly maxPerAccount: number;

  constructor(private readonly limits: MempoolLimits) {
    this.maxPerAccount = limits.maxPerAccount ?? MEMPOOL_MAX_PER_ACCOUNT_DEFAULT;
  }

  get size(): number {
    return this.byHash.size;
  }

  get capacity(): number {
    return this.limits.maxTxs;
  }

  get ttlMs(): number {
    return this.limits.ttlMs;
  }

  get(hashHex: string): MempoolEntry | undefined {
    return this.byHash.get(hashHex);
  }

  /** How many of this account's transactions are waiting. */
  pendingCount(did: string): number {
    return this.byAccount.get(did)?.length ?? 0;
  }

  /** The pending transaction of an account at a nonce, if any. */
  atNonce(did: string, nonce: number): MempoolEntry | undefined {
    const queue = this.byAccount.get(did);
    const first = queue?.[0];
    if (!queue || !first) return undefined;
    return queue[nonce - first.checked.tx.nonce];
  }

  /**
   * Refuses, without touching anything, a transaction that could not be added now: the pool is
   * full, or its account already has `maxPerAccount` waiting (counting `inFlight` more of the
   * account's that are on their way in). Cheap, so admission asks before it verifies signatures.
   */
  assertRoom(did: string, inFlight = 0): void {
    if (this.byHash.size >= this.limits.maxTxs) {
      throw new NodeError('MEMPOOL_FULL', `the mempool holds its limit of ${this.limits.maxTxs} transactions; retry in a few seconds`);
    }
    if (this.pendingCount(did) + inFlight >= this.maxPerAccount) {
      throw new NodeError(
        'MEMPOOL_ACCOUNT_FULL',
        `account ${did} already has ${this.maxPerAccount} transactions waiting (MEMPOOL_MAX_PER_ACCOUNT); send more once some commit`,
      );
    }
  }

  /** Forgets every waiting transaction (a cloud node's process that stopped producing: they stay queued in the database). */
  clear(): void {
    this.byHash.clear();
    this.byAccount.clear();
  }

  /** Adds a transaction whose nonce the caller has checked is the account's next. */
  add(checked: CheckedTx, nowMs: number): void {
    this.assertRoom(checked.tx.from);
    const entry = { checked, receivedAtMs: nowMs, seq: this.seq++ };
    this.byHash.set(checked.hashHex, entry);
    const queue = this.byAccount.get(checked.tx.from);
    if (queue) queue.push(entry);
    else this.byAccount.set(checked.tx.from, [entry]);
  }

  /**
   * Picks transactions for a block: account heads by fee (then arrival), each account in nonce
   * order, none that has outlived the TTL at `nowMs` (nor, so, any later nonce of its account).
   * `inFlight`: a block still committing, which this one is built on. Each account's pick starts after
   * the transactions that block holds and stops at any other of its transactions (one it drops: the
   * later nonces would gap).
   */
  select(maxTxs: number, maxBytes: number, nowMs: number, inFlight?: { held: ReadonlySet<string>; txs: ReadonlySet<string> }): CheckedTx[] {
    const heap = new MaxHeap();
    const free = (queue: MempoolEntry[], pos: number) =>
      pos < queue.length && !inFlight?.txs.has((queue[pos] as MempoolEntry).checked.hashHex);
    for (const queue of this.byAccount.values()) {
      let pos = 0;
      while (inFlight && pos < queue.length && inFlight.held.has((queue[pos] as MempoolEntry).checked.hashHex)) pos += 1;
      if (free(queue, pos)) heap.push({ queue, pos });
    }
    const out: CheckedTx[] = [];
    let bytes = 0;
    while (out.length < maxTxs && heap.size > 0) {
      const cursor = heap.pop() as Cursor;
      const entry = cursor.queue[cursor.pos] as MempoolEntry;
      if (this.isStale(entry, nowMs)) continue; // expired: staleAt() reports it and its followers
      if (bytes + entry.checked.bytes.length > maxBytes) continue; // this account waits for the next block
      bytes += entry.checked.bytes.length;
      out.push(entry.checked);
      if (free(cursor.queue, cursor.pos + 1)) heap.push({ queue: cursor.queue, pos: cursor.pos + 1 });
    }
    return out;
  }

  /** Drops the given transactions, and with each one the later nonces of its account (they would gap). */
  remove(hashes: Iterable<string>, dropFollowers: boolean): MempoolEntry[] {
    const dropped: MempoolEntry[] = [];
    for (const hash of hashes) {
      const entry = this.byHash.get(hash);
      if (!entry) continue;
      const queue = this.byAccount.get(entry.checked.tx.from) ?? [];
      const at = queue.indexOf(entry);
      const removed = dropFollowers ? queue.splice(at) : queue.splice(at, 1);
      for (const e of removed) {
        this.byHash.delete(e.checked.hashHex);
        if (e !== entry) dropped.push(e);
      }
      if (queue.length === 0) this.byAccount.delete(entry.checked.tx.from);
    }
    return dropped;
  }

  /**
   * The transactions that have waited longer than the TTL at `nowMs`, each with the later nonces
   * of its account. Nothing is removed: the block loop removes them once their records committed.
   */
  staleAt(nowMs: number): MempoolEntry[] {
    const stale: MempoolEntry[] = [];
    for (const queue of this.byAccount.values()) {
      const at = queue.findIndex((e) => this.isStale(e, nowMs));
      if (at >= 0) stale.push(...queue.slice(at));
    }
    return stale;
  }

  /** The later nonces of each given transaction's account (what removing it would drop), without removing anything. */
  followersOf(hashes: Iterable<string>): MempoolEntry[] {
    const seen = new Set<string>();
    const out: MempoolEntry[] = [];
    for (const hash of hashes) {
      const entry = this.byHash.get(hash);
      if (!entry) continue;
      const queue = this.byAccount.get(entry.checked.tx.from) ?? [];
      for (const e of queue.slice(queue.indexOf(entry) + 1)) {
        if (seen.has(e.checked.hashHex)) continue;
        seen.add(e.checked.hashHex);
        out.push(e);
      }
    }
    return out;
  }

  private isStale(entry: MempoolEntry, nowMs: number): boolean {
    return nowMs - entry.receivedAtMs > this.limits.ttlMs;
  }

  /**
   * What leaves the mempool with this block without committing: the block's rejections, the later
   * nonces of their accounts (they would gap), and what outlived the TTL (with its later nonces).
   */
  droppedWith(rejected: { checked: CheckedTx; error: { code: string; message: string } }[], timeMs: number): Dropped[] {
    const out: Dropped[] = [];
    const seen = new Set<string>();
    const add = (entry: MempoolEntry | undefined, code: string, message: string) => {
      if (!entry || seen.has(entry.checked.hashHex)) return;
      seen.add(entry.checked.hashHex);
      out.push({ entry, code, message });
    };
    for (const { checked, error } of rejected) add(this.get(checked.hashHex), error.code, error.message);
    for (const entry of this.followersOf(rejected.map((r) => r.checked.hashHex))) {
      add(entry, 'NONCE_GAP', 'an earlier transaction of the same account failed');
    }
    for (const entry of this.staleAt(timeMs)) {
      add(entry, 'EXPIRED', 'the transaction waited in the mempool longer than its TTL; send it again');
    }
    return out;
  }
}

interface Cursor {
  queue: MempoolEntry[];
  pos: number;
}

function before(a: Cursor, b: Cursor): boolean {
  const x = a.queue[a.pos] as MempoolEntry;
  const y = b.queue[b.pos] as MempoolEntry;
  if (x.checked.tx.fee !== y.checked.tx.fee) return x.checked.tx.fee > y.checked.tx.fee;
  return x.seq < y.seq;
}

/** A binary heap of account cursors, highest fee first. */
class MaxHeap {
  private readonly items: Cursor[] = [];
  get size(): number {
    return this.items.length;
  }
  push(c: Cursor): void {
    const a = this.items;
    a.push(c);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(a[i] as Cursor, a[parent] as Cursor)) break;
      [a[i], a[parent]] = [a[parent] as Cursor, a[i] as Cursor];
      i = parent;
    }
  }
  pop(): Cursor | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let best = i;
        if (l < a.length && before(a[l] as Cursor, a[best] as Cursor)) best = l;
        if (r < a.length && before(a[r] as Cursor, a[best] as Cursor)) best = r;
        if (best === i) break;
        [a[i], a[best]] = [a[best] as Cursor, a[i] as Cursor];
        i = best;
      }
    }
    return top;
  }
}

/** A transaction leaving the mempool without committing, and what its record says. */
export interface Dropped {
  entry: MempoolEntry;
  code: string;
  message: string;
}
