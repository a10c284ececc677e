/**
 * Sandbox worker process (plain JS so the child starts without a TypeScript loader). Forked by pool.ts with
 * `--no-node-snapshot` (isolated-vm needs it). Holds one isolate per deployment (blocklet@version, never per
 * code hash: byte-identical bundles of two blocklets get two isolates, so no module state crosses them), with the
 * module compiled once and its context reused across invocations of that deployment; enforces wall-clock, CPU and
 * memory limits; forwards host calls of the blocklet to the pool over IPC. Protocol: see protocol.ts.
 */
import ivm from 'isolated-vm';
import { sdkShim } from './sdk-shim.mjs';

const config = JSON.parse(process.argv[2] ?? '{}');
/** @type {typeof import('./limits.ts').SANDBOX_BOUNDS} */
const bounds = config.bounds;
const isolatesMax = config.isolatesPerWorkerMax;
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
const HOST_METHODS = new Set([
  'kv.get',
  'kv.set',
  'kv.delete',
  'kv.list',
  'publish',
  'fetch',
  'ocap.query',
  'ocap.send',
  'ledger.did',
  'ledger.submit',
]);

/** Cached isolates by entryKey(deployment, hash, memoryMb), least recently used first. */
const entries = new Map();
/** Blocklet sources by hash, least recently used first. */
const sources = new Map();
let sourceBytes = 0;
/** Invocations by the pool's id (also the token the SDK passes to the bridge). */
const ops = new Map();
/** Invocations waiting for the pool to send a source this worker dropped, by hash. */
const awaitingSource = new Map();
/** Host calls waiting for the pool's answer: the worker's callId → { op, shimCallId } (the shim's id in its isolate). */
const hostCalls = new Map();
let hostCallSeq = 0;
/** Hashes whose module failed to compile or link (deterministic, so not retried), with the message. */
const invalidCode = new Map();

const send = (message) => process.send?.(message);

/** The isolate of a deployment (its hash and memory limit are part of the key only as a safety net). */
function entryKey(deployment, hash, memoryMb) {
  return JSON.stringify([deployment, hash, memoryMb]);
}

function rememberSource(hash, source) {
  if (sources.has(hash)) {
    sources.delete(hash);
    sources.set(hash, source);
    return;
  }
  sources.set(hash, source);
  sourceBytes += source.length;
  for (const [oldHash, oldSource] of sources) {
    if (sourceBytes <= bounds.maxSourceCacheBytes || oldHash === hash) break;
    sources.delete(oldHash);
    sourceBytes -= oldSource.length;
  }
}

function forgetSource(hash) {
  const source = sources.get(hash);
  if (source === undefined) return;
  sources.delete(hash);
  sourceBytes -= source.length;
}

// ---------------------------------------------------------------- the bridge (the isolate's only way out)

function reply(ok, payload) {
  return ok ? payload : JSON.stringify({ ok: false, code: payload.code, message: payload.message });
}

/**
 * Called by the shim (applyIgnored: the isolate does not wait). A host call's answer goes back into the isolate
 * as a task of its own (`deliverReply`); a call of an invocation that has ended is dropped, never answered.
 */
function bridge(token, method, argsJson, shimCallId) {
  const op = ops.get(token);
  if (op === undefined || op.done) return;
  if (method === 'log') {
    forwardLog(op, argsJson);
    return;
  }
  if (typeof shimCallId !== 'number') return;
  if (typeof method !== 'string' || !HOST_METHODS.has(method) || typeof argsJson !== 'string') {
    deliverReply(op, shimCallId, reply(false, { code: 'UNKNOWN_METHOD', message: `unknown host method ${String(method)}` }));
    return;
  }
  op.hostCallCount += 1;
  if (op.hostCallCount > bounds.maxHostCallsPerInvocation) {
    const message = `over ${bounds.maxHostCallsPerInvocation} host calls in one invocation`;
    deliverReply(op, shimCallId, reply(false, { code: 'HOST_CALL_LIMIT', message }));
    return;
  }
  if (Buffer.byteLength(argsJson) > bounds.maxHostArgsBytes) {
    const message = `${method}: arguments exceed ${bounds.maxHostArgsBytes} bytes`;
    deliverReply(op, shimCallId, reply(false, { code: 'PAYLOAD_TOO_LARGE', message }));
    return;
  }
  hostCallSeq += 1;
  const callId = hostCallSeq;
  hostCalls.set(callId, { op, shimCallId });
  op.hostCallIds.add(callId);
  send({ t: 'host', id: op.id, callId, method, args: argsJson });
}

