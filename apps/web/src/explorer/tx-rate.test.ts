import { describe, expect, it } from 'vitest';
import { addTick, txRate, txRateBlocksMax } from './tx-rate.ts';

describe('transactions per second over the last minute', () => {
  it('counts the transactions of the blocks of the last minute only', () => {
    const now = 1_000_000;
    let ticks = [
      { height: 1, txCount: 100, timeMs: now - 90_000 },
      { height: 2, txCount: 30, timeMs: now - 30_000 },
    ];
    ticks = addTick(ticks, { height: 3, txCount: 30, timeMs: now - 1_000 }, now);
    expect(ticks.map((t) => t.height)).toEqual([2, 3]);
    expect(txRate(ticks, now, now - 3_600_000)).toEqual({ txs: 60, perSecond: 1 });
  });

  it('measures a chain younger than a minute over its age', () => {
    const now = 10_000;
    expect(txRate([{ height: 1, txCount: 20, timeMs: 9_000 }], now, 0).perSecond).toBe(2);
  });

  it('adds each height once and stays bounded', () => {
    const now = 1_000_000;
    let ticks: ReturnType<typeof addTick> = [];
    for (let h = 0; h < 500; h++) ticks = addTick(ticks, { height: h, txCount: 1, timeMs: now - 100 }, now);
    ticks = addTick(ticks, { height: 499, txCount: 1, timeMs: now - 100 }, now);
    expect(ticks).toHaveLength(txRateBlocksMax);
    expect(ticks.at(-1)?.height).toBe(499);
  });
});
