/**
 * Fabric's commit lock: simulations hold it shared, a block commit holds it alone, so a simulation reads one
 * committed state from start to end and a commit never lands in the middle of one. A waiting commit goes first
 * (new simulations queue behind it), so a steady stream of proposals cannot starve block commits.
 *
 * Waiters are handed the lock: the counts change before a waiter is woken, so nobody can slip in between.
 */
export class StateLock {
  #readers = 0;
  #writing = false;
  readonly #waitingWriters: Array<() => void> = [];
  readonly #waitingReaders: Array<() => void> = [];

  /** Runs `work` while holding the lock shared. */
  async shared<T>(work: () => Promise<T>): Promise<T> {
    if (this.#writing || this.#waitingWriters.length > 0) {
      await new Promise<void>((resolve) => this.#waitingReaders.push(resolve));
    } else {
      this.#readers += 1;
    }
    try {
      return await work();
    } finally {
      this.#readers -= 1;
      this.#wake();
    }
  }

  /** Runs `work` (synchronous: a commit never awaits inside) while holding the lock alone. */
  async exclusive<T>(work: () => T): Promise<T> {
    if (this.#writing || this.#readers > 0 || this.#waitingWriters.length > 0) {
      await new Promise<void>((resolve) => this.#waitingWriters.push(resolve));
    } else {
      this.#writing = true;
    }
    try {
      return work();
    } finally {
      this.#writing = false;
      this.#wake();
    }
  }

  #wake(): void {
    if (this.#writing) return;
    if (this.#waitingWriters.length > 0) {
      if (this.#readers === 0) {
        this.#writing = true;
        (this.#waitingWriters.shift() as () => void)();
      }
      return;
    }
    const readers = this.#waitingReaders.splice(0);
    this.#readers += readers.length;
    for (const resolve of readers) resolve();
  }
}
