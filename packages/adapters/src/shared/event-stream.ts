import {
  deserializeEvent,
  type EventFilter,
  type EventStream,
  eventPosition,
  OcapError,
  type OcapEvent,
  type StreamCheckpoint,
  type StreamOptions,
  serializeEvent,
} from '@arc/core';

/** A block header as the stream needs it. */
export interface StreamHeader {
  height: number;
  hash: string;
  parentHash: string;
}

/** What an adapter gives the stream: the head, the canonical header at a height, and a block's events. */
export interface StreamSource {
  headHeight(): Promise<number>;
  /** The canonical header at `height`, or null when the chain is not that high (any more). */
  headerAt(height: number): Promise<StreamHeader | null>;
  /** All events of the block, in chain order, positions set with eventPosition(height, index). */
  eventsOf(header: StreamHeader): Promise<OcapEvent[]>;
}

/** How many delivered blocks a stream remembers to detect reorgs and report removals. */
export const STREAM_REORG_WINDOW_BLOCKS = 128;
export const STREAM_POLL_MS_DEFAULT = 1000;
/** At most this many blocks are fetched per poll before yielding control, so one stream cannot hog a node. */
export const STREAM_BLOCKS_PER_POLL_MAX = 256;

type Recent = StreamCheckpoint['recent'][number];
type Step = { event?: OcapEvent; apply: () => void };

/** The position meaning "every event of this block delivered". */
export function endOfBlock(height: number): string {
  return eventPosition(height, 999_999);
}

/** True when the event passes the filter (no filter: everything). */
export function matchesFilter(event: OcapEvent, filter: EventFilter | undefined): boolean {
  if (!filter) return true;
  if (filter.kinds && filter.kinds.length > 0 && !filter.kinds.includes(event.kind)) return false;
  const addresses = filter.addresses;
  if (addresses && addresses.length > 0) {
    const lower = addresses.map((a) => a.toLowerCase());
    const touched = [event.from, event.to, event.token, event.address]
      .filter((a): a is string => typeof a === 'string')
      .map((a) => a.toLowerCase());
    if (!touched.some((a) => lower.includes(a))) return false;
  }
  return true;
}

/**
 * The resumable event stream every adapter shares. Blocks are delivered in order once they have `confirmations`;
 * a reorg (the next block's parent is not the block delivered last, or the last block's hash changed) is reported
 * as removals of the orphaned events, newest first, before the new branch. State changes only as each event is
 * handed out, so a checkpoint taken after any event resumes with no gap and no duplicate.
 */
