import { describe, expect, it } from 'vitest';
import { DeferredSandboxPool } from './deferred.ts';
import type { InvokeRequest, InvokeResult, SandboxPool } from './types.ts';

/** A pool that records what reaches it (the real one's worker processes are tested in sandbox.test.ts). */
function fakePool(log: string[]): SandboxPool {
  return {
    invoke: async () => {
      log.push('invoke');
      return { ok: true } as unknown as InvokeResult;
    },
    warm: async () => {
      log.push('warm');
    },
    evict: async () => {
      log.push('evict');
    },
    stats: () => ({ workers: 2, isolates: 0, queued: 0, restarts: 0 }),
    close: async () => {
      log.push('close');
    },
    workerPids: () => [101, 102],
  };
}

describe('the deferred sandbox pool', () => {
  it('starts its workers once, at begin() or at the first call that needs them, and that call waits for them', async () => {
    const log: string[] = [];
    let release = () => {};
    const deferred = new DeferredSandboxPool(async () => {
      log.push('create');
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      return fakePool(log);
    });
    expect(deferred.stats().workers).toBe(0);
    expect(deferred.workerPids()).toEqual([]);
    await deferred.evict('nothing started');
    const invoked = deferred.invoke({} as InvokeRequest);
    const begun = deferred.begin();
    await Promise.resolve();
    expect(log).toEqual(['create']);
    release();
    await begun;
    await invoked;
    await deferred.invoke({} as InvokeRequest);
    expect(log).toEqual(['create', 'invoke', 'invoke']);
    expect(deferred.workerPids()).toEqual([101, 102]);
    await deferred.close();
    expect(log.at(-1)).toBe('close');
  });

  it('tries a failed start again at the next call, and starts nothing once closed', async () => {
    const log: string[] = [];
    let attempts = 0;
    const deferred = new DeferredSandboxPool(async () => {
      attempts += 1;
      if (attempts === 1) throw new Error('isolated-vm did not load');
      return fakePool(log);
    });
    await expect(deferred.begin()).rejects.toThrow('isolated-vm did not load');
    await deferred.warm({} as never, {} as never);
    expect(attempts).toBe(2);
    expect(log).toEqual(['warm']);

    const closed = new DeferredSandboxPool(async () => {
      throw new Error('must not start');
    });
    await closed.close();
    await expect(closed.begin()).rejects.toThrow('closed');
    await expect(closed.invoke({} as InvokeRequest)).rejects.toThrow('closed');
  });

  it('closes workers that finish booting after the node closed the pool', async () => {
    const log: string[] = [];
    let release = () => {};
    const deferred = new DeferredSandboxPool(async () => {
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      return fakePool(log);
    });
    const begun = deferred.begin();
    const closing = deferred.close();
    release();
    await closing;
    await expect(begun).rejects.toThrow('closed');
    expect(log).toEqual(['close']);
  });
});
