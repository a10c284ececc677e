/** The longest the producer waits for transactions still in signature checking before it cuts a block (gather). */
export const BLOCK_GATHER_MS_MAX = 50;

/** What the pacing reads of the ledger: whether it runs, how much waits, and when the chain last made a block. */
export interface PacingDeps {
  running: () => boolean;
  /** Transactions whose signatures are being checked now (SignaturePool.checking). */
  checking: () => number;
  mempoolSize: () => number;
  maxTxsPerBlock: () => number;
  lastBlockTimeMs: () => number;
  /** The longest the chain goes without a block while idle (an empty block marks time). */
  blockIntervalMs: number;
  now: () => number;
}

/** When the block producer cuts its next block: at once under load (after a short gather), or at the idle heartbeat. */
export class ProducerPacing {
  private wake: (() => void) | null = null;

  constructor(private readonly deps: PacingDeps) {}

  /** Ends an idle wait now (there is work, or the producer stops). */
  kick(): void {
    this.wake?.();
  }

  /**
   * Under load, waits a little (at most BLOCK_GATHER_MS_MAX) for the transactions whose signatures are being checked
   * right now, rather than cutting the block at whatever had landed: each block has a fixed cost (the trie paths
   * from its root, the commit's fsync), and a producer that cuts blocks of 80 transactions pays it twice as often as
   * one that cuts blocks of 160. Nothing waits when no signature is being checked (a lone transaction, an idle
   * chain) or when the mempool already fills a block.
   */
  async gather(): Promise<void> {
    const { deps } = this;
    const start = performance.now();
    while (
      deps.running() &&
      deps.checking() > 0 &&
      deps.mempoolSize() < deps.maxTxsPerBlock() &&
      performance.now() - start < BLOCK_GATHER_MS_MAX
    ) {
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }

  /** Waits until kicked (a transaction arrived, or the producer stops), however long that takes. */
  kicked(): Promise<void> {
    return new Promise((resolve) => {
      this.wake = () => {
        this.wake = null;
        resolve();
      };
    });
  }

  /** Waits until the idle heartbeat is due, or until kicked. */
  idle(): Promise<void> {
    const waitMs = Math.max(0, this.deps.lastBlockTimeMs() + this.deps.blockIntervalMs - this.deps.now());
    return new Promise((resolve) => {
      const timer = setTimeout(done, waitMs);
      const self = this;
      function done() {
        clearTimeout(timer);
        self.wake = null;
        resolve();
      }
      this.wake = done;
    });
  }
}
