import type { Agreement, ConsensusMessage, Effect } from '@arc/core';

/**
 * Peers' consensus messages waiting for the agreement, each stamped with when it arrived, and the clock the agreement
 * is handed. Every piece of driver work takes them in before it asks the agreement anything: a node busy building,
 * checking or committing a block (or starved of CPU) otherwise found a wait over when its timer or its own block's
 * answer came first, and voted without the credentials and votes that had arrived meanwhile (on a loaded machine:
 * empty attempts).
 */
export class AgreementInbox {
  readonly #waiting: { message: ConsensusMessage; atMs: number }[] = [];
  /** The latest time handed to the agreement (arrival times are earlier than now; its clock never goes back). */
  #clockMs = 0;

  constructor(
    private readonly agreement: Pick<Agreement, 'receive' | 'tick'>,
    private readonly now: () => number,
  ) {}

  /** Queues a peer's message, stamped now; true when it is the only one waiting (the caller then schedules one job to take them in). */
  push(message: ConsensusMessage): boolean {
    this.#waiting.push({ message, atMs: this.now() });
    return this.#waiting.length === 1;
  }

  /** Messages waiting. */
  get size(): number {
    return this.#waiting.length;
  }

  /** True when a waiting message is for a height above `height` (a peer already there). */
  hasAbove(height: number): boolean {
    return this.#waiting.some((m) => m.message.height > height);
  }

  /** The agreement's time: `atMs` (now by default), never earlier than what it was handed before. */
  clock(atMs = this.now()): number {
    this.#clockMs = Math.max(this.#clockMs, atMs);
    return this.#clockMs;
  }

  /** Hands the agreement every waiting message, each at the time it arrived. */
  take(): Effect[] {
    const out: Effect[] = [];
    for (const { message, atMs } of this.#waiting.splice(0)) out.push(...this.agreement.receive(message, this.clock(atMs)));
    return out;
  }

  /** A timer's wake-up, however late: the messages that arrived meanwhile first, then the agreement's timeouts now. */
  wake(): Effect[] {
    const received = this.take();
    return [...received, ...this.agreement.tick(this.clock())];
  }
}
