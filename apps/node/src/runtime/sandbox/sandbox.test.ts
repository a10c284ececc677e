import { describe, expect, it } from 'vitest';
import { HUNG_WORKER_GRACE_MS } from './limits.ts';
import { createSandboxPool } from './pool.ts';
import { blocklet, code, echo, expectError, limits, noHost, useSandboxPool } from './sandbox.testkit.ts';
import { HostCallError, type SandboxCode } from './types.ts';

const sandbox = useSandboxPool();
const { invoke, expectPoolServes } = sandbox;

describe('sandbox limits', () => {
  it('stops a sync infinite loop', async () => {
    const result = await invoke(blocklet('while (true) {}'));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(['BLOCKLET_CPU_LIMIT', 'BLOCKLET_TIMEOUT']).toContain(result.error.code);
    expect(result.usage.cpuMs).toBeGreaterThanOrEqual(limits.cpuMs);
    await expectPoolServes();
  });

  it('stops an async infinite loop', async () => {
    const result = await invoke(blocklet('for (;;) await null;'));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(['BLOCKLET_CPU_LIMIT', 'BLOCKLET_TIMEOUT']).toContain(result.error.code);
    await expectPoolServes();
  });

  it('stops background work left running after the call returned', async () => {
    const c = blocklet(`(async () => { await ctx.kv.get('x').catch(() => 0); for (;;) await null; })(); return 'returned';`);
    expect(await invoke(c)).toMatchObject({ ok: true, output: 'returned' });
    // The runaway continuation is stopped by the watchdog; the next call gets a fresh isolate.
    await new Promise((resolve) => setTimeout(resolve, limits.cpuMs * 2 + 200));
    expect(await invoke(blocklet('return 1;'))).toMatchObject({ ok: true });
    await expectPoolServes();
  });

  it('times out a promise that never resolves', async () => {
    const result = await invoke(blocklet('await new Promise(() => {});'), { limits: { ...limits, timeoutMs: 300 } });
    expectError(result, 'BLOCKLET_TIMEOUT');
    expect(result.usage.wallMs).toBeGreaterThanOrEqual(290);
    await expectPoolServes();
  });

  it('stops a blocklet that allocates without end', async () => {
    const result = await invoke(blocklet('const hoard = []; for (;;) hoard.push(new Array(100000).fill(1.5));'), {
      limits: { cpuMs: 10_000, memoryMb: 16, timeoutMs: 20_000 },
    });
    expectError(result, 'BLOCKLET_MEMORY_LIMIT');
    await expectPoolServes();
  });

  it('bounds logging without end', async () => {
    const lines: string[] = [];
    const host = async (method: string, args: unknown) => {
      if (method === 'log') lines.push((args as string[])[1] as string);
      return null;
    };
    const result = await invoke(blocklet(`for (let i = 0; i < 100000; i++) ctx.log.info('line', i, { i }); return 'done';`), {
      host,
      limits: { ...limits, cpuMs: 5000 },
    });
    expect(result).toMatchObject({ ok: true, output: 'done' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(lines.length).toBeLessThanOrEqual(1001);
    expect(lines.at(-1)).toMatch(/log truncated/);
    expect(lines.join('').length).toBeLessThanOrEqual(70 * 1024);
    const endless = await invoke(blocklet(`for (;;) ctx.log.info('x'.repeat(1000));`), { host });
    expectError(endless, 'BLOCKLET_CPU_LIMIT');
    await expectPoolServes();
  });

  it('bounds host calls per invocation', async () => {
    const result = await invoke(
      blocklet(`let n = 0; try { for (;;) { await ctx.kv.get('k'); n++; } } catch (e) { return { n, code: e.code }; }`),
      { limits: { ...limits, cpuMs: 5000, timeoutMs: 20_000 } },
    );
    expect(result).toMatchObject({ ok: true, output: { n: 1000, code: 'HOST_CALL_LIMIT' } });
  });

  it('refuses a huge output and a huge input', async () => {
    expect(expectError(await invoke(blocklet(`return 'x'.repeat(2 * 1024 * 1024);`)), 'BLOCKLET_ERROR')).toMatch(/output exceeds/);
    expect(expectError(await invoke(echo, { input: 'x'.repeat(2 * 1024 * 1024) }), 'BLOCKLET_ERROR')).toMatch(/input exceeds/);
    await expectPoolServes();
  });

  it('answers BLOCKLET_OVERLOADED when the queue is full', async () => {
    const small = await createSandboxPool({ workers: 1, maxQueued: 0, log: () => {} });
    try {
      const slow = blocklet('await new Promise(() => {});');
      const calls = Array.from({ length: 260 }, () =>
        small.invoke({ code: slow, handler: 'call', input: null, env: {}, limits: { ...limits, timeoutMs: 500 }, host: noHost }),
      );
      const results = await Promise.all(calls);
      expect(results.filter((r) => !r.ok && r.error.code === 'BLOCKLET_OVERLOADED').length).toBeGreaterThan(0);
    } finally {
      await small.close();
    }
  });
});

describe('sandbox faults', () => {
  it('answers BLOCKLET_HANDLER_NOT_FOUND for a missing handler, BLOCKLET_ERROR for a missing default export and a throw', async () => {
    expect(expectError(await invoke(echo, { handler: 'nope' }), 'BLOCKLET_HANDLER_NOT_FOUND')).toMatch(/no 'nope' handler/);
    expect(expectError(await invoke(code('export const x = 1;')), 'BLOCKLET_ERROR')).toMatch(/no default export/);
    expect(expectError(await invoke(blocklet(`throw new TypeError('bad input');`)), 'BLOCKLET_ERROR')).toBe('TypeError: bad input');
    expectError(await invoke(code(`throw new Error('at load'); export default {};`)), 'BLOCKLET_ERROR');
    await expectPoolServes();
  });

  it('hands a HostCallError to the blocklet with its code', async () => {
    const host = async () => {
      throw new HostCallError('FORBIDDEN', 'not yours');
    };
    const result = await invoke(blocklet(`try { await ctx.kv.get('k'); } catch (e) { return { code: e.code, message: e.message }; }`), {
      host,
    });
    expect(result).toMatchObject({ ok: true, output: { code: 'FORBIDDEN', message: 'not yours' } });
    const uncaught = await invoke(blocklet(`await ctx.publish('t', {});`), { host });
    expect(expectError(uncaught, 'BLOCKLET_ERROR')).toMatch(/not yours/);
  });

  it("tells the blocklet whether a host call's failure is worth retrying (the catalogue's answer, or the failing part's)", async () => {
    const seen = async (error: HostCallError) => {
      const host = async () => {
        throw error;
      };
      const result = await invoke(
        blocklet(`try { await ctx.kv.get('k'); } catch (e) { return { code: e.code, retriable: e.retriable }; }`),
        {
          host,
        },
      );
      return result.ok ? result.output : result.error;
    };
    expect(await seen(new HostCallError('RATE_LIMITED', 'slow down'))).toEqual({ code: 'RATE_LIMITED', retriable: true });
    expect(await seen(new HostCallError('UNAVAILABLE', 'chain down'))).toEqual({ code: 'UNAVAILABLE', retriable: true });
    expect(await seen(new HostCallError('BAD_INPUT', 'no'))).toEqual({ code: 'BAD_INPUT', retriable: false });
    expect(await seen(new HostCallError('UNAVAILABLE', 'a refusal the adapter marks final', false))).toEqual({
      code: 'UNAVAILABLE',
      retriable: false,
    });
  });

  it('hides the detail of an unexpected host failure', async () => {
    const host = async () => {
      throw new Error('database password is hunter2');
    };
    const result = await invoke(blocklet(`try { await ctx.kv.get('k'); } catch (e) { return { code: e.code, message: e.message }; }`), {
      host,
    });
    expect(result).toMatchObject({ ok: true, output: { code: 'HOST_ERROR', message: 'kv.get failed' } });
  });

  it('answers BLOCKLET_CRASHED when the worker dies mid-call and respawns it', async () => {
    const restartsBefore = sandbox.pool.stats().restarts;
    const slow = blocklet(`await ctx.kv.get('wait'); return 'never';`);
    let entered: () => void = () => {};
    const inHost = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const call = invoke(slow, {
      host: async () => {
        entered();
        return new Promise(() => {});
      },
    });
    await inHost;
    for (const pid of sandbox.pool.workerPids()) process.kill(pid, 'SIGKILL');
    const result = await call;
    expectError(result, 'BLOCKLET_CRASHED');
    await expect.poll(() => sandbox.pool.stats().workers, { timeout: 20_000 }).toBe(2);
    expect(sandbox.pool.stats().restarts).toBeGreaterThanOrEqual(restartsBefore + 2);
    await expectPoolServes();
  });
});

describe('sandbox liveness', () => {
  it("does not kill a worker whose answer waits behind the node's thread (a stall past the hung-worker timer)", async () => {
    await expectPoolServes(); // both workers up
    const pids = sandbox.pool.workerPids();
    // A block can hold the node's thread for seconds. The worker answers meanwhile; its answer waits in the pipe
    // while the loop, leaving the check phase, runs due timers before it polls again.
    const quick = { ...limits, timeoutMs: 100 };
    const result = await new Promise<Awaited<ReturnType<typeof invoke>>>((resolve, reject) => {
      setImmediate(() => {
        const call = invoke(echo, { input: 'answered during a stall', limits: quick });
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, quick.timeoutMs + HUNG_WORKER_GRACE_MS + 500);
        call.then(resolve, reject);
      });
    });
    expect(result).toMatchObject({ ok: true, output: { echo: 'answered during a stall' } });
    // A killed worker's exit is heard after its last answer: look once the loop has turned a few times.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(sandbox.pool.workerPids()).toEqual(pids);
  });
});

describe('sandbox functions', () => {
  it('runs a kv round trip through the host', async () => {
    const store = new Map<string, unknown>();
    const host = async (method: string, args: unknown) => {
      const [key, value] = args as [string, unknown];
      if (method === 'kv.set') return void store.set(key, value);
      if (method === 'kv.get') return store.get(key) ?? null;
      if (method === 'kv.delete') return store.delete(key);
      if (method === 'kv.list') return { keys: [...store.keys()], cursor: null };
      throw new HostCallError('UNSUPPORTED', method);
    };
    const c = blocklet(`
      await ctx.kv.set('greeting', { text: 'hi', n: input });
      const got = await ctx.kv.get('greeting');
      const listed = await ctx.kv.list({ prefix: 'g', limit: 10 });
      const deleted = await ctx.kv.delete('greeting');
      return { got, listed, deleted, after: await ctx.kv.get('greeting') };
    `);
    const result = await invoke(c, { input: 7, host });
    expect(result).toMatchObject({
      ok: true,
      output: { got: { text: 'hi', n: 7 }, listed: { keys: ['greeting'], cursor: null }, deleted: true, after: null },
    });
    expect(store.size).toBe(0);
  });

  it('shows env (frozen) and the invocation id', async () => {
    const result = await invoke(
      blocklet(
        `'use strict'; let frozen = false; try { ctx.env.API = 'x'; } catch { frozen = true; } return { api: ctx.env.API, frozen, id: ctx.invocationId };`,
      ),
      { env: { API: 'https://example.test' }, invocationId: 'inv-1' },
    );
    expect(result).toMatchObject({ ok: true, output: { api: 'https://example.test', frozen: true, id: 'inv-1' } });
  });

  it('reports sane usage', async () => {
    const result = await invoke(blocklet('let s = 0; for (let i = 0; i < 1e6; i++) s += i; return s;'));
    expect(result.ok).toBe(true);
    expect(result.usage.cpuMs).toBeGreaterThan(0);
    expect(result.usage.cpuMs).toBeLessThan(limits.cpuMs);
    expect(result.usage.wallMs).toBeGreaterThanOrEqual(result.usage.cpuMs * 0.5);
    const again = await invoke(blocklet('let s = 0; for (let i = 0; i < 1e6; i++) s += i; return s;'));
    expect(again.usage.memoryBytes).toBeGreaterThan(100_000);
    expect(again.usage.memoryBytes).toBeLessThan(limits.memoryMb * 1024 * 1024);
  });

  it('compiles the code on warm(), so the first call makes no isolate, and drops it on evict()', async () => {
    // What warm() is for, asserted by what it does rather than by timing (bench:runtime measures the speed-up).
    const body = 'x'.repeat(200_000);
    const cold = code(`const pad = '${body}'; export default { async call() { return pad.length; } };`);
    const warmed = code(`const pad = '${body}y'; export default { async call() { return pad.length; } };`);
    expect(await invoke(cold)).toMatchObject({ ok: true });
    const isolatesBefore = sandbox.pool.stats().isolates;
    await sandbox.pool.warm(warmed, limits);
    const isolatesWarm = sandbox.pool.stats().isolates;
    expect(isolatesWarm).toBeGreaterThan(isolatesBefore);
    expect(await invoke(warmed)).toMatchObject({ ok: true, output: 200_001 });
    expect(sandbox.pool.stats().isolates).toBe(isolatesWarm);
    await sandbox.pool.evict(warmed.deployment);
    await sandbox.pool.evict(cold.deployment);
    await expect.poll(() => invoke(echo).then(() => sandbox.pool.stats().isolates), { timeout: 5000 }).toBeLessThan(isolatesWarm);
    expect(await invoke(warmed)).toMatchObject({ ok: true });
  });

  it('rejects warm() of invalid code with BLOCKLET_INVALID_CODE', async () => {
    await expect(sandbox.pool.warm(code('export default {'), limits)).rejects.toMatchObject({ code: 'BLOCKLET_INVALID_CODE' });
  });

  it('runs parallel calls across versions', async () => {
    const versions = Array.from({ length: 6 }, (_, v) => blocklet(`await ctx.kv.get('x'); return { v: ${v}, input };`));
    const host = async () => new Promise((resolve) => setTimeout(() => resolve(1), 5));
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) => invoke(versions[i % 6] as SandboxCode, { input: i, host })));
    results.forEach((result, i) => {
      expect(result).toMatchObject({ ok: true, output: { v: i % 6, input: i } });
    });
  });
});
