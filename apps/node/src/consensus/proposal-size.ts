/**
 * How many transactions this node's next proposal carries. A proposal must be built here and checked by every peer
 * within the proposal and block waits, or the attempt ends empty; on a busy machine a full block does not fit. Two
 * rules, the smaller wins:
 * - by outcome: half as many after an empty attempt (down to the least), twice as many after a decided block (up to
 *   the most);
 * - by time: what building and checking cost per transaction here (a moving average of this node's own builds and
 *   checks), so that a build and a check together fit in `checkShare` of the block wait.
 */
export const PROPOSAL_SIZE_LIMITS = {
  /** Transactions a proposal carries at first and at most, and at least. */
  txsMax: 4_000,
  txsMin: 50,
  /** The share of blockWaitMs a build plus a check may take (the rest: gossip, a busy peer, votes). */
  checkShare: 0.6,
  /** Builds and checks of fewer transactions say little about the cost per transaction: not counted. */
  sampleTxsMin: 50,
  /** Weight of the newest sample in the moving average. */
  sampleWeight: 0.3,
};

export class ProposalSize {
  private byOutcome = PROPOSAL_SIZE_LIMITS.txsMax;
  private msPerTx: number | null = null;

  constructor(private readonly blockWaitMs: number) {}

  /** The transactions the next proposal may carry. */
  get txs(): number {
    const L = PROPOSAL_SIZE_LIMITS;
    const byTime = this.msPerTx === null ? L.txsMax : Math.floor((this.blockWaitMs * L.checkShare) / (2 * this.msPerTx));
    return Math.max(L.txsMin, Math.min(this.byOutcome, byTime, L.txsMax));
  }

  /** A build or check of `txs` transactions took `ms`. */
  observe(txs: number, ms: number): void {
    if (txs < PROPOSAL_SIZE_LIMITS.sampleTxsMin) return;
    const sample = ms / txs;
    const w = PROPOSAL_SIZE_LIMITS.sampleWeight;
    this.msPerTx = this.msPerTx === null ? sample : w * sample + (1 - w) * this.msPerTx;
  }

  emptyAttempt(): void {
    this.byOutcome = Math.max(PROPOSAL_SIZE_LIMITS.txsMin, Math.floor(this.byOutcome / 2));
  }

  decided(): void {
    this.byOutcome = Math.min(PROPOSAL_SIZE_LIMITS.txsMax, this.byOutcome * 2);
  }
}
