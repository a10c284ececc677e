/**
 * Invocations in a sandbox worker: each waits for its deployment's isolate (and for its source, if this worker
 * dropped it), runs under its timeout and CPU budget, and ends exactly once with a result sent to the pool.
 */
import { accountCpu, createEntry, disposeEntry, entryKey, prepareSpare, sampleHeap } from './worker-isolate.mjs';
import { bounds, entries, hostCalls, ops, rememberSource, send, sources } from './worker-state.mjs';

/** Invocations waiting for the pool to send a source this worker dropped, by hash. */
const awaitingSource = new Map();

export function startInvoke(message) {
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

export async function runOp(op) {
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

/** The pool sent a source this worker asked for: the invocations waiting for it run. */
export function sourceArrived(hash) {
  const waiting = awaitingSource.get(hash) ?? [];
  awaitingSource.delete(hash);
  for (const op of waiting) runOp(op);
}

/**
 * Settles one host call of a running invocation inside its isolate. The delivery is a task of its own, so a
 * promise rejection the blocklet leaves unhandled in the code it resumes is reported here and charged to `op`.
 */
export function deliverReply(op, shimCallId, replyJson) {
  const entry = op.entry;
  if (op.done || entry === null || entry.killed !== null || entry.deliver === null) return;
  entry.deliver.apply(undefined, [shimCallId, replyJson]).then(
    () => {},
    (error) => onTaskError(entry, op, error),
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
  prepareSpare();
}
