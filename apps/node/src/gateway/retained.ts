import type { TopicEvent } from './types.ts';

/** One event the hub keeps for resume, with what it costs; `gone` once evicted. */
export interface Retained {
  event: TopicEvent;
  bytes: number;
  gone: boolean;
}

/** Retained events in the order they were recorded; evicted ones are skipped and compacted away. */
export class RetainedQueue {
  #items: Retained[] = [];
  #head = 0;
  #live = 0;

  get live(): number {
    return this.#live;
  }

  push(entry: Retained): void {
    this.#items.push(entry);
    this.#live += 1;
  }

  /** The oldest entry not yet evicted. */
  oldest(): Retained | undefined {
    while (this.#head < this.#items.length && (this.#items[this.#head] as Retained).gone) this.#head += 1;
    return this.#items[this.#head];
  }

  /** Call when one of this queue's entries was evicted. */
  evicted(): void {
    this.#live -= 1;
    // Keep the array within twice the live entries: evictions elsewhere leave holes anywhere in it.
    if (this.#items.length > 64 && this.#items.length > 2 * this.#live) {
      this.#items = this.#items.filter((entry) => !entry.gone);
      this.#head = 0;
    }
  }
}

/**
 * Keeps a ring in seq order: an event forwarded by another node can land after a later local one. Drops a repeat
 * (answers false).
 */
export function insertBySeq(ring: Retained[], entry: Retained): boolean {
  let at = ring.length;
  while (at > 0 && (ring[at - 1] as Retained).event.seq > entry.event.seq) at -= 1;
  if (at > 0 && (ring[at - 1] as Retained).event.seq === entry.event.seq) return false;
  if (at === ring.length) ring.push(entry);
  else ring.splice(at, 0, entry);
  return true;
}
