/**
 * On a node that follows another (FOLLOW_URL): the transactions it sent on, by hash (when), until a block it imports
 * holds them or the mempool's time to live passes. They are pending there (tx.wait waits for them) though its mempool
 * lacks them. Bounded like the mempool: past its count the oldest go first.
 */
export class ForwardedTxs {
  readonly #sent = new Map<string, number>();

  constructor(
    private readonly limits: { ttlMs: number; maxTxs: number },
    private readonly now: () => number,
  ) {}

  add(hash: string): void {
    const now = this.now();
    for (const [old, atMs] of this.#sent) {
      if (atMs > now - this.limits.ttlMs && this.#sent.size < this.limits.maxTxs) break;
      this.#sent.delete(old);
    }
    this.#sent.set(hash, now);
  }

  /** Forgets one (its sending failed) or those a committed block holds. */
  forget(hashes: Iterable<string>): void {
    for (const hash of hashes) this.#sent.delete(hash);
  }

  has(hash: string): boolean {
    return this.#sent.has(hash);
  }
}
