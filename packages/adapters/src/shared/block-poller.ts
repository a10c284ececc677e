import type { OcapBlock, Unsubscribe } from '@arc/core';

export const BLOCK_POLL_MS_DEFAULT = 1000;

/**
 * Polls for new heads and calls `onBlock` once per new block in height order. When the new head does not
 * extend the last block seen, it walks back to the fork point and replays the new branch from there.
 */
export function pollBlocks(
  source: { latest(): Promise<OcapBlock>; byHeight(height: number): Promise<OcapBlock> },
  onBlock: (block: OcapBlock) => void,
  options: { pollMs?: number; onError?: (error: unknown) => void } = {},
): Unsubscribe {
  const pollMs = options.pollMs ?? BLOCK_POLL_MS_DEFAULT;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const seen = new Map<number, string>();
  let lastHeight: number | undefined;

  async function poll() {
    const head = await source.latest();
    if (lastHeight === undefined) {
      lastHeight = head.height - 1;
      seen.set(lastHeight, head.parentHash);
    }
    if (head.height === lastHeight && seen.get(head.height) === head.hash) return;
    let from = lastHeight + 1;
    // Walk back while the block we would build on was replaced.
    while (from > 0 && seen.has(from - 1)) {
      const block = from - 1 === head.height ? head : await source.byHeight(from - 1);
      if (block.hash === seen.get(from - 1)) break;
      from -= 1;
    }
    for (let height = from; height <= head.height && !stopped; height += 1) {
      const block = height === head.height ? head : await source.byHeight(height);
      seen.set(height, block.hash);
      onBlock(block);
    }
    lastHeight = head.height;
    for (const height of seen.keys()) if (height < head.height - 256) seen.delete(height);
  }

  async function loop() {
    if (stopped) return;
    try {
      await poll();
    } catch (error) {
      options.onError?.(error);
    }
    if (!stopped) timer = setTimeout(loop, pollMs);
  }
  void loop();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}
