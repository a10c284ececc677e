/**
 * Runs tasks one at a time per key (e.g. per signer, so nonces are taken and sent in order) while different
 * keys run in parallel. Bounded: a key with more than `maxQueued` waiting tasks rejects new ones.
 */
export class KeyedSerial {
  readonly #tails = new Map<string, { promise: Promise<unknown>; queued: number }>();

  constructor(readonly maxQueued = 10_000) {}

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const tail = this.#tails.get(key);
    if (tail && tail.queued >= this.maxQueued) {
      return Promise.reject(new RangeError(`more than ${this.maxQueued} sends are queued for ${key}`));
    }
    const entry = tail ?? { promise: Promise.resolve(), queued: 0 };
    entry.queued += 1;
    const result = entry.promise.then(task, task);
    entry.promise = result.then(
      () => undefined,
      () => undefined,
    );
    this.#tails.set(key, entry);
    void entry.promise.then(() => {
      entry.queued -= 1;
      if (entry.queued === 0 && this.#tails.get(key) === entry) this.#tails.delete(key);
    });
    return result;
  }
}

/**
 * Hands out account nonces per signer: the first use asks the chain (pending count), later ones count up
 * locally. `reset` forgets a signer after a failed send so the next send asks the chain again.
 */
export class NonceManager {
  readonly #next = new Map<string, number>();
  readonly serial = new KeyedSerial();

  async take(address: string, chainNonce: () => Promise<number>): Promise<number> {
    const local = this.#next.get(address);
    const nonce = local ?? (await chainNonce());
    this.#next.set(address, nonce + 1);
    return nonce;
  }

  reset(address: string): void {
    this.#next.delete(address);
  }

  /** Runs take + sign + send for one signer in order, resetting the count if the send fails. */
  send<T>(address: string, chainNonce: () => Promise<number>, send: (nonce: number) => Promise<T>): Promise<T> {
    return this.serial.run(address, async () => {
      const nonce = await this.take(address, chainNonce);
      try {
        return await send(nonce);
      } catch (error) {
        this.reset(address);
        throw error;
      }
    });
  }
}
