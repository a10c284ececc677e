import type { EventEmitter } from 'node:events';
import { NodeError } from '../errors.ts';
import type { BlockCommitted } from './ledger.ts';

export interface TxWaiterLimits {
  /** Open tx.wait calls on the node at once (TX_WAITERS_MAX). */
  max: number;
  /** Open tx.wait calls of one caller address at once. */
  perCallerMax: number;
}

export const TX_WAITER_LIMITS_DEFAULT: TxWaiterLimits = { max: 10_000, perCallerMax: 200 };
/** What a refused wait is told: by then most open waits have ended (they time out at most WAIT_MAX_MS). */
const RETRY_AFTER_FULL_MS = 1000;

export interface WaitOptions {
  /** The caller's address: its waits count against `perCallerMax` too. */
  caller?: string | undefined;
  /** Ends the wait early (the HTTP request was closed). */
  signal?: AbortSignal | undefined;
}

export interface Waiting {
  /** Resolves once the transaction is in a committed block (included or rejected), at the timeout, on abort or on close. */
  settled: Promise<void>;
  /** Ends the wait now. */
  cancel(): void;
}

/**
 * Everyone waiting for a transaction, behind ONE listener on the ledger's block events: a block
 * wakes only the waiters of its own transactions, and a wait that ends for any reason (answered,
 * timed out, aborted, the node closing) leaves nothing behind. Bounded in all and per caller.
 */
export class TxWaiters {
  private readonly byHash = new Map<string, Set<() => void>>();
  private readonly perCaller = new Map<string, number>();
  private open = 0;
  private closed = false;
  private readonly onBlock = (block: BlockCommitted) => {
    for (const hash of block.txHashes) this.wake(hash);
    for (const r of block.rejected) this.wake(r.hashHex);
  };

  constructor(
    private readonly events: EventEmitter<{ block: [BlockCommitted] }>,
    readonly limits: TxWaiterLimits,
  ) {
    events.on('block', this.onBlock);
  }

  /** Open waits now. */
  get size(): number {
    return this.open;
  }

  /** Starts waiting for `hash`, or refuses (UNAVAILABLE when the node is full, RATE_LIMITED when the caller is). */
  wait(hash: string, timeoutMs: number, options: WaitOptions = {}): Waiting {
    const { caller, signal } = options;
    if (this.closed) throw new NodeError('UNAVAILABLE', 'the node is stopping; ask again once it is back');
    if (this.open >= this.limits.max) {
      throw new NodeError(
        'UNAVAILABLE',
        `the node has its limit of ${this.limits.max} tx.wait calls open; retry in a second or poll tx.byHash`,
        RETRY_AFTER_FULL_MS,
      );
    }
    const mine = caller === undefined ? 0 : (this.perCaller.get(caller) ?? 0);
    if (caller !== undefined && mine >= this.limits.perCallerMax) {
      throw new NodeError(
        'RATE_LIMITED',
        `you have ${mine} tx.wait calls open, the limit per caller; let one finish or retry in a second`,
        RETRY_AFTER_FULL_MS,
      );
    }
    let cancel = () => {};
    const settled = new Promise<void>((resolve) => {
      const set = this.byHash.get(hash) ?? new Set();
      this.byHash.set(hash, set);
      let timer: NodeJS.Timeout | undefined;
      const finish = () => {
        if (!set.delete(finish)) return; // already ended
        if (set.size === 0 && this.byHash.get(hash) === set) this.byHash.delete(hash);
        clearTimeout(timer);
        signal?.removeEventListener('abort', finish);
        this.open--;
        if (caller !== undefined) {
          const left = (this.perCaller.get(caller) ?? 1) - 1;
          if (left === 0) this.perCaller.delete(caller);
          else this.perCaller.set(caller, left);
        }
        resolve();
      };
      set.add(finish);
      timer = setTimeout(finish, timeoutMs);
      this.open++;
      if (caller !== undefined) this.perCaller.set(caller, mine + 1);
      signal?.addEventListener('abort', finish, { once: true });
      if (signal?.aborted) finish();
      cancel = finish;
    });
    return { settled, cancel };
  }

  /** Ends every wait (the node is stopping) and stops listening. */
  close(): void {
    this.closed = true;
    for (const set of [...this.byHash.values()]) for (const finish of [...set]) finish();
    this.events.off('block', this.onBlock);
  }

  private wake(hash: string): void {
    const set = this.byHash.get(hash);
    if (set) for (const finish of [...set]) finish();
  }
}