/**
 * Settles one host call of a running invocation inside its isolate. The delivery is a task of its own, so a
 * promise rejection the blocklet leaves unhandled in the code it resumes is reported here and charged to `op`.
 */
function deliverReply(op, shimCallId, replyJson) {
  const entry = op.entry;
  if (op.done || entry === null || entry.killed !== null || entry.deliver === null) return;
  entry.deliver.apply(undefined, [shimCallId, replyJson]).then(
    () => {},
    (error) => onTaskError(entry, op, error),
  );
}

function forwardLog(op, argsJson) {
  if (typeof argsJson !== 'string') return;
  op.logLines += 1;
  op.logBytes += argsJson.length;
  // The SDK already truncates; this is the authoritative bound (one extra line for its truncation notice).
  if (op.logLines > bounds.maxLogLinesPerInvocation + 1 || op.logBytes > bounds.maxLogBytesPerInvocation + 1024) return;
  let args;
  try {
    args = JSON.parse(argsJson);
  } catch {
    return;
  }
  if (!Array.isArray(args) || typeof args[0] !== 'string' || typeof args[1] !== 'string') return;
  send({ t: 'log', id: op.id, level: args[0], line: args[1] });
}

const bridgeRef = new ivm.Reference(bridge);

// ---------------------------------------------------------------- isolates

function evictIdleIfFull() {
  if (entries.size < isolatesMax) return;
  for (const entry of entries.values()) {
    if (entry.running.size === 0 && entry.waiting.length === 0 && entry.loaded) {
      disposeEntry(entry, 'BLOCKLET_CRASHED', 'evicted', null);
      return;
    }
  }
}