export function createEventStream(source: StreamSource, options: StreamOptions = {}): EventStream {
  const confirmations = options.confirmations ?? 1;
  if (!Number.isInteger(confirmations) || confirmations < 1 || confirmations > STREAM_REORG_WINDOW_BLOCKS) {
    throw new OcapError('INVALID_ARGUMENT', `confirmations must be an integer from 1 to ${STREAM_REORG_WINDOW_BLOCKS}.`);
  }
  const pollMs = options.pollMs ?? STREAM_POLL_MS_DEFAULT;
  const filter = options.filter;
  const start = options.checkpoint ? validateCheckpoint(options.checkpoint) : undefined;
  let recent: Recent[] = start ? start.recent.map((r) => ({ ...r, events: [...r.events] })) : [];
  let position = start?.position ?? '';
  let nextHeight: number | undefined = start ? start.height + 1 : options.fromHeight;
  let resumeLast = start !== undefined && start.height >= 0 && position !== endOfBlock(start.height);
  const steps: Step[] = [];
  const abort = new AbortController();

  const tail = (): Recent | undefined => recent[recent.length - 1];

  function checkpoint(): StreamCheckpoint {
    const last = tail();
    return {
      v: 1,
      height: last?.height ?? (nextHeight ?? 0) - 1,
      hash: last?.hash ?? '',
      position,
      recent: recent.map((r) => ({ ...r, events: [...r.events] })),
    };
  }

  function queueBlock(header: StreamHeader, events: OcapEvent[], after: string) {
    steps.push({
      apply: () => {
        if (tail()?.height !== header.height)
          recent.push({ height: header.height, hash: header.hash, parentHash: header.parentHash, events: [] });
        if (recent.length > STREAM_REORG_WINDOW_BLOCKS) recent = recent.slice(-STREAM_REORG_WINDOW_BLOCKS);
        nextHeight = header.height + 1;
      },
    });
    for (const event of events) {
      if (event.position <= after || !matchesFilter(event, filter)) continue;
      steps.push({
        event,
        apply: () => {
          tail()?.events.push(serializeEvent(event));
          position = event.position;
        },
      });
    }
    steps.push({
      apply: () => {
        position = endOfBlock(header.height);
      },
    });
  }

  function queueRemovals(orphans: Recent[]) {
    for (const orphan of [...orphans].reverse()) {
      for (const serialized of [...orphan.events].reverse()) {
        const event = { ...deserializeEvent(serialized), removed: true };
        steps.push({
          event,
          apply: () => {
            const block = recent.find((r) => r.hash === orphan.hash);
            if (block) block.events = block.events.filter((e) => e.position !== serialized.position);
          },
        });
      }
      steps.push({
        apply: () => {
          recent = recent.filter((r) => r.hash !== orphan.hash);
          const last = tail();
          position = last ? endOfBlock(last.height) : '';
          nextHeight = orphan.height;
        },
      });
    }
  }

  /** Finds where the chain and our delivered tail part ways; queues removals for the orphaned part. */
  async function repairReorg(): Promise<void> {
    const orphans: Recent[] = [];
    for (let i = recent.length - 1; i >= 0; i -= 1) {
      const block = recent[i] as Recent;
      const canonical = await source.headerAt(block.height);
      if (canonical && canonical.hash === block.hash) break;
      orphans.push(block);
      if (i === 0) {
        // Everything remembered was replaced, but the fork may sit just below it.
        const before = block.height > 0 ? await source.headerAt(block.height - 1) : null;
        if (before && before.hash === block.parentHash) break;
        // The tail never overflowed, so its first block is the first this stream delivered: nothing older to undo.
        if (recent.length < STREAM_REORG_WINDOW_BLOCKS) break;
        throw new OcapError(
          'CHECKPOINT_INVALID',
          `The chain reorganised deeper than the ${recent.length} blocks this stream remembers; start a new stream from a height.`,
        );
      }
    }
    queueRemovals(orphans.reverse());
  }

  async function advance(): Promise<boolean> {
    const head = await source.headHeight();
    const target = head - confirmations + 1;
    if (nextHeight === undefined) nextHeight = head + 1;
    const last = tail();
    if (resumeLast && last) {
      resumeLast = false;
      const canonical = await source.headerAt(last.height);
      if (!canonical || canonical.hash !== last.hash) {
        await repairReorg();
        return true;
      }
      queueBlock(canonical, await source.eventsOf(canonical), position);
      return true;
    }
    if (nextHeight > target) {
      if (last) {
        const canonical = await source.headerAt(last.height);
        if (!canonical || canonical.hash !== last.hash) {
          await repairReorg();
          return true;
        }
      }
      return false;
    }
    let expectedParent = last?.hash;
    const stop = Math.min(target, nextHeight + STREAM_BLOCKS_PER_POLL_MAX - 1);
    for (let height = nextHeight; height <= stop; height += 1) {
      const header = await source.headerAt(height);
      if (!header) break;
      if (expectedParent !== undefined && header.parentHash !== expectedParent) {
        if (steps.length === 0) await repairReorg();
        return true;
      }
      queueBlock(header, await source.eventsOf(header), '');
      expectedParent = header.hash;
    }
    return true;
  }

  async function sleep(ms: number) {
    if (abort.signal.aborted) return;
    await new Promise<void>((resolve) => {
      const onAbort = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        abort.signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      abort.signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  async function* iterate(): AsyncGenerator<OcapEvent> {
    while (!abort.signal.aborted) {
      const step = steps.shift();
      if (step) {
        step.apply();
        if (step.event) yield step.event;
        continue;
      }
      const progressed = await advance();
      if (!progressed) await sleep(pollMs);
    }
  }

  const iterator = iterate();
  return {
    [Symbol.asyncIterator]: () => iterator,
    checkpoint,
    close: () => abort.abort(),
  };
}

function validateCheckpoint(checkpoint: StreamCheckpoint): StreamCheckpoint {
  const invalid = (why: string) =>
    new OcapError('CHECKPOINT_INVALID', `This checkpoint was not made by an OCAP event stream (${why}); start a new stream from a height.`);
  if (checkpoint?.v !== 1 || !Number.isInteger(checkpoint.height) || !Array.isArray(checkpoint.recent)) throw invalid('not version 1');
  const last = checkpoint.recent[checkpoint.recent.length - 1];
  const startOnly = checkpoint.recent.length === 0 && checkpoint.hash === '' && checkpoint.position === '';
  if (checkpoint.height >= 0 && !startOnly && (!last || last.height !== checkpoint.height || last.hash !== checkpoint.hash)) {
    throw invalid('its last block is not its height and hash');
  }
  for (let i = 1; i < checkpoint.recent.length; i += 1) {
    const block = checkpoint.recent[i];
    const parent = checkpoint.recent[i - 1];
    if (block?.height !== (parent?.height ?? 0) + 1 || block?.parentHash !== parent?.hash) throw invalid('its blocks do not form a chain');
  }
  if (
    checkpoint.position !== '' &&
    (typeof checkpoint.position !== 'string' || checkpoint.position > endOfBlock(Math.max(0, checkpoint.height)))
  ) {
    throw invalid('its position is past its height');
  }
  return checkpoint;
}
