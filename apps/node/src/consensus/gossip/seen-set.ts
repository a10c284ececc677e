/**
 * The payload hashes a node has seen, for dedup: a set of at most `max` keys that forgets the least recently seen
 * first (a Map keeps insertion order; a hit moves the key to the end).
 */
export class SeenSet {
  readonly #keys = new Map<string, true>();

  constructor(readonly max: number) {}

  get size(): number {
    return this.#keys.size;
  }

  /** Records the key; true when it was not already there (the first sighting). */
  add(key: string): boolean {
    const known = this.#keys.delete(key);
    this.#keys.set(key, true);
    if (this.#keys.size > this.max) {
      const oldest = this.#keys.keys().next();
      if (!oldest.done) this.#keys.delete(oldest.value);
    }
    return !known;
  }

  has(key: string): boolean {
    return this.#keys.has(key);
  }
}
