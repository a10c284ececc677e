import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandboxPool } from './pool.ts';
import { HostCallError, type InvokeRequest, type InvokeResult, type SandboxCode, type SandboxLimits, type SandboxPool } from './types.ts';

const limits: SandboxLimits = { cpuMs: 300, memoryMb: 32, timeoutMs: 3000 };
const noHost = async (): Promise<unknown> => null;

/** A deployment of `source`; each distinct source is its own deployment unless `deployment` is given. */
function code(source: string, deployment?: string): SandboxCode {
  const hash = createHash('sha256').update(source).digest('hex');
  return { deployment: deployment ?? `test@${hash.slice(0, 16)}`, hash, source };
}

/** A blocklet whose `call` handler runs `body` with (input, ctx) in scope. */
function blocklet(body: string): SandboxCode {
  return code(`export default { async call(input, ctx) { ${body} } };`);
}

const echo = blocklet('return { echo: input };');

let pool: SandboxPool;

function invoke(c: SandboxCode, overrides: Partial<InvokeRequest> = {}): Promise<InvokeResult> {
  return pool.invoke({ code: c, handler: 'call', input: null, env: {}, limits, host: noHost, ...overrides });
}

function expectError(result: InvokeResult, code: string): string {
  expect(result.ok, JSON.stringify(result)).toBe(false);
  if (result.ok) throw new Error('unreachable');
  expect(result.error.code).toBe(code);
  return result.error.message;
}

/** After every attack the pool must keep serving other code. */
async function expectPoolServes(): Promise<void> {
  const result = await invoke(echo, { input: 'still here' });
  expect(result).toMatchObject({ ok: true, output: { echo: 'still here' } });
}

beforeAll(async () => {
  pool = await createSandboxPool({ workers: 2, log: () => {} });
});

afterAll(async () => {
  await pool?.close();
});

