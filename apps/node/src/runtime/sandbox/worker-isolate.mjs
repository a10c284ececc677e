/**
 * The isolates of a sandbox worker: one per deployment, its context built once (SDK shim, then the module),
 * disposed on a limit, an eviction or a timeout; CPU split among the invocations running in it; heap sampled.
 */
import ivm from 'isolated-vm';
import { sdkShim } from './sdk-shim.mjs';
import { bounds, entries, isolatesMax } from './worker-state.mjs';

/**
 * The SDK shim as a script whose completion value is the `sdkShim` function (never put on globalThis). It is
 * compiled once per worker with `produceCachedData` and every later isolate compiles it from that code cache
 * (~0.1 ms of parsing and bytecode generation saved per cold start).
 */
const SHIM_SCRIPT = `(${sdkShim.toString()})`;
const SHIM_FILENAME = 'arc-sdk-shim.js';
/** @type {import('isolated-vm').ExternalCopy<ArrayBuffer> | undefined} */
let shimCodeCache;
/** Minimum CPU budget of compiling and evaluating a module (large bundles take longer than a call). */
const LOAD_CPU_MIN_MS = 2000;
const HEAP_SAMPLE_MS = 10;
/** Hashes whose module failed to compile or link (deterministic, so not retried), with the message. */
const invalidCode = new Map();

/**
 * What the isolates need from the rest of the worker, given once at start (worker.mjs): the bridge the shim calls
 * out through, and how an invocation left waiting on a disposed isolate starts again.
 */
const hooks = { bridge: null, restart: (_op) => {} };

export function configureIsolates({ bridge, restart }) {
  hooks.bridge = bridge;
  hooks.restart = restart;
}

/** The isolate of a deployment (its hash and memory limit are part of the key only as a safety net). */
export function entryKey(deployment, hash, memoryMb) {
  return JSON.stringify([deployment, hash, memoryMb]);
}

function evictIdleIfFull() {
  if (entries.size < isolatesMax) return;
  for (const entry of entries.values()) {
    if (entry.running.size === 0 && entry.waiting.length === 0 && entry.loaded) {
      disposeEntry(entry, 'BLOCKLET_CRASHED', 'evicted', null);
      return;
    }
  }
}

export function createEntry(key, deployment, hash, limits, source) {
  evictIdleIfFull();
  const entry = {
    key,
    deployment,
    hash,
    isolate: null,
    context: null,
    dispatch: null,
    deliver: null,
    end: null,
    loaded: false,
    ready: null,
    running: new Set(),
    waiting: [],
    lastCpuNs: 0n,
    idleCpuNs: 0n,
    idleCpuLimitNs: BigInt(Math.max(limits.cpuMs, LOAD_CPU_MIN_MS)) * 1_000_000n,
    killed: null,
    heapBytes: 0,
    heapSampledAtMs: Number.NEGATIVE_INFINITY,
    heapSampling: false,
  };
  // Code known not to compile never takes the spare (it would only be disposed).
  const prepared = invalidCode.has(hash) ? null : takeSpare(limits.memoryMb);
  if (prepared !== null) {
    entry.isolate = prepared.isolate;
    entry.context = prepared.context;
    // The shim's CPU is the worker's, not the blocklet's load budget.
    entry.lastCpuNs = prepared.isolate.cpuTime;
  } else {
    entry.isolate = new ivm.Isolate({ memoryLimit: limits.memoryMb });
  }
  entries.set(key, entry);
  const loadTimer = setTimeout(
    () => disposeEntry(entry, 'BLOCKLET_TIMEOUT', `loading the module took over ${limits.timeoutMs} ms`, null),
    Math.max(limits.timeoutMs, 1000),
  );
  entry.ready = load(entry, source, prepared).finally(() => clearTimeout(loadTimer));
  spareMemoryMb = limits.memoryMb;
  entry.ready.then(
    () => {
      entry.loaded = true;
      entry.idleCpuNs = 0n;
      sampleHeap(entry);
      entry.idleCpuLimitNs = BigInt(limits.cpuMs) * 1_000_000n;
    },
    () => disposeEntry(entry, 'BLOCKLET_ERROR', 'load failed', null),
  );
  return entry;
}

function shimArguments() {
  return [hooks.bridge, new ivm.ExternalCopy(bounds).copyInto()];
}

