/** A token bucket: `ratePerSec` tokens a second up to `burst`; each message takes one. */
export class TokenBucket {
  #tokens: number;
  #atMs: number;

  constructor(
    readonly ratePerSec: number,
    readonly burst: number,
    nowMs: number,
  ) {
    this.#tokens = burst;
    this.#atMs = nowMs;
  }

  /** Takes a token when one is there; false means the caller is over its rate. */
  take(nowMs: number): boolean {
    this.#tokens = Math.min(this.burst, this.#tokens + (Math.max(0, nowMs - this.#atMs) / 1000) * this.ratePerSec);
    this.#atMs = Math.max(this.#atMs, nowMs);
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** True when the bucket is full again (nothing to remember about its owner). */
  isFull(nowMs: number): boolean {
    return this.#tokens + (Math.max(0, nowMs - this.#atMs) / 1000) * this.ratePerSec >= this.burst;
  }
}

/** How many buckets a KeyedBuckets keeps by default (one per DID, app or address being limited). */
export const RATE_LIMIT_KEYS_MAX = 100_000;

/**
 * Token buckets by key (one per DID), bounded by `keysMax`. A bucket that is full again carries no information
 * and is dropped; the map is kept least recently used first, so the idle ones are found at its head without a
 * scan. When the map is full of buckets still refilling, a new key is refused (fails closed): letting it through
 * uncounted would exempt every caller who arrives while the table is full.
 */
export class KeyedBuckets {
  readonly #buckets = new Map<string, TokenBucket>();

  constructor(
    readonly ratePerSec: number,
    readonly burst: number,
    readonly keysMax = RATE_LIMIT_KEYS_MAX,
  ) {}

  /** Takes a token for `key`; false means over its rate, or the table is full of busy keys (both: RATE_LIMITED). */
  take(key: string, nowMs: number): boolean {
    this.#dropIdle(nowMs);
    let bucket = this.#buckets.get(key);
    if (bucket) {
      this.#buckets.delete(key); // re-inserted below: the map's order is least recently used first
    } else {
      if (this.#buckets.size >= this.keysMax) return false;
      bucket = new TokenBucket(this.ratePerSec, this.burst, nowMs);
    }
    this.#buckets.set(key, bucket);
    return bucket.take(nowMs);
  }

  /** Buckets held now (for tests and stats). */
  get size(): number {
    return this.#buckets.size;
  }

  /** Drops full buckets from the least recently used end; stops at the first that is still refilling. */
  #dropIdle(nowMs: number): void {
    for (const [key, bucket] of this.#buckets) {
      if (!bucket.isFull(nowMs)) return;
      this.#buckets.delete(key);
    }
  }
}
