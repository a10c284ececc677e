/**
 * bench:runtime — the blocklet sandbox against its floor, measured in the same run:
 * - floor: bare isolated-vm in a child process run with --no-node-snapshot (new isolate + context + compile +
 *   run a trivial function, median ms; and a warm `ref.apply` of a trivial async function, median µs);
 * - IPC floor: a bare process.send round trip to a worker-like child (and the same with a warm ref.apply in it),
 *   printed beside the warm overhead so the runtime's own share of it is visible;
 * - through the pool: cold start (first call of a new code hash), warm call overhead (pool.invoke minus the bare
 *   warm call: includes the IPC hop parent → worker → parent, which is part of the runtime's cost), invocations
 *   per second of a trivial handler under concurrency, and isolates per GB (RSS growth of one worker);
 * - through a whole node: HTTP invocations per second of a deployed blocklet at /b/<name>/ (invocationsPerSec).
 * `--quick` runs the same phases with small counts (a few seconds: the suite runs it so a broken bench fails CI).
 * Each goal is printed beside its figure and carried in the JSON; the bench exits 0 whether goals are met or not.
 * Last line: one JSON object.
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { goal, goalText, verdict } from '../../../scripts/bench-goals.ts';
import { createSandboxPool, type SandboxCode, type SandboxLimits } from '../src/runtime/sandbox/index.ts';

const quick = process.argv.includes('--quick');
const FLOOR_COLD_RUNS = quick ? 10 : 30;
const FLOOR_WARM_CALLS = quick ? 500 : 5000;
const COLD_HASHES = quick ? 5 : 20;
const WARM_CALLS = quick ? 500 : 5000;
/** Calls before timing (JIT warm-up of both the floor's isolate and the pool's workers). */
const WARMUP_CALLS = quick ? 100 : 500;
/** Requests each HTTP load connection makes before the timed window. */
const HTTP_WARMUP_REQUESTS = quick ? 20 : 200;
/** Warm calls (floor and pool) are timed in this many batches; the figure is the median of the batch medians. */
const WARM_BATCHES = 5;
const THROUGHPUT_SECONDS = quick ? 1 : 5;
const THROUGHPUT_CONCURRENCY = 64;
const ISOLATES_MEASURED = quick ? 30 : 300;
const limits: SandboxLimits = { cpuMs: 1000, memoryMb: 32, timeoutMs: 10_000 };
const host = async (): Promise<unknown> => null;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function code(source: string): SandboxCode {
  const hash = createHash('sha256').update(source).digest('hex');
  return { deployment: `bench@${hash.slice(0, 16)}`, hash, source };
}

function measureFloor(): { coldMs: number; warmUs: number } {
  const ivmPath = createRequire(import.meta.url).resolve('isolated-vm');
  const script = `
    const ivm = require(${JSON.stringify(ivmPath)});
    const median = (v) => v.sort((a, b) => a - b)[Math.floor(v.length / 2)];
    (async () => {
      const cold = [];
      for (let i = 0; i < ${FLOOR_COLD_RUNS}; i++) {
        const t = performance.now();
        const isolate = new ivm.Isolate({ memoryLimit: ${limits.memoryMb} });
        const context = await isolate.createContext();
        const script = await isolate.compileScript('(function () { return ' + i + '; })()');
        await script.run(context);
        cold.push(performance.now() - t);
        isolate.dispose();
      }
      const isolate = new ivm.Isolate({ memoryLimit: ${limits.memoryMb} });
      const context = await isolate.createContext();
      const fn = await context.evalClosure('return async (x) => x', [], { result: { reference: true } });
      for (let i = 0; i < ${WARMUP_CALLS}; i++) await fn.apply(undefined, [i], { result: { promise: true } });
      const batches = [];
      for (let b = 0; b < ${WARM_BATCHES}; b++) {
        const warm = [];
        for (let i = 0; i < ${FLOOR_WARM_CALLS / WARM_BATCHES}; i++) {
          const t = performance.now();
          await fn.apply(undefined, [i], { result: { promise: true } });
          warm.push(performance.now() - t);
        }
        batches.push(median(warm));
      }
      process.stdout.write(JSON.stringify({ coldMs: median(cold), warmUs: median(batches) * 1000 }));
    })();
  `;
  return JSON.parse(execFileSync(process.execPath, ['--no-node-snapshot', '-e', script], { encoding: 'utf8' }));
}

/**
 * The IPC floor: a bare process.send round trip to a child run like a sandbox worker (--no-node-snapshot, JSON
 * serialisation, empty environment) with messages of the pool's shapes and sizes (an invoke out, a result back),
 * and the same with a warm `ref.apply` of a trivial async function in that child between the two (the least a
 * call into an isolate in another process can cost on this machine). Median of batch medians, like the others.
 */