function createEntry(key, deployment, hash, limits, source) {
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
  entry.isolate = new ivm.Isolate({ memoryLimit: limits.memoryMb });
  entries.set(key, entry);
  const loadTimer = setTimeout(
    () => disposeEntry(entry, 'BLOCKLET_TIMEOUT', `loading the module took over ${limits.timeoutMs} ms`, null),
    Math.max(limits.timeoutMs, 1000),
  );
  entry.ready = load(entry, source).finally(() => clearTimeout(loadTimer));
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
  return [bridgeRef, new ivm.ExternalCopy(bounds).copyInto()];
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
async function load(entry, source) {
  const { isolate, hash } = entry;
  const known = invalidCode.get(hash);
  if (known !== undefined) throw new LoadError('BLOCKLET_INVALID_CODE', known);
  let install;
  try {
    entry.context = isolate.createContextSync();
    const script = compileShim(isolate);
    const shim = script.runSync(entry.context, { reference: true });
    script.release();
    const api = shim.applySync(undefined, shimArguments(), { result: { reference: true } });
    shim.release();
    install = api.getSync('install', { reference: true });
    entry.deliver = api.getSync('deliver', { reference: true });
    entry.end = api.getSync('end', { reference: true });
    api.release();
  } catch (error) {
    throw loadFailure(entry, 'BLOCKLET_CRASHED', error);
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
function disposeEntry(entry, code, message, culprit) {
  if (entry.killed !== null) return;
  entry.killed = { code, message, culprit };
  if (entries.get(entry.key) === entry) entries.delete(entry.key);
  if (!entry.isolate.isDisposed) entry.isolate.dispose();
  const waiting = entry.waiting.splice(0);
  for (const op of waiting) runOp(op);
}

/** Splits the isolate's CPU since the last look among its running invocations; kills it over a budget. */
function accountCpu(entry) {
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

setInterval(() => {
  for (const entry of entries.values()) accountCpu(entry);
}, bounds.watchdogIntervalMs);

// ---------------------------------------------------------------- invocations

function startInvoke(message) {
  const op = {
    id: message.id,
    message,
    hash: message.hash,
    deployment: message.deployment,
    key: entryKey(message.deployment, message.hash, message.limits.memoryMb),
    limits: message.limits,
    entry: null,
    started: false,
    done: false,
    cpuNs: 0n,
    cpuLimitNs: BigInt(message.limits.cpuMs) * 1_000_000n,
    startedAtMs: performance.now(),
    hostCallCount: 0,
    hostCallIds: new Set(),
    logLines: 0,
    logBytes: 0,
    timer: null,
  };
  ops.set(op.id, op);
  op.timer = setTimeout(() => onTimeout(op), message.limits.timeoutMs);
  if (typeof message.source === 'string') rememberSource(message.hash, message.source);
  runOp(op);
}

function onTimeout(op) {
  if (op.done) return;
  const message = `the invocation ran over its ${op.limits.timeoutMs} ms timeout`;
  if (op.started && op.entry !== null) {
    disposeEntry(op.entry, 'BLOCKLET_TIMEOUT', message, op);
    return;
  }
  if (op.entry !== null) op.entry.waiting = op.entry.waiting.filter((other) => other !== op);
  finishOp(op, { error: { code: 'BLOCKLET_TIMEOUT', message } });
}

async function runOp(op) {
  if (op.done) return;
  let entry = entries.get(op.key);
  if (entry === undefined) {
    const source = sources.get(op.hash);
    if (source === undefined) {
      const list = awaitingSource.get(op.hash) ?? [];
      list.push(op);
      awaitingSource.set(op.hash, list);
      if (list.length === 1) send({ t: 'need-source', hash: op.hash });
      return;
    }
    entry = createEntry(op.key, op.deployment, op.hash, op.limits, source);
  }
  op.entry = entry;
  try {
    await entry.ready;
  } catch (error) {
    finishOp(op, { error: { code: error.code ?? 'BLOCKLET_ERROR', message: error.message } });
    return;
  }
  if (op.done) return;
  if (entry.killed !== null) return runOp(op);
  if (entry.running.size >= bounds.maxConcurrentPerIsolate) {
    entry.waiting.push(op);
    return;
  }
  execute(entry, op);
}

function execute(entry, op) {
  accountCpu(entry);
  entry.idleCpuNs = 0n;
  entry.running.add(op);
  op.started = true;
  // Keep the cache in least-recently-used order.
  entries.delete(entry.key);
  entries.set(entry.key, entry);
  const { handler, input, env, invocationId } = op.message;
  entry.dispatch.apply(undefined, [op.id, handler, input, env, invocationId], { result: { promise: true } }).then(
    (replyJson) => onReply(entry, op, replyJson),
    (error) => onTaskError(entry, op, error),
  );
}

function onReply(entry, op, replyJson) {
  accountCpu(entry);
  const memoryBytes = entry.heapBytes;
  sampleHeap(entry);
  if (typeof replyJson !== 'string') {
    finishOp(op, { error: { code: 'BLOCKLET_ERROR', message: 'the blocklet returned no reply' } }, memoryBytes);
  } else if (replyJson.length > bounds.maxOutputBytes / 3 && Buffer.byteLength(replyJson) > bounds.maxOutputBytes + 64) {
    finishOp(op, { error: { code: 'BLOCKLET_ERROR', message: `the output exceeds ${bounds.maxOutputBytes} bytes of JSON` } }, memoryBytes);
  } else {
    finishOp(op, { reply: replyJson }, memoryBytes);
  }
}

/**
 * Refreshes the isolate's used heap size in the background, at most once per HEAP_SAMPLE_MS. Reading it on
 * the reply path costs ~25 µs (a hop to the isolate thread) and the sync variant blocks this thread while the
 * isolate runs, so usage.memoryBytes is the latest sample (taken at load and after calls), not an exact value.
 */
function sampleHeap(entry) {
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

/**
 * A task of `op` in its isolate (its dispatch or the delivery of one of its host answers) failed. The shim's
 * dispatch never throws, so unless the isolate died this is a promise rejection the blocklet's code left
 * unhandled during that task: it fails `op` — the invocation whose code was running — and never another one.
 */
function onTaskError(entry, op, error) {
  if (entry.killed !== null || entry.isolate.isDisposed || /memory limit/.test(String(error?.message))) {
    onFault(entry, op, error);
    return;
  }
  if (op.done) return;
  const message = `unhandled promise rejection: ${describeError(error)} (await every promise, or give it a rejection handler)`;
  finishOp(op, { error: { code: 'BLOCKLET_ERROR', message } });
  // The handler may still be running: its host calls are never answered and its log lines dropped.
  entry.end.applyIgnored(undefined, [op.id]);
}

function describeError(error) {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

function onFault(entry, op, error) {
  let failure;
  if (entry.killed !== null) {
    const { code, message, culprit } = entry.killed;
    failure = { code, message: culprit === op || culprit === null ? message : `${message} (in another invocation sharing this isolate)` };
  } else if (entry.isolate.isDisposed || /memory limit/.test(String(error?.message))) {
    failure = { code: 'BLOCKLET_MEMORY_LIMIT', message: `the blocklet ran over its ${op.limits.memoryMb} MB memory limit` };
    disposeEntry(entry, failure.code, failure.message, op);
  } else {
    failure = { code: 'BLOCKLET_ERROR', message: String(error?.message ?? error) };
  }
  finishOp(op, { error: failure });
}

function finishOp(op, outcome, memoryBytes = 0) {
  if (op.done) return;
  op.done = true;
  clearTimeout(op.timer);
  ops.delete(op.id);
  // Answers still to come are dropped: the shim never settles a host call of an ended invocation.
  for (const callId of op.hostCallIds) hostCalls.delete(callId);
  const entry = op.entry;
  if (entry?.running.delete(op) && entry.killed === null) {
    const next = entry.waiting.shift();
    if (next !== undefined) execute(entry, next);
  }
  const usage = { cpuMs: Number(op.cpuNs) / 1e6, wallMs: performance.now() - op.startedAtMs, memoryBytes };
  send({ t: 'result', id: op.id, ...outcome, usage, isolates: entries.size });
}

// ---------------------------------------------------------------- control messages

async function warm(message) {
  rememberSource(message.hash, message.source);
  const key = entryKey(message.deployment, message.hash, message.limits.memoryMb);
  const entry = entries.get(key) ?? createEntry(key, message.deployment, message.hash, message.limits, message.source);
  try {
    await entry.ready;
    send({ t: 'done', id: message.id, isolates: entries.size });
  } catch (error) {
    send({ t: 'done', id: message.id, isolates: entries.size, error: { code: error.code ?? 'BLOCKLET_ERROR', message: error.message } });
  }
}

function evict(message) {
  const hashes = new Set();
  for (const entry of [...entries.values()]) {
    if (entry.deployment !== message.deployment) continue;
    hashes.add(entry.hash);
    entries.delete(entry.key);
    // In-flight invocations of the old version finish; the isolate goes when they have.
    const dispose = () => {
      if (entry.running.size === 0 && entry.waiting.length === 0) disposeEntry(entry, 'BLOCKLET_CRASHED', 'evicted', null);
      else setTimeout(dispose, 50);
    };
    entry.ready.then(dispose, () => {});
  }
  // Another deployment of the same bundle keeps the source; the pool sends it again if a later call needs it.
  for (const entry of entries.values()) hashes.delete(entry.hash);
  for (const hash of hashes) forgetSource(hash);
  send({ t: 'done', id: message.id, isolates: entries.size });
}

process.on('message', (message) => {
  switch (message.t) {
    case 'invoke':
      startInvoke(message);
      break;
    case 'host-result': {
      const pending = hostCalls.get(message.callId);
      if (pending === undefined) break;
      hostCalls.delete(message.callId);
      pending.op.hostCallIds.delete(message.callId);
      deliverReply(pending.op, pending.shimCallId, message.reply);
      break;
    }
    case 'source': {
      rememberSource(message.hash, message.source);
      const waiting = awaitingSource.get(message.hash) ?? [];
      awaitingSource.delete(message.hash);
      for (const op of waiting) runOp(op);
      break;
    }
    case 'warm':
      warm(message);
      break;
    case 'evict':
      evict(message);
      break;
    default:
      throw new Error(`unknown message ${message.t}`);
  }
});

// The pool is our only reason to live: if it goes, so do we.
process.on('disconnect', () => process.exit(0));
send({ t: 'ready', pid: process.pid });
