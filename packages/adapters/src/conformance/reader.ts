import type { EventStream, OcapEvent } from '@arc/core';

const TIMEOUT = Symbol('timeout');

/** Reads a stream one event at a time with a deadline, without losing an event whose read timed out. */
export class StreamReader {
  readonly #iterator: AsyncIterator<OcapEvent>;
  #pending: Promise<IteratorResult<OcapEvent>> | undefined;

  constructor(readonly stream: EventStream) {
    this.#iterator = stream[Symbol.asyncIterator]();
  }

  /** The next event, or undefined when none arrives within `timeoutMs`. */
  async next(timeoutMs: number): Promise<OcapEvent | undefined> {
    this.#pending ??= this.#iterator.next();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<typeof TIMEOUT>((resolve) => {
      timer = setTimeout(() => resolve(TIMEOUT), timeoutMs);
    });
    const result = await Promise.race([this.#pending, timeout]);
    clearTimeout(timer);
    if (result === TIMEOUT) return undefined;
    this.#pending = undefined;
    if (result.done) throw new Error('the event stream ended');
    return result.value;
  }

  /** Exactly `count` events; throws naming how many arrived when the deadline passes first. */
  async take(count: number, timeoutMs: number): Promise<OcapEvent[]> {
    const deadline = Date.now() + timeoutMs;
    const events: OcapEvent[] = [];
    while (events.length < count) {
      const event = await this.next(Math.max(1, deadline - Date.now()));
      if (!event) throw new Error(`expected ${count} events within ${timeoutMs} ms, got ${events.length}`);
      events.push(event);
    }
    return events;
  }

  close(): void {
    this.stream.close();
  }
}