async function measureIpcFloor(): Promise<{ ipcUs: number; ipcApplyUs: number }> {
  const ivmPath = createRequire(import.meta.url).resolve('isolated-vm');
  const script = `
    const ivm = require(${JSON.stringify(ivmPath)});
    const isolate = new ivm.Isolate({ memoryLimit: ${limits.memoryMb} });
    const fn = isolate.createContextSync().evalClosureSync('return async (x) => x', [], { result: { reference: true } });
    const usage = { cpuMs: 0.01, wallMs: 0.05, memoryBytes: 1000000 };
    const answer = (m, reply) => process.send({ t: 'result', id: m.id, reply, usage, isolates: 1 });
    process.on('message', (m) => {
      if (m.apply) fn.apply(undefined, [m.input], { result: { promise: true } }).then((reply) => answer(m, reply));
      else answer(m, m.input);
    });
    process.on('disconnect', () => process.exit(0));
    process.send({ t: 'ready' });`;
  const child = spawn(process.execPath, ['--no-node-snapshot', '-e', script], {
    env: {},
    serialization: 'json',
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  try {
    let answered: (() => void) | null = null;
    await new Promise<void>((resolve) => {
      answered = resolve;
      child.on('message', () => answered?.());
    });
    const hash = createHash('sha256').update('ipc').digest('hex');
    const roundTrip = (apply: boolean, i: number) =>
      new Promise<void>((resolve) => {
        answered = resolve;
        child.send({
          t: 'invoke',
          id: i,
          apply,
          deployment: `bench@${hash.slice(0, 16)}`,
          hash,
          handler: 'call',
          input: `{"ok":true,"output":${i}}`,
          env: '{}',
          invocationId: randomUUID(),
          limits,
        });
      });
    const timed = async (apply: boolean): Promise<number> => {
      for (let i = 0; i < WARMUP_CALLS; i++) await roundTrip(apply, i);
      const batches: number[] = [];
      for (let b = 0; b < WARM_BATCHES; b++) {
        const times: number[] = [];
        for (let i = 0; i < WARM_CALLS / WARM_BATCHES; i++) {
          const t = performance.now();
          await roundTrip(apply, i);
          times.push(performance.now() - t);
        }
        batches.push(median(times));
      }
      return median(batches) * 1000;
    };
    return { ipcUs: await timed(false), ipcApplyUs: await timed(true) };
  } finally {
    child.disconnect();
  }
}

function rssBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (match === null) throw new Error(`no VmRSS for ${pid}`);
  return Number(match[1]) * 1024;
}

async function measurePool(): Promise<{ coldMs: number; warmUs: number; perSec: number }> {
  const pool = await createSandboxPool({ workers: 2 });
  try {
    // Let both workers finish starting (their own JIT warm-up) before timing cold starts.
    const warmup = code('export default { async call(input) { return input; } };');
    for (let i = 0; i < WARMUP_CALLS / 2; i++) await pool.invoke({ code: warmup, handler: 'call', input: i, env: {}, limits, host });
    const cold: number[] = [];
    for (let i = 0; i < COLD_HASHES; i++) {
      const fresh = code(`export default { async call(input) { return input + ${i}; } };`);
      const t = performance.now();
      const result = await pool.invoke({ code: fresh, handler: 'call', input: i, env: {}, limits, host });
      cold.push(performance.now() - t);
      if (!result.ok) throw new Error(`cold call failed: ${result.error.message}`);
    }
    // Same warm-up as the floor's (WARMUP_CALLS) after the cold phase, then the median of batch medians, so one
    // noisy stretch (other processes on the machine) does not decide the figure.
    for (let i = 0; i < WARMUP_CALLS; i++) await pool.invoke({ code: warmup, handler: 'call', input: i, env: {}, limits, host });
    const warmBatches: number[] = [];
    for (let b = 0; b < WARM_BATCHES; b++) {
      const warm: number[] = [];
      for (let i = 0; i < WARM_CALLS / WARM_BATCHES; i++) {
        const t = performance.now();
        await pool.invoke({ code: warmup, handler: 'call', input: i, env: {}, limits, host });
        warm.push(performance.now() - t);
      }
      warmBatches.push(median(warm));
    }
    let done = 0;
    const endAt = performance.now() + THROUGHPUT_SECONDS * 1000;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: THROUGHPUT_CONCURRENCY }, async () => {
        while (performance.now() < endAt) {
          const result = await pool.invoke({ code: warmup, handler: 'call', input: done, env: {}, limits, host });
          if (!result.ok) throw new Error(`throughput call failed: ${result.error.message}`);
          done += 1;
        }
      }),
    );
    const perSec = done / ((performance.now() - started) / 1000);
    return { coldMs: median(cold), warmUs: median(warmBatches) * 1000, perSec };
  } finally {
    await pool.close();
  }
}

