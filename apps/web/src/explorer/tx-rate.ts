/** Transactions per second over the last minute, from the blocks committed in it. */

export interface BlockTick {
  height: number;
  txCount: number;
  timeMs: number;
}

/** The window the rate is taken over. */
export const txRateWindowMs = 60_000;
/** Blocks kept for the window at most (one a second for a minute, with room). */
export const txRateBlocksMax = 120;

/** Adds a block to the window (once per height), drops blocks older than the window, keeps it bounded. */
export function addTick(ticks: BlockTick[], tick: BlockTick, nowMs: number): BlockTick[] {
  const merged = ticks.some((t) => t.height === tick.height) ? ticks : [...ticks, tick];
  return merged
    .filter((t) => t.timeMs > nowMs - txRateWindowMs)
    .sort((a, b) => a.height - b.height)
    .slice(-txRateBlocksMax);
}

/**
 * Transactions in the window and their rate per second; a chain younger than a minute is measured over its age,
 * so its first blocks do not read as a slow chain.
 */
export function txRate(ticks: BlockTick[], nowMs: number, chainStartMs: number | null): { txs: number; perSecond: number } {
  const recent = ticks.filter((t) => t.timeMs > nowMs - txRateWindowMs);
  const txs = recent.reduce((sum, t) => sum + t.txCount, 0);
  const spanMs = chainStartMs === null ? txRateWindowMs : Math.min(txRateWindowMs, Math.max(1000, nowMs - chainStartMs));
  return { txs, perSecond: txs / (spanMs / 1000) };
}
