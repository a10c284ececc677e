/** How late a hung-worker timer may fire and still judge: later than this, it measured the node's thread. */
export const HUNG_TIMER_LATE_MS = 250;

/**
 * The timer after which a sandbox worker that has not answered a call is taken for hung and killed (with every call
 * it holds). It runs on the node's thread, which a block can hold for seconds while the worker's answer waits in the
 * pipe behind it. A timer that fires more than HUNG_TIMER_LATE_MS late has measured that stall, not the worker: it
 * looks again HUNG_TIMER_LATE_MS later, after the loop has read what waited, and only a timer that fires on time
 * judges.
 */
export class HungTimer {
  #timer: NodeJS.Timeout | null = null;
  #dueAt = 0;

  constructor(
    ms: number,
    private readonly hung: () => void,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.#arm(ms);
  }

  cancel(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #arm(ms: number): void {
    this.#dueAt = this.now() + ms;
    this.#timer = setTimeout(() => this.#fire(), ms);
  }

  #fire(): void {
    if (this.now() - this.#dueAt > HUNG_TIMER_LATE_MS) {
      this.#arm(HUNG_TIMER_LATE_MS);
      return;
    }
    this.#timer = null;
    this.hung();
  }
}