/** Compiles the shim in this isolate, from the worker's code cache once there is one. */
function compileShim(isolate) {
  if (shimCodeCache !== undefined) {
    const script = isolate.compileScriptSync(SHIM_SCRIPT, { filename: SHIM_FILENAME, cachedData: shimCodeCache });
    // A rejected cache (it should not happen: same V8, same flags) only costs the full compile it did anyway.
    if (script.cachedDataRejected === true) shimCodeCache = undefined;
    return script;
  }
  const script = isolate.compileScriptSync(SHIM_SCRIPT, { filename: SHIM_FILENAME, produceCachedData: true });
  shimCodeCache = script.cachedData;
  return script;
}

/** Runs the SDK shim in a fresh context: the references the worker keeps (install, deliver, end). */
function installShim(isolate, context) {
  const script = compileShim(isolate);
  const shim = script.runSync(context, { reference: true });
  script.release();
  const api = shim.applySync(undefined, shimArguments(), { result: { reference: true } });
  shim.release();
  const refs = {
    install: api.getSync('install', { reference: true }),
    deliver: api.getSync('deliver', { reference: true }),
    end: api.getSync('end', { reference: true }),
  };
  api.release();
  return refs;
}

/**
 * The spare: one isolate with its context and SDK shim ready (no blocklet code has run in it), for the memory
 * limit of the latest new deployment. A new deployment takes it, so its first call pays only for its own module
 * (new isolate + context + shim are ~3/4 of a cold start). The next spare is made once the reply of the call that
 * took it has gone out (`prepareSpare`, called by the worker after each reply), never on the reply's path. It is
 * never shared: taken by one deployment, it becomes that deployment's isolate.
 */
let spare = null;
/** The memory limit the next spare is made for (the latest new deployment's), null before any. */
let spareMemoryMb = null;
let spareTimer = null;

function takeSpare(memoryMb) {
  const taken = spare;
  if (taken === null || taken.memoryMb !== memoryMb) return null;
  spare = null;
  return taken;
}

/** Makes the spare if it is missing (taken) or for another memory limit, in a task of its own. */
export function prepareSpare() {
  if (spareTimer !== null || spareMemoryMb === null || spare?.memoryMb === spareMemoryMb) return;
  spareTimer = setImmediate(() => {
    spareTimer = null;
    const memoryMb = spareMemoryMb;
    if (memoryMb === null || spare?.memoryMb === memoryMb) return;
    if (spare !== null) spare.isolate.dispose();
    spare = null;
    let isolate;
    try {
      isolate = new ivm.Isolate({ memoryLimit: memoryMb });
      const context = isolate.createContextSync();
      spare = { memoryMb, isolate, context, ...installShim(isolate, context) };
    } catch (error) {
      // Not expected (no blocklet code runs here); the next new deployment builds its isolate itself.
      if (isolate !== undefined && !isolate.isDisposed) isolate.dispose();
      process.stderr.write(`sandbox: preparing a spare isolate failed: ${error?.message ?? error}\n`);
    }
  });
}

class LoadError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

function loadFailure(entry, code, error) {
  if (entry.killed !== null) return new LoadError(entry.killed.code, entry.killed.message);
  if (entry.isolate.isDisposed || /memory limit/.test(String(error?.message))) {
    return new LoadError('BLOCKLET_MEMORY_LIMIT', 'the module ran over its memory limit while loading');
  }
  return new LoadError(code, String(error?.message ?? error));
}

/**
 * Builds the isolate's context: SDK shim, then the module. The steps that run no blocklet code (context, shim,
 * parse, link) use the sync API: each async isolated-vm call is a hop to the isolate thread and back (~20 µs
 * idle, much more under load), and cold start is dominated by those hops. Evaluating the module runs blocklet
 * code (top-level loops, top-level await), so it stays async under the watchdog and the load timer.
 */
