import { describe, expect, it } from 'vitest';
import { blocklet, code, echo, expectError, limits, useSandboxPool } from './sandbox.testkit.ts';
import { HostCallError } from './types.ts';

const sandbox = useSandboxPool();
const { invoke, expectPoolServes } = sandbox;

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
    await sandbox.pool.warm(b, limits);
    expect(await invoke(b, { env: { SECRET: 'bob secret' } })).toMatchObject({ ok: true, output: { cached: 'bob secret' } });
    // Evicting one deployment leaves the other one's isolate alone.
    await sandbox.pool.evict(a.deployment);
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

describe('spare isolates (made ahead for the next new deployment)', () => {
  it('start every new deployment in an isolate no other code has run in, with the SDK hardening applied', async () => {
    const leaves = (i: number) =>
      code(`globalThis.leftover = ${i}; export default { async call() {
        return { leftover: globalThis.leftover, frozen: Object.isFrozen(Array.prototype) && Object.isFrozen(globalThis) };
      } };`);
    // Several new deployments in a row: each one after the first of a worker starts in that worker's spare.
    for (let i = 0; i < 6; i++) {
      expect(await invoke(leaves(i))).toMatchObject({ ok: true, output: { leftover: i, frozen: true } });
    }
    const reads = code('export default { async call() { return { leftover: typeof globalThis.leftover }; } };');
    expect(await invoke(reads)).toMatchObject({ ok: true, output: { leftover: 'undefined' } });
  });

  it('never give a new deployment a spare made for another memory limit', async () => {
    const roomy = { ...limits, memoryMb: 128 };
    // Spares for 128 MB on both workers (new deployments go to the worker holding fewer isolates).
    for (let i = 0; i < 4; i++) {
      expect(await invoke(blocklet(`return ${i};`), { limits: roomy })).toMatchObject({ ok: true, output: i });
    }
    const hoards = blocklet('const hoard = []; for (let i = 0; i < 60; i++) hoard.push(new Array(100000).fill(1.5)); return hoard.length;');
    expectError(await invoke(hoards, { limits: { cpuMs: 5000, memoryMb: 16, timeoutMs: 20_000 } }), 'BLOCKLET_MEMORY_LIMIT');
    await expectPoolServes();
  });
});
