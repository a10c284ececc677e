import type { BlockletApi, LogLine } from './api.ts';

/** How often `--follow` and `arc blocklet dev` ask the node for new log lines. */
export const LOG_POLL_MS = 1_000;
/** Log lines asked for per poll, and pages walked back to catch up after a burst. */
const FOLLOW_PAGE_LINES = 100;
const FOLLOW_PAGES_MAX = 10;

/** Resolves after ms, or at once when the signal is aborted. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** One log line for people: time, level, version, message. */
export function formatLogLine(line: LogLine): string {
  return `${new Date(line.atMs).toISOString()} ${line.level.padEnd(5)} ${line.version}  ${line.message}`;
}

/**
 * Tails a blocklet's logs: each poll returns the lines newer than the last one seen, oldest first.
 * The first poll only remembers where the log stands (the caller prints history itself if it wants).
 */
export class LogTail {
  #lastId: bigint | null = null;

  constructor(
    readonly api: BlockletApi,
    readonly name: string,
  ) {}

  /** Starts after this line id (from a page already printed). */
  startAfter(id: string | null): void {
    this.#lastId = id === null ? 0n : BigInt(id);
  }

  /** The lines logged since the last poll, oldest first. */
  async poll(): Promise<LogLine[]> {
    const fresh: LogLine[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < FOLLOW_PAGES_MAX; page += 1) {
      const result = await this.api.logs(
        this.name,
        cursor === undefined ? { limit: FOLLOW_PAGE_LINES } : { cursor, limit: FOLLOW_PAGE_LINES },
      );
      const newer = result.items.filter((line) => this.#lastId === null || BigInt(line.id) > this.#lastId);
      fresh.push(...newer);
      // The first poll only finds where the log stands; a page with older lines means we caught up.
      if (this.#lastId === null || newer.length < result.items.length || result.nextCursor === null) break;
      cursor = result.nextCursor;
    }
    if (this.#lastId === null) {
      this.#lastId = fresh.length > 0 ? BigInt(fresh[0]?.id ?? '0') : 0n;
      return [];
    }
    const ordered = fresh.sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
    const last = ordered.at(-1);
    if (last !== undefined) this.#lastId = BigInt(last.id);
    return ordered;
  }
}
