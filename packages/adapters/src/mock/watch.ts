import type { OcapBlock } from '@arc/core';
import type { StreamSource } from '../shared/event-stream.ts';
import type { MockChain } from './chain.ts';

/** Block heights a block subscription remembers to find a fork point. */
export const SUBSCRIPTION_WINDOW_BLOCKS = 256;

/** A copy of a header, so a caller cannot change the chain's own. */
export function copyHeader(header: OcapBlock): OcapBlock {
  return { ...header, txHashes: [...header.txHashes] };
}

/**
 * Calls `onBlock` for the head and then each new block, in order, with no polling: the chain says when it changed.
 * After a reorg or a revert it replays from the fork point. Calls happen in a microtask after the change, so
 * `mine()` returns first. An error thrown by `onBlock` goes to `onError`, or is rethrown when there is none.
 */
export function subscribeToChain(chain: MockChain, onBlock: (block: OcapBlock) => void, onError?: (error: unknown) => void): () => void {
  const seen = new Map<number, string>();
  const first = chain.head.header;
  let last = first.height - 1;
  seen.set(last, first.parentHash);
  let scheduled = false;
  let stopped = false;
  const sync = () => {
    scheduled = false;
    const head = chain.head.header;
    let from = Math.min(last, head.height) + 1;
    // Walk back while the block we would build on was replaced (bounded by the remembered window).
    while (from > chain.oldestHeight && seen.has(from - 1) && chain.blockAt(from - 1)?.header.hash !== seen.get(from - 1)) from -= 1;
    last = head.height;
    for (let height = from; height <= head.height && !stopped; height += 1) {
      const block = chain.blockAt(height);
      if (!block) continue;
      seen.set(height, block.header.hash);
      try {
        onBlock(copyHeader(block.header));
      } catch (error) {
        if (!onError) throw error;
        onError(error);
      }
    }
    for (const height of seen.keys()) if (height < head.height - SUBSCRIPTION_WINDOW_BLOCKS) seen.delete(height);
  };
  const schedule = () => {
    if (scheduled || stopped) return;
    scheduled = true;
    queueMicrotask(sync);
  };
  const off = chain.onChange(schedule);
  schedule();
  return () => {
    stopped = true;
    off();
  };
}

/** Resolves at the next change of the chain or after `timeoutMs`; `cancel` resolves it at once. */
export function nextChange(chain: MockChain, timeoutMs: number): { promise: Promise<void>; cancel: () => void } {
  let cancel = () => {};
  const promise = new Promise<void>((resolve) => {
    const done = () => {
      off();
      clearTimeout(timer);
      resolve();
    };
    const off = chain.onChange(done);
    const timer = setTimeout(done, timeoutMs);
    cancel = done;
  });
  return { promise, cancel };
}

/** What the shared event stream reads: canonical headers and each block's events, straight from memory. */
export function mockStreamSource(chain: MockChain): StreamSource {
  return {
    headHeight: async () => chain.head.header.height,
    headerAt: async (height) => {
      const block = chain.blockAt(height);
      return block ? { height, hash: block.header.hash, parentHash: block.header.parentHash } : null;
    },
    // An orphaned block still has its events: the stream may ask just as a reorg happens.
    eventsOf: async (header) => (chain.anyBlockByHash(header.hash)?.events ?? []).map((event) => ({ ...event })),
  };
}
