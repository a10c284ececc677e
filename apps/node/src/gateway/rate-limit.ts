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
    this.#tokens = Math.min(this.burst, this.#tokens + ((nowMs - this.#atMs) / 1000) * this.ratePerSec);
    this.#atMs = nowMs;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** True when the bucket is full again (nothing to remember about its owner). */
  isFull(nowMs: number): boolean {
    return this.#tokens + ((nowMs - this.#atMs) / 1000) * this.ratePerSec >= this.burst;
  }
}

/** Token buckets by key (one per DID), bounded: full buckets are forgotten when the map reaches its bound. */
export class KeyedBuckets {
  readonly #buckets = new Map<string, TokenBucket>();

  constructor(
    readonly ratePerSec: number,
    readonly burst: number,
    readonly keysMax = 100_000,
  ) {}

  take(key: string, nowMs: number): boolean {
    let bucket = this.#buckets.get(key);
    if (!bucket) {
      if (this.#buckets.size >= this.keysMax) for (const [k, b] of this.#buckets) if (b.isFull(nowMs)) this.#buckets.delete(k);
      // Still full of busy keys: let the new key through rather than grow without bound.
      if (this.#buckets.size >= this.keysMax) return true;
      bucket = new TokenBucket(this.ratePerSec, this.burst, nowMs);
      this.#buckets.set(key, bucket);
    }
    return bucket.take(nowMs);
  }
}
