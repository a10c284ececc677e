import type { common } from '@hyperledger/fabric-protos';

/** Envelopes waiting for a block at most; past it Broadcast answers SERVICE_UNAVAILABLE, as a busy orderer does. */
export const ORDERER_PENDING_TXS_MAX = 10_000;

export interface BlockCutting {
  /** A block is cut as soon as this many transactions wait (Fabric's BatchSize.MaxMessageCount). */
  blockMaxTxs: number;
  /** …or this long after the first of them arrived (Fabric's BatchTimeout). */
  blockCutMs: number;
}

/**
 * A solo ordering service: takes envelopes in arrival order, cuts them into blocks by count or timeout, and hands
 * each block to the committer, one block at a time. A failed commit is a bug in the peer: the orderer stops taking
 * transactions and says why, rather than losing some quietly.
 */
export class Orderer {
  readonly #pending: Uint8Array[] = [];
  #timer: NodeJS.Timeout | undefined;
  #committing: Promise<void> = Promise.resolve();
  #failure: string | undefined;
  #stopped = false;

  constructor(
    private readonly cutting: BlockCutting,
    private readonly commit: (envelopes: Uint8Array[]) => Promise<common.Block>,
    private readonly log: (line: string) => void,
  ) {}

  /** Queues an envelope; the reason it cannot be taken otherwise. */
  enqueue(envelope: Uint8Array): { ok: true } | { ok: false; reason: string } {
    if (this.#failure) return { ok: false, reason: this.#failure };
    if (this.#stopped) return { ok: false, reason: 'the ordering service is stopping' };
    if (this.#pending.length >= ORDERER_PENDING_TXS_MAX)
      return { ok: false, reason: `${ORDERER_PENDING_TXS_MAX} transactions already wait for a block` };
    this.#pending.push(envelope);
    if (this.#pending.length >= this.cutting.blockMaxTxs) this.#cut(false);
    else this.#timer ??= setTimeout(() => this.#cut(true), this.cutting.blockCutMs);
    return { ok: true };
  }

  /** Stops cutting blocks and waits for the block being committed; transactions still waiting are dropped. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending.length > 0) this.log(`orderer: ${this.#pending.length} transactions dropped at stop`);
    this.#pending.length = 0;
    await this.#committing;
  }

  /** Cuts full blocks, and with `all` (the timeout fired) the partial one too. */
  #cut(all: boolean): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    while (this.#pending.length >= this.cutting.blockMaxTxs || (all && this.#pending.length > 0)) {
      const batch = this.#pending.splice(0, this.cutting.blockMaxTxs);
      this.#committing = this.#committing.then(async () => {
        if (this.#failure) return;
        try {
          const block = await this.commit(batch);
          this.log(`block ${block.getHeader()?.getNumber()} committed with ${batch.length} transactions`);
        } catch (error) {
          this.#failure = `the peer failed to commit a block and stopped ordering: ${(error as Error).stack ?? error}`;
          this.log(this.#failure);
        }
      });
    }
    // What is left waits for more transactions or for its timeout, counted from now.
    if (this.#pending.length > 0) this.#timer = setTimeout(() => this.#cut(true), this.cutting.blockCutMs);
  }
}
