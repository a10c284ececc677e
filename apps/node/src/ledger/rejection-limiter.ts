export interface RejectionLimits {
  /** Rejections one account (or caller address) may run up at once before it is refused (REJECTED_TX_BURST_PER_ACCOUNT). */
  burstMax: number;
  /** Rejections it regains per minute (REJECTED_TX_REFILL_PER_MINUTE). */
  refillPerMinute: number;
  /** Accounts and addresses tracked at once; past it, new ones are refused until old ones have refilled (fails closed). */
  keysMax: number;
}

export const REJECTION_LIMITS_DEFAULT: RejectionLimits = { burstMax: 20, refillPerMinute: 10, keysMax: 100_000 };

/** Sweeping a full table walks all of it: at most this often. */
const SWEEP_INTERVAL_MS = 1000;

interface Bucket {
  tokens: number;
  atMs: number;
}

/**
 * What a rejected transaction costs its sender: one token from a bucket per account (or, for a
 * signature that does not verify, per caller address). An empty bucket means the sender's next
 * submissions are refused with RATE_LIMITED before any signature is checked, and the rejections a
 * block still makes of its transactions are counted but not stored, so a flood of transactions
 * that can never commit costs the node neither CPU nor rows in `rejected_txs` beyond the bound.
 */
export class RejectionLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private sweptAtMs = Number.NEGATIVE_INFINITY;
  /** Rejections not stored because their sender was past its bound, since the node started. */
  unrecordedCount = 0;

  constructor(
    readonly limits: RejectionLimits,
    private readonly now: () => number,
  ) {}

  /** How long until `key` may be rejected again: 0 while it has a token left. */
  retryAfterMs(key: string): number {
    const bucket = this.current(key);
    if (bucket === null) {
      if (this.buckets.size >= this.limits.keysMax) this.sweep();
      return this.buckets.size >= this.limits.keysMax ? this.msPerToken() : 0;
    }
    return bucket.tokens >= 1 ? 0 : Math.ceil((1 - bucket.tokens) * this.msPerToken());
  }

  /** Charges one rejection to `key`; false when it had none left (the rejection is then counted, not stored). */
  charge(key: string): boolean {
    let bucket = this.current(key);
    if (bucket === null) {
      if (this.buckets.size >= this.limits.keysMax) this.sweep();
      if (this.buckets.size >= this.limits.keysMax) {
        this.unrecordedCount++;
        return false;
      }
      bucket = { tokens: this.limits.burstMax, atMs: this.now() };
      this.buckets.set(key, bucket);
    }
    if (bucket.tokens < 1) {
      this.unrecordedCount++;
      return false;
    }
    bucket.tokens -= 1;
    return true;
  }

  /** Gives back charges whose records were never written (their block failed to commit). */
  refund(keys: Iterable<string>): void {
    for (const key of keys) {
      const bucket = this.buckets.get(key);
      if (bucket) bucket.tokens = Math.min(this.limits.burstMax, bucket.tokens + 1);
    }
  }

  /** Keys tracked now (bounded by keysMax). */
  get size(): number {
    return this.buckets.size;
  }

  private current(key: string): Bucket | null {
    const bucket = this.buckets.get(key);
    if (!bucket) return null;
    const nowMs = this.now();
    bucket.tokens = Math.min(this.limits.burstMax, bucket.tokens + (nowMs - bucket.atMs) / this.msPerToken());
    bucket.atMs = nowMs;
    return bucket;
  }

  private msPerToken(): number {
    return 60_000 / this.limits.refillPerMinute;
  }

  /** Forgets buckets that have refilled (they hold nothing a new bucket would not). */
  private sweep(): void {
    const nowMs = this.now();
    if (nowMs - this.sweptAtMs < SWEEP_INTERVAL_MS) return;
    this.sweptAtMs = nowMs;
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + (nowMs - bucket.atMs) / this.msPerToken() >= this.limits.burstMax) this.buckets.delete(key);
    }
  }
}

/** The bucket of an account, for rejections of transactions it signed. */
export function senderKey(did: string): string {
  return `account:${did}`;
}

/** The bucket of a caller address, for signatures that do not verify (the claimed sender proved nothing). */
export function callerKey(ip: string): string {
  return `ip:${ip}`;
}