async function load(entry, source, prepared) {
  const { isolate, hash } = entry;
  const known = invalidCode.get(hash);
  if (known !== undefined) throw new LoadError('BLOCKLET_INVALID_CODE', known);
  let install;
  if (prepared !== null) {
    ({ install, deliver: entry.deliver, end: entry.end } = prepared);
  } else {
    try {
      entry.context = isolate.createContextSync();
      ({ install, deliver: entry.deliver, end: entry.end } = installShim(isolate, entry.context));
    } catch (error) {
      throw loadFailure(entry, 'BLOCKLET_CRASHED', error);
    }
  }
  let module;
  try {
    module = isolate.compileModuleSync(source, { filename: `blocklet-${hash.slice(0, 16)}.mjs` });
    if (module.dependencySpecifiers.length > 0) {
      throw new Error(`imports are not allowed (${module.dependencySpecifiers.join(', ')}): bundle the blocklet into one module`);
    }
    module.instantiateSync(entry.context, (specifier) => {
      throw new Error(`imports are not allowed: ${specifier}`);
    });
  } catch (error) {
    install.release();
    const failure = loadFailure(entry, 'BLOCKLET_INVALID_CODE', error);
    if (failure.code === 'BLOCKLET_INVALID_CODE') rememberInvalid(hash, failure.message);
    throw failure;
  }
  try {
    await module.evaluate();
    // Runs only SDK code (reads the namespace's default binding), so sync is safe.
    entry.dispatch = install.applySync(undefined, [module.namespace.derefInto()], { result: { reference: true } });
  } catch (error) {
    throw loadFailure(entry, 'BLOCKLET_ERROR', new Error(`the module threw while loading: ${error?.message ?? error}`));
  } finally {
    install.release();
    module.release();
  }
  entry.lastCpuNs = isolate.cpuTime;
}

function rememberInvalid(hash, message) {
  if (invalidCode.size >= 1000) invalidCode.delete(invalidCode.keys().next().value);
  invalidCode.set(hash, message);
}

/**
 * Disposes an isolate (limit hit, eviction, timeout). Running invocations fail with the reason (their pending
 * apply rejects); waiting ones are started again on a fresh isolate.
 */
export function disposeEntry(entry, code, message, culprit) {
  if (entry.killed !== null) return;
  entry.killed = { code, message, culprit };
  if (entries.get(entry.key) === entry) entries.delete(entry.key);
  if (!entry.isolate.isDisposed) entry.isolate.dispose();
  const waiting = entry.waiting.splice(0);
  for (const op of waiting) hooks.restart(op);
}

/** Splits the isolate's CPU since the last look among its running invocations; kills it over a budget. */
export function accountCpu(entry) {
  if (entry.killed !== null || entry.isolate.isDisposed) return;
  const nowNs = entry.isolate.cpuTime;
  const deltaNs = nowNs - entry.lastCpuNs;
  entry.lastCpuNs = nowNs;
  if (deltaNs <= 0n) return;
  if (entry.running.size === 0) {
    entry.idleCpuNs += deltaNs;
    if (entry.idleCpuNs > entry.idleCpuLimitNs) {
      const phase = entry.loaded ? 'after its invocations ended' : 'while loading the module';
      disposeEntry(entry, 'BLOCKLET_CPU_LIMIT', `the blocklet used over ${entry.idleCpuLimitNs / 1_000_000n} ms of CPU ${phase}`, null);
    }
    return;
  }
  const shareNs = deltaNs / BigInt(entry.running.size);
  for (const op of entry.running) {
    op.cpuNs += shareNs;
    if (op.cpuNs > op.cpuLimitNs) {
      disposeEntry(entry, 'BLOCKLET_CPU_LIMIT', `the invocation used over ${op.limits.cpuMs} ms of CPU`, op);
      return;
    }
  }
}

/** Accounts the CPU of every isolate each watchdog interval. */
export function startWatchdog() {
  setInterval(() => {
    for (const entry of entries.values()) accountCpu(entry);
  }, bounds.watchdogIntervalMs);
}

/**
 * Refreshes the isolate's used heap size in the background, at most once per HEAP_SAMPLE_MS. Reading it on
 * the reply path costs ~25 µs (a hop to the isolate thread) and the sync variant blocks this thread while the
 * isolate runs, so usage.memoryBytes is the latest sample (taken at load and after calls), not an exact value.
 */
export function sampleHeap(entry) {
  const now = performance.now();
  if (entry.heapSampling || now - entry.heapSampledAtMs < HEAP_SAMPLE_MS || entry.killed !== null) return;
  entry.heapSampling = true;
  entry.isolate.getHeapStatistics().then(
    (heap) => {
      entry.heapBytes = heap.used_heap_size;
      entry.heapSampledAtMs = performance.now();
      entry.heapSampling = false;
    },
    () => {
      entry.heapSampling = false; // disposed meanwhile: nothing left to measure
    },
  );
}
