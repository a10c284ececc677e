/**
 * A peer's outbound queue: a ring of at most `max` items. Pushing onto a full queue drops the oldest item (consensus
 * tolerates loss, and the newest messages are the ones still worth sending); it never blocks and never grows.
 */
export class SendQueue<T> {
  readonly #items: (T | undefined)[];
  #head = 0;
  #length = 0;

  constructor(readonly max: number) {
    this.#items = new Array<T | undefined>(max);
  }

  get length(): number {
    return this.#length;
  }

  /** Appends the item; returns how many items were dropped to make room (0 or 1). */
  push(item: T): number {
    let dropped = 0;
    if (this.#length === this.max) {
      this.#items[this.#head] = undefined;
      this.#head = (this.#head + 1) % this.max;
      this.#length -= 1;
      dropped = 1;
    }
    this.#items[(this.#head + this.#length) % this.max] = item;
    this.#length += 1;
    return dropped;
  }

  /** Removes and returns the oldest item. */
  shift(): T | undefined {
    if (this.#length === 0) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head] = undefined;
    this.#head = (this.#head + 1) % this.max;
    this.#length -= 1;
    return item;
  }

  clear(): void {
    this.#items.fill(undefined);
    this.#head = 0;
    this.#length = 0;
  }
}
