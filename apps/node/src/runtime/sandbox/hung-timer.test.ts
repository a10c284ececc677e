import { describe, expect, it } from 'vitest';
import { HUNG_TIMER_LATE_MS, HungTimer } from './hung-timer.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('hung-worker timer', () => {
  it('judges when it fires on time', async () => {
    let hung = 0;
    new HungTimer(20, () => hung++);
    await sleep(80);
    expect(hung).toBe(1);
  });

  it("does not judge when it fires late (it measured the node's thread), but looks again and judges on time", async () => {
    let hung = 0;
    let stalledMs = 0;
    new HungTimer(
      20,
      () => hung++,
      () => performance.now() + stalledMs,
    );
    stalledMs = 1000; // as if the thread had been held a second past the timer
    await sleep(80);
    expect(hung).toBe(0);
    await sleep(HUNG_TIMER_LATE_MS + 100);
    expect(hung).toBe(1);
  });

  it('never judges once cancelled, also while it looks again', async () => {
    let hung = 0;
    let stalledMs = 0;
    const cancelled = new HungTimer(20, () => hung++);
    cancelled.cancel();
    const rechecking = new HungTimer(
      20,
      () => hung++,
      () => performance.now() + stalledMs,
    );
    stalledMs = 1000;
    await sleep(80);
    rechecking.cancel();
    await sleep(HUNG_TIMER_LATE_MS + 100);
    expect(hung).toBe(0);
  });
});
