/**
 * Runs `pass` every intervalMs, the first one interval after start(); never two passes at once. A pass handles its
 * own errors (the job's log line says what failed and that the next pass retries).
 */
export class PeriodicPass {
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;
  #stopped = true;

  constructor(
    private readonly intervalMs: number,
    private readonly pass: () => Promise<void>,
  ) {}

  start(): void {
    this.#stopped = false;
    this.#schedule();
  }

  /** Stops scheduling and waits for a pass in progress. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#running;
  }

  /**
   * Moves the next pass a whole interval from now (when none is running: a caller that wants it done first awaits
   * idle()). A bench that has just run the pass itself times what follows without one landing inside.
   */
  postpone(): void {
    if (this.#stopped || this.#running) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#schedule();
  }

  /** Waits for the pass in progress, if any. */
  async idle(): Promise<void> {
    await this.#running;
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#running = this.pass().finally(() => {
        this.#running = null;
        this.#schedule();
      });
    }, this.intervalMs);
    this.#timer.unref();
  }
}