async function measureIsolatesPerGb(): Promise<{ mbPerIsolate: number; isolatesPerGb: number }> {
  const pool = await createSandboxPool({ workers: 1, isolatesPerWorkerMax: ISOLATES_MEASURED + 10 });
  try {
    const pid = pool.workerPids()[0] as number;
    const small = (i: number) =>
      code(
        `const greeting = 'hello ${i}'; export default { async fetch(request, ctx) { await ctx.kv.get('visits'); return { status: 200, body: greeting + ' ' + JSON.stringify(request) }; } };`,
      );
    for (let i = 0; i < 5; i++) await pool.invoke({ code: small(-1 - i), handler: 'fetch', input: {}, env: {}, limits, host });
    const before = rssBytes(pid);
    for (let i = 0; i < ISOLATES_MEASURED; i++) {
      const result = await pool.invoke({ code: small(i), handler: 'fetch', input: { path: '/' }, env: { NAME: 'x' }, limits, host });
      if (!result.ok) throw new Error(`isolate ${i} failed: ${result.error.message}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    const after = rssBytes(pid);
    const mbPerIsolate = (after - before) / ISOLATES_MEASURED / (1024 * 1024);
    return { mbPerIsolate, isolatesPerGb: Math.floor(1024 / mbPerIsolate) };
  } finally {
    await pool.close();
  }
}

/**
 * HTTP invocations per second through a whole node: /b/<name>/ on loopback → route check → sandbox → kv-free
 * handler → usage row, with HTTP_CONCURRENCY requests in flight (keep-alive fetch).
 */
async function measureHttp(): Promise<{ perSec: number; p50Ms: number; p99Ms: number }> {
  const { startTestNode } = await import('../src/testing.ts');
  const core = await import('@arc/core');
  // The bench is one caller measuring throughput, so it sets the operator's per-caller limit explicitly to one a
  // load test cannot reach (the default, 50/s, would answer 429 within the first second).
  const node = await startTestNode({ blockIntervalMs: 2000, sandboxWorkers: 2, blockletHttp: LOAD_TEST_RATE_LIMIT });
  try {
    const key = core.keyPairFromSeed(core.fromHex(node.funded.secretKey));
    const did = core.didFromPublicKey(key.publicKey);
    const trpc = (await import('@trpc/client')).createTRPCClient<import('../src/api/router.ts').AppRouter>({
      links: [(await import('@trpc/client')).httpBatchLink({ url: `${node.url}/trpc` })],
    });
    const manifestText = `name: bench\nversion: 1.0.0\ntitle: Bench\nauthor: ${did}\ninterfaces: { http: [{ path: /, methods: [GET] }] }\n`;
    const upload = {
      manifest: { file: 'blocklet.yml' as const, text: manifestText },
      files: { 'index.js': 'export default { fetch() { return { body: "ok" }; } };' },
    };
    const uploaded = await trpc.blocklet.upload.mutate({ ...upload, auth: core.signUpload(key, 'bench', upload, Date.now()) });
    const account = await trpc.account.get.query({ did });
    const tx = core.signTx(
      {
        chainId: node.chainId,
        from: did,
        publicKey: key.publicKey,
        nonce: account.nonce + 1,
        fee: 10n ** 14n,
        feePayer: null,
        itx: {
          type: 'deployBlocklet',
          name: 'bench',
          version: '1.0.0',
          manifestHash: core.fromHex(uploaded.manifestHash),
          bundleHash: core.fromHex(uploaded.bundleHash),
        },
      },
      key.secretKey,
    );
    await trpc.blocklet.deploy.mutate({ tx: core.toHex(core.encodeTx(tx)) });
    const url = `${node.url}/b/bench/`;
    // The load comes from another process (keep-alive http.request), so the client's own work does not share
    // the node's event loop.
    const load = `
      const http = require('node:http');
      const agent = new http.Agent({ keepAlive: true, maxSockets: ${HTTP_CONCURRENCY} });
      const url = new URL(${JSON.stringify(url)});
      const get = () => new Promise((resolve, reject) => {
        const t0 = performance.now();
        http.get({ host: url.hostname, port: url.port, path: url.pathname, agent }, (res) => {
          res.resume();
          res.on('end', () => (res.statusCode === 200 ? resolve(performance.now() - t0) : reject(new Error('HTTP ' + res.statusCode))));
        }).on('error', reject);
      });
      (async () => {
        for (let i = 0; i < ${HTTP_WARMUP_REQUESTS}; i++) await get();
        const latencies = [];
        const start = performance.now();
        const deadline = start + ${THROUGHPUT_SECONDS * 1000};
        await Promise.all(Array.from({ length: ${HTTP_CONCURRENCY} }, async () => { while (performance.now() < deadline) latencies.push(await get()); }));
        const seconds = (performance.now() - start) / 1000;
        latencies.sort((a, b) => a - b);
        console.log(JSON.stringify({ perSec: latencies.length / seconds, p50Ms: latencies[Math.floor(latencies.length / 2)], p99Ms: latencies[Math.floor(latencies.length * 0.99)] }));
        agent.destroy();
      })().catch((e) => { console.error(e); process.exit(1); });`;
    const output = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, ['-e', load], { maxBuffer: 1 << 20 }, (error, stdout) => (error ? reject(error) : resolve(stdout)));
    });
    return JSON.parse(output.trim().split('\n').pop() as string) as { perSec: number; p50Ms: number; p99Ms: number };
  } finally {
    await node.stop();
  }
}

const HTTP_CONCURRENCY = 32;
/** The blocklet HTTP limit for the load test: the highest BLOCKLET_HTTP_RATE_PER_SEC / _BURST an operator may set. */
const LOAD_TEST_RATE_LIMIT = { ratePerSec: 1_000_000, rateBurst: 1_000_000 };
const floor = measureFloor();
const ipc = await measureIpcFloor();
const pooled = await measurePool();
const density = await measureIsolatesPerGb();
const http = await measureHttp();
const warmOverheadUs = pooled.warmUs - floor.warmUs;
const coldRatio = pooled.coldMs / floor.coldMs;
/** What the runtime adds beyond the IPC hop, which no process-isolated pool can avoid (measured, not assumed). */
const warmOverheadAboveIpcUs = warmOverheadUs - ipc.ipcUs;

const goals = {
  cold: goal('coldRatio', Number(coldRatio.toFixed(2)), '<=', 2),
  warm: goal('warmOverheadUs', Number(warmOverheadUs.toFixed(1)), '<=', 50),
  density: goal('isolatesPerGb', density.isolatesPerGb, '>=', 500),
};

console.log('runtime sandbox benchmark' + (quick ? ' (quick: small counts, figures are rough)' : ''));
console.log(`  floor cold start (bare isolate + context + compile + run)  ${floor.coldMs.toFixed(2)} ms`);
console.log(`  floor warm call (ref.apply of an async fn, same process)    ${floor.warmUs.toFixed(1)} µs`);
console.log(
  `  pool cold start (first call of a new hash, incl. IPC)       ${pooled.coldMs.toFixed(2)} ms  (ratio ${coldRatio.toFixed(2)}, ${goalText(goals.cold)})`,
);
console.log(`  pool warm call                                             ${pooled.warmUs.toFixed(1)} µs`);
console.log(`  warm overhead over the bare call (includes the IPC hop)    ${warmOverheadUs.toFixed(1)} µs  (${goalText(goals.warm)})`);
console.log(`  IPC floor: bare process.send round trip to a worker-like child  ${ipc.ipcUs.toFixed(1)} µs`);
console.log(`  IPC floor + bare warm ref.apply in that child               ${ipc.ipcApplyUs.toFixed(1)} µs`);
console.log(`  warm overhead above the IPC floor                          ${warmOverheadAboveIpcUs.toFixed(1)} µs`);
console.log(`  pool invocations per second (${THROUGHPUT_CONCURRENCY} concurrent, 2 workers)       ${pooled.perSec.toFixed(0)}`);
console.log(
  `  HTTP invocations per second (${HTTP_CONCURRENCY} concurrent, whole node, rate limit lifted)  ${http.perSec.toFixed(0)}  (p50 ${http.p50Ms.toFixed(1)} ms, p99 ${http.p99Ms.toFixed(1)} ms)`,
);
console.log(
  `  memory per isolate (RSS growth over ${ISOLATES_MEASURED})                 ${density.mbPerIsolate.toFixed(2)} MB → ${density.isolatesPerGb} per GB (${goalText(goals.density)})`,
);
console.log(
  JSON.stringify({
    bench: 'runtime',
    quick,
    floorColdMs: Number(floor.coldMs.toFixed(3)),
    coldMs: Number(pooled.coldMs.toFixed(3)),
    coldRatio: Number(coldRatio.toFixed(2)),
    warmOverheadUs: Number(warmOverheadUs.toFixed(1)),
    ipcRoundTripUs: Number(ipc.ipcUs.toFixed(1)),
    ipcApplyUs: Number(ipc.ipcApplyUs.toFixed(1)),
    warmOverheadAboveIpcUs: Number(warmOverheadAboveIpcUs.toFixed(1)),
    invocationsPerSec: Math.round(http.perSec),
    poolInvocationsPerSec: Math.round(pooled.perSec),
    httpP99Ms: Number(http.p99Ms.toFixed(1)),
    isolatesPerGb: density.isolatesPerGb,
    ...verdict(Object.values(goals)),
  }),
);
process.exit(0);
