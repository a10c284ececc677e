import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PeriodicPass } from './periodic.ts';

describe('PeriodicPass', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('runs every interval, one pass at a time, and postpone() moves the next one a whole interval from then', async () => {
    let passes = 0;
    const periodic = new PeriodicPass(100, async () => {
      passes += 1;
    });
    periodic.start();
    await vi.advanceTimersByTimeAsync(100);
    expect(passes).toBe(1);
    await vi.advanceTimersByTimeAsync(90);
    periodic.postpone();
    await vi.advanceTimersByTimeAsync(90);
    expect(passes).toBe(1);
    await vi.advanceTimersByTimeAsync(10);
    expect(passes).toBe(2);
    await periodic.stop();
    periodic.postpone();
    await vi.advanceTimersByTimeAsync(500);
    expect(passes).toBe(2);
  });
});
