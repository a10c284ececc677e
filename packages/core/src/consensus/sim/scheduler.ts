/**
 * The simulator's discrete-event queue: events ordered by virtual time, then by the order they were scheduled, so two
 * events at the same millisecond always run in the same order and a seed replays exactly. A binary heap.
 */

interface Entry<T> {
  atMs: number;
  seq: number;
  event: T;
}

function before<T>(x: Entry<T>, y: Entry<T>): boolean {
  return x.atMs < y.atMs || (x.atMs === y.atMs && x.seq < y.seq);
}

/** Events by (virtual ms, sequence), at most `sizeMax` pending. */
export class EventQueue<T> {
  private readonly heap: Entry<T>[] = [];
  private seq = 0;

  constructor(private readonly sizeMax: number) {}

  get size(): number {
    return this.heap.length;
  }

  /** Schedules `event` at virtual time `atMs`; throws past the queue's bound (a runaway simulation is a bug). */
  push(atMs: number, event: T): void {
    if (this.heap.length >= this.sizeMax) throw new RangeError(`the event queue passed its bound of ${this.sizeMax}`);
    if (!Number.isFinite(atMs)) throw new RangeError(`an event at a non-finite time ${atMs}`);
    const entry = { atMs, seq: this.seq++, event };
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(entry, heap[parent] as Entry<T>)) break;
      heap[i] = heap[parent] as Entry<T>;
      i = parent;
    }
    heap[i] = entry;
  }

  /** The earliest event's time, or null when the queue is empty. */
  peekMs(): number | null {
    return this.heap[0]?.atMs ?? null;
  }

  /** Removes and returns the earliest event with its time. */
  pop(): { atMs: number; event: T } | null {
    const heap = this.heap;
    const top = heap[0];
    if (!top) return null;
    const last = heap.pop() as Entry<T>;
    if (heap.length > 0) {
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= heap.length) break;
        const right = left + 1;
        const child = right < heap.length && before(heap[right] as Entry<T>, heap[left] as Entry<T>) ? right : left;
        if (!before(heap[child] as Entry<T>, last)) break;
        heap[i] = heap[child] as Entry<T>;
        i = child;
      }
      heap[i] = last;
    }
    return { atMs: top.atMs, event: top.event };
  }
}