describe('sandbox isolation', () => {
  it('gives the blocklet no process, require or Node API', async () => {
    const result = await invoke(
      blocklet(`return {
        process: typeof process, require: typeof globalThis.require, buffer: typeof Buffer, setTimeout: typeof setTimeout,
        wasm: typeof WebAssembly, fetchGlobal: typeof fetch,
      };`),
    );
    expect(result).toMatchObject({
      ok: true,
      output: {
        process: 'undefined',
        require: 'undefined',
        buffer: 'undefined',
        setTimeout: 'undefined',
        wasm: 'undefined',
        fetchGlobal: 'undefined',
      },
    });
    const env = await invoke(blocklet('return process.env;'));
    expect(expectError(env, 'BLOCKLET_ERROR')).toMatch(/process is not defined/);
    await expectPoolServes();
  });

  it('fails a dynamic import', async () => {
    const caught = await invoke(blocklet(`try { await import('fs'); return 'imported'; } catch (e) { return 'refused'; }`));
    expect(caught).toMatchObject({ ok: true, output: 'refused' });
    const uncaught = await invoke(blocklet(`const fs = await import('node:fs'); return typeof fs;`));
    expectError(uncaught, 'BLOCKLET_ERROR');
    await expectPoolServes();
  });

  it('rejects a static import as invalid code', async () => {
    const result = await invoke(
      code(`import fs from 'node:fs'; export default { async call() { return fs.readFileSync('/etc/passwd', 'utf8'); } };`),
    );
    expect(expectError(result, 'BLOCKLET_INVALID_CODE')).toMatch(/imports are not allowed/);
    expectError(await invoke(code('export default { async call( { }')), 'BLOCKLET_INVALID_CODE');
    await expectPoolServes();
  });

  it('reaches nothing of the host through ctx or host answers', async () => {
    const host = async (method: string) => (method === 'kv.get' ? { nested: { list: [1, 2] } } : null);
    const result = await invoke(
      blocklet(`
        const out = {};
        try { out.viaCtx = ctx.kv.get.constructor('return typeof process')(); } catch (e) { out.viaCtx = 'error'; }
        try { out.viaCtxProcess = ctx.kv.get.constructor('return globalThis.process')(); } catch (e) { out.viaCtxProcess = 'error'; }
        const value = await ctx.kv.get('k');
        out.ctor = value.constructor === Object && value.nested.list.constructor === Array;
        out.viaValue = value.constructor.constructor('return typeof process')();
        out.viaProto = typeof value.__proto__.constructor.constructor('return this')().process;
        out.bridge = Object.getOwnPropertyNames(globalThis).filter((n) => /bridge|sdk|ivm/i.test(n));
        return out;
      `),
      { host },
    );
    expect(result).toMatchObject({
      ok: true,
      output: { viaCtx: 'undefined', ctor: true, viaValue: 'undefined', viaProto: 'undefined', bridge: [] },
    });
    if (result.ok) expect((result.output as Record<string, unknown>).viaCtxProcess).toBeUndefined();
    await expectPoolServes();
  });

  it('keeps prototype pollution inside the isolate', async () => {
    const result = await invoke(
      blocklet(`
        let polluted = 'no';
        try { Object.prototype.polluted = 1; polluted = 'yes'; } catch (e) { polluted = 'refused: ' + e.name; }
        const viaInput = JSON.parse('{"__proto__": {"polluted2": 1}}');
        Object.assign({}, viaInput);
        return { polluted, seen: ({}).polluted, evil: { ['__proto__']: { polluted: 1 } } };
      `),
    );
    expect(result.ok).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted2).toBeUndefined();
    if (result.ok) {
      const output = result.output as Record<string, unknown>;
      expect(output.polluted).toMatch(/refused/);
      expect(output.seen).toBeUndefined();
    }
    const other = await invoke(blocklet('return { polluted: ({}).polluted, arrays: [].polluted };'));
    expect(other).toMatchObject({ ok: true, output: {} });
    if (other.ok) expect(other.output).toEqual({});
  });

  it('takes only own enumerable function exports as handlers, never inherited or hidden ones', async () => {
    const c = code(`
      class Base { get inherited() { return () => 'inherited getter'; } fromProto() { return 'prototype method'; } }
      const exports = Object.assign(Object.create(Base.prototype), { async call() { return 'call'; } });
      Object.defineProperty(exports, 'hidden', { value: () => 'hidden', enumerable: false });
      Object.defineProperty(exports, 'getter', { get: () => () => 'own getter', enumerable: true });
      export default exports;
    `);
    expect(await invoke(c)).toMatchObject({ ok: true, output: 'call' });
    const refused = ['constructor', 'valueOf', 'toString', '__proto__', 'hasOwnProperty', 'isPrototypeOf', 'inherited'];
    for (const handler of [...refused, 'fromProto', 'hidden', 'getter']) {
      expect(expectError(await invoke(c, { handler, input: 'x' }), 'BLOCKLET_HANDLER_NOT_FOUND')).toContain(`'${handler}'`);
    }
    // A plain object literal, as blocklets are written: its prototype's methods are not handlers either.
    for (const handler of refused) expectError(await invoke(echo, { handler }), 'BLOCKLET_HANDLER_NOT_FOUND');
  });

  it('never shares module state between deployments of byte-identical code', async () => {
    const source = `let cached = null;
      export default { async call(input, ctx) { cached ??= ctx.env.SECRET ?? null; return { cached }; } };`;
    const a = code(source, 'alice-app@1.0.0');
    const b = code(source, 'bob-app@1.0.0');
    expect(a.hash).toBe(b.hash);
    expect(await invoke(a, { env: { SECRET: 'alice secret' } })).toMatchObject({ ok: true, output: { cached: 'alice secret' } });
    // Module state persists between calls of one deployment (documented), never into another one.
    expect(await invoke(a, { env: {} })).toMatchObject({ ok: true, output: { cached: 'alice secret' } });
    expect(await invoke(b, { env: {} })).toMatchObject({ ok: true, output: { cached: null } });
    await pool.warm(b, limits);
    expect(await invoke(b, { env: { SECRET: 'bob secret' } })).toMatchObject({ ok: true, output: { cached: 'bob secret' } });
    // Evicting one deployment leaves the other one's isolate alone.
    await pool.evict(a.deployment);
    expect(await invoke(b, { env: {} })).toMatchObject({ ok: true, output: { cached: 'bob secret' } });
    expect(await invoke(a, { env: {} })).toMatchObject({ ok: true, output: { cached: null } });
  });

  it('freezes every intrinsic and the global object, so nothing of one call reaches the next', async () => {
    const c = blocklet(`
      const generatorProto = Object.getPrototypeOf(function* () {}).prototype;
      const iteratorProto = [][Symbol.iterator]().__proto__.__proto__;
      const targets = {
        int16: Int16Array.prototype, float64: Float64Array.prototype, typedArray: Object.getPrototypeOf(Int16Array.prototype),
        generator: generatorProto, generatorFunction: Object.getPrototypeOf(function* () {}),
        asyncFunction: Object.getPrototypeOf(async () => {}), asyncGenerator: Object.getPrototypeOf(async function* () {}).prototype,
        iterator: iteratorProto, mapIterator: Object.getPrototypeOf(new Map().keys()), map: Map.prototype, set: Set.prototype,
        promise: Promise.prototype, regexp: RegExp.prototype, error: Error.prototype, rangeError: RangeError.prototype,
        date: Date.prototype, weakRef: WeakRef.prototype, dataView: DataView.prototype, intl: Intl.DateTimeFormat.prototype,
        global: globalThis,
      };
      if (input === 'poison') {
        const tries = {};
        for (const [name, target] of Object.entries(targets)) {
          try { target.poisoned = name; tries[name] = 'changed'; } catch (e) { tries[name] = 'refused'; }
        }
        try { globalThis.JSON = null; tries.replaceGlobal = 'changed'; } catch (e) { tries.replaceGlobal = 'refused'; }
        try { Int16Array.from = () => 'evil'; tries.static = 'changed'; } catch (e) { tries.static = 'refused'; }
        return tries;
      }
      const seen = Object.entries(targets).filter(([, target]) => 'poisoned' in target).map(([name]) => name);
      return { seen, json: typeof JSON, from: Int16Array.from([1]).length, x: typeof globalThis.x };
    `);
    const poisoned = await invoke(c, { input: 'poison' });
    expect(poisoned.ok).toBe(true);
    if (poisoned.ok) expect(Object.values(poisoned.output as Record<string, string>).every((outcome) => outcome === 'refused')).toBe(true);
    expect(await invoke(c)).toMatchObject({ ok: true, output: { seen: [], json: 'object', from: 1, x: 'undefined' } });
  });

  it('cannot poison built-ins for the next call of the same version', async () => {
    const c = blocklet(`
      if (input === 'poison') {
        const tries = [];
        for (const f of [() => { JSON.parse = () => 'evil'; }, () => { Array.prototype.map = () => 'evil'; }, () => { Promise.prototype.then = null; }]) {
          try { f(); tries.push('changed'); } catch (e) { tries.push('refused'); }
        }
        return tries;
      }
      class MyError extends Error { constructor(m) { super(m); this.name = 'MyError'; } }
      const e = new MyError('x');
      return { parsed: JSON.parse('[1]'), mapped: [1].map((x) => x + 1), name: e.name, plain: Object.assign({}, { toString: 1 }).toString };
    `);
    expect(await invoke(c, { input: 'poison' })).toMatchObject({ ok: true, output: ['refused', 'refused', 'refused'] });
    expect(await invoke(c)).toMatchObject({ ok: true, output: { parsed: [1], mapped: [2], name: 'MyError', plain: 1 } });
  });
});

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
    const restartsBefore = pool.stats().restarts;
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
    for (const pid of pool.workerPids()) process.kill(pid, 'SIGKILL');
    const result = await call;
    expectError(result, 'BLOCKLET_CRASHED');
    await expect.poll(() => pool.stats().workers, { timeout: 20_000 }).toBe(2);
    expect(pool.stats().restarts).toBeGreaterThanOrEqual(restartsBefore + 2);
    await expectPoolServes();
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

  it('makes the first call faster after warm() and drops code on evict()', async () => {
    const body = 'x'.repeat(200_000);
    const cold = code(`const pad = '${body}'; export default { async call() { return pad.length; } };`);
    const warmed = code(`const pad = '${body}y'; export default { async call() { return pad.length; } };`);
    const coldStart = performance.now();
    expect(await invoke(cold)).toMatchObject({ ok: true });
    const coldMs = performance.now() - coldStart;
    await pool.warm(warmed, limits);
    const isolatesWarm = pool.stats().isolates;
    const warmStart = performance.now();
    expect(await invoke(warmed)).toMatchObject({ ok: true });
    const warmMs = performance.now() - warmStart;
    expect(warmMs).toBeLessThan(coldMs);
    await pool.evict(warmed.deployment);
    await pool.evict(cold.deployment);
    await expect.poll(() => invoke(echo).then(() => pool.stats().isolates), { timeout: 5000 }).toBeLessThan(isolatesWarm);
    expect(await invoke(warmed)).toMatchObject({ ok: true });
  });

  it('rejects warm() of invalid code with BLOCKLET_INVALID_CODE', async () => {
    await expect(pool.warm(code('export default {'), limits)).rejects.toMatchObject({ code: 'BLOCKLET_INVALID_CODE' });
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

describe('sandbox: nothing of one invocation reaches the next', () => {
  /** A host answer the test settles when it chooses (after the call that asked has ended). */
  function deferredHost() {
    let settle: (outcome: { value: unknown } | { error: Error }) => void = () => {};
    let asked: () => void = () => {};
    const wasAsked = new Promise<void>((resolve) => {
      asked = resolve;
    });
    const answer = new Promise<unknown>((resolve, reject) => {
      settle = (outcome) => ('error' in outcome ? reject(outcome.error) : resolve(outcome.value));
    });
    const host = async (method: string, args: unknown) => {
      if (method === 'kv.get' && (args as unknown[])[0] === 'late') {
        asked();
        return answer;
      }
      return null;
    };
    return { host, settle, wasAsked };
  }

  /** Lets the pool forward a settled host answer to the worker before the next message (IPC keeps the order). */
  const forwarded = () => new Promise<void>((resolve) => setImmediate(resolve));

  // Module state records whatever the late answer delivers, so call 2 shows it if it ever arrived.
  const lateCaller = () =>
    code(`
      let delivered = 'nothing';
      export default {
        async call(input, ctx) {
          if (input === 'fire') {
            ctx.kv.get('late').then((value) => { delivered = 'value ' + value; }, (e) => { delivered = 'error ' + e.code; });
            ctx.kv.get('late'); // no handler at all
            return 'fired';
          }
          return { own: input, delivered };
        },
      };
    `);

  it.each([
    ['rejects', { error: new HostCallError('LATE_FAILURE', 'refused after the call ended') }],
    ['resolves', { value: 'late value' }],
  ] as const)('a ctx call left un-awaited that %s after its call ended does not fail or feed the next call', async (_how, outcome) => {
    const c = lateCaller();
    const { host, settle, wasAsked } = deferredHost();
    expect(await invoke(c, { input: 'fire', host })).toMatchObject({ ok: true, output: 'fired' });
    await wasAsked;
    settle(outcome);
    await forwarded();
    const next = await invoke(c, { input: 'second' });
    expect(next).toMatchObject({ ok: true, output: { own: 'second', delivered: 'nothing' } });
    expect(await invoke(c, { input: 'third' })).toMatchObject({ ok: true, output: { own: 'third', delivered: 'nothing' } });
  });

  it('fails the call that left a rejection unhandled, not a call running beside it or after it', async () => {
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let entered: () => void = () => {};
    const bothWaiting = new Promise<void>((resolve) => {
      let count = 0;
      entered = () => {
        count += 1;
        if (count === 2) resolve();
      };
    });
    const c = code(`
      export default {
        async call(input, ctx) {
          if (input === 'leaky') ctx.kv.get('reject-now');
          await ctx.kv.get('hold');
          return { own: input };
        },
      };
    `);
    const host = async (_method: string, args: unknown) => {
      const key = (args as unknown[])[0];
      if (key === 'reject-now') {
        await bothWaiting; // the rejection arrives while both calls are running
        throw new HostCallError('REFUSED', 'nobody handled this');
      }
      if (key === 'hold') {
        entered();
        await released;
      }
      return null;
    };
    const leaky = invoke(c, { input: 'leaky', host });
    const beside = invoke(c, { input: 'beside', host });
    await bothWaiting;
    await forwarded();
    release();
    const [leakyResult, besideResult] = await Promise.all([leaky, beside]);
    expect(besideResult).toMatchObject({ ok: true, output: { own: 'beside' } });
    expect(expectError(leakyResult, 'BLOCKLET_ERROR')).toMatch(/unhandled.*nobody handled this/);
    expect(await invoke(c, { input: 'after', host })).toMatchObject({ ok: true, output: { own: 'after' } });
  });
});
