import { randomUUID } from 'node:crypto';
import { HungTimer } from './hung-timer.ts';
import { HUNG_WORKER_GRACE_MS, LIMIT_RANGES, RESTART_POLICY, SANDBOX_BOUNDS } from './limits.ts';
import type { FromWorker } from './protocol.ts';
import {
  HostCallError,
  type InvokeRequest,
  type InvokeResult,
  type InvokeUsage,
  type SandboxCode,
  SandboxError,
  type SandboxErrorCode,
  type SandboxLimits,
  type SandboxPool,
  type SandboxPoolOptions,
} from './types.ts';
import { MAX_IN_FLIGHT_PER_WORKER, WorkerSlot } from './worker-slot.ts';

/** A worker holding this many more calls than the least loaded one loses the affinity of new calls. */
const AFFINITY_SPREAD_CALLS = 8;
const NO_USAGE: InvokeUsage = { cpuMs: 0, wallMs: 0, memoryBytes: 0 };

interface PendingInvoke {
  kind: 'invoke';
  request: InvokeRequest;
  slot: WorkerSlot;
  resolve: (result: InvokeResult) => void;
  hungTimer: HungTimer;
}
interface PendingControl {
  kind: 'control';
  slot: WorkerSlot;
  resolve: () => void;
  reject: (error: SandboxError) => void;
}
interface Queued {
  request: InvokeRequest;
  input: string;
  resolve: (result: InvokeResult) => void;
  timer: NodeJS.Timeout;
}

function fail(code: SandboxErrorCode, message: string, usage: InvokeUsage = NO_USAGE): InvokeResult {
  return { ok: false, error: { code, message }, usage };
}

function checkLimits(limits: SandboxLimits): void {
  for (const name of ['cpuMs', 'memoryMb', 'timeoutMs'] as const) {
    const value = limits[name];
    const range = LIMIT_RANGES[name];
    if (!Number.isFinite(value) || value < range.min || value > range.max) {
      throw new TypeError(`limits.${name} must be within ${range.min}..${range.max}, got ${value}`);
    }
  }
}

function checkCode(code: SandboxCode): void {
  if (typeof code.deployment !== 'string' || code.deployment === '') {
    throw new TypeError(
      'code.deployment must name the deployment (e.g. <blocklet>@<version>): isolates are never shared across deployments',
    );
  }
}

function byteLength(json: string): number {
  return json.length * 3 <= SANDBOX_BOUNDS.maxInputBytes ? json.length : Buffer.byteLength(json);
}

function encodeInput(input: unknown): string | InvokeResult {
  let json: string | undefined;
  try {
    json = JSON.stringify(input);
  } catch (error) {
    return fail('BLOCKLET_ERROR', `the input is not JSON: ${(error as Error).message}`);
  }
  json ??= 'null';
  if (byteLength(json) > SANDBOX_BOUNDS.maxInputBytes)
    return fail('BLOCKLET_ERROR', `the input exceeds ${SANDBOX_BOUNDS.maxInputBytes} bytes of JSON`);
  return json;
}

/** Starts the worker processes; resolves when all of them are ready. */
export async function createSandboxPool(options: SandboxPoolOptions = {}): Promise<SandboxPool> {
  const workerCount = options.workers ?? 2;
  const maxQueued = options.maxQueued ?? 1000;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const pending = new Map<number, PendingInvoke | PendingControl>();
  /** The worker that holds a deployment's isolate, by deployment. */
  const affinity = new Map<string, WorkerSlot>();
  /** Sources of hashes in flight, to answer a worker's `need-source`. */
  const sourcesInFlight = new Map<string, { source: string; users: number }>();
  const queue: Queued[] = [];
  let nextId = 1;
  let restarts = 0;
  const restartTimes: number[] = [];
  let closed = false;

  const slots: WorkerSlot[] = [];
  for (let i = 0; i < workerCount; i++) {
    slots.push(new WorkerSlot(i, options.isolatesPerWorkerMax ?? 500, { message: onMessage, exit: onExit, log }));
  }
  await Promise.all(slots.map((slot) => slot.start()));

  function onMessage(slot: WorkerSlot, message: FromWorker): void {
    switch (message.t) {
      case 'result':
        slot.isolates = message.isolates;
        settleInvoke(message.id, message.reply, message.error, message.usage);
        break;
      case 'done': {
        slot.isolates = message.isolates;
        const entry = pending.get(message.id);
        if (entry?.kind !== 'control') break;
        pending.delete(message.id);
        slot.inFlight.delete(message.id);
        if (message.error) entry.reject(new SandboxError(message.error.code, message.error.message));
        else entry.resolve();
        break;
      }
      case 'host':
        void answerHostCall(slot, message.id, message.callId, message.method, message.args);
        break;
      case 'log': {
        const entry = pending.get(message.id);
        if (entry?.kind !== 'invoke') break;
        entry.request
          .host('log', [message.level, message.line])
          .catch((error: Error) => log(`sandbox: log host call failed: ${error.message}`));
        break;
      }
      case 'need-source': {
        const known = sourcesInFlight.get(message.hash);
        if (known !== undefined) slot.send({ t: 'source', hash: message.hash, source: known.source });
        else log(`sandbox: worker ${slot.index} asked for an unknown source ${message.hash}`);
        break;
      }
      default:
        break;
    }
  }

  async function answerHostCall(slot: WorkerSlot, id: number, callId: number, method: string, argsJson: string): Promise<void> {
    const entry = pending.get(id);
    let reply: string;
    if (entry?.kind !== 'invoke') {
      reply = JSON.stringify({ ok: false, code: 'INVOCATION_ENDED', message: 'the invocation has ended', retriable: false });
    } else {
      try {
        const value = await entry.request.host(method, JSON.parse(argsJson));
        const json = value === undefined ? undefined : JSON.stringify(value);
        if (json !== undefined && Buffer.byteLength(json) > SANDBOX_BOUNDS.maxHostResultBytes) {
          throw new HostCallError('PAYLOAD_TOO_LARGE', `${method}: the answer exceeds ${SANDBOX_BOUNDS.maxHostResultBytes} bytes`);
        }
        reply = json === undefined ? '{"ok":true}' : `{"ok":true,"value":${json}}`;
      } catch (error) {
        if (error instanceof HostCallError) {
          reply = JSON.stringify({ ok: false, code: error.code, message: error.message, retriable: error.retriable });
        } else {
          // Host internals stay on the host: the blocklet gets a generic error, the node's log gets the detail.
          log(`sandbox: host call ${method} failed: ${(error as Error).stack ?? String(error)}`);
          reply = JSON.stringify({ ok: false, code: 'HOST_ERROR', message: `${method} failed`, retriable: false });
        }
      }
    }
    slot.send({ t: 'host-result', callId, reply });
  }

  function settleInvoke(
    id: number,
    reply: string | undefined,
    error: { code: SandboxErrorCode; message: string } | undefined,
    usage: InvokeUsage,
  ): void {
    const entry = pending.get(id);
    if (entry?.kind !== 'invoke') return;
    pending.delete(id);
    entry.slot.inFlight.delete(id);
    entry.hungTimer.cancel();
    releaseSource(entry.request.code.hash);
    if (error !== undefined) {
      entry.resolve(fail(error.code, error.message, usage));
    } else {
      const parsed = JSON.parse(reply ?? '{"ok":false,"message":"no reply"}') as {
        ok: boolean;
        output?: unknown;
        message?: string;
        code?: string;
      };
      // The shim names one code of its own; everything else the blocklet's code did is BLOCKLET_ERROR.
      const code = parsed.code === 'BLOCKLET_HANDLER_NOT_FOUND' ? parsed.code : 'BLOCKLET_ERROR';
      entry.resolve(parsed.ok ? { ok: true, output: parsed.output, usage } : fail(code, parsed.message ?? 'failed', usage));
    }
    drainQueue();
  }

  function onExit(slot: WorkerSlot, reason: string): void {
    log(`sandbox: worker ${slot.index} died (${reason})`);
    for (const id of [...slot.inFlight]) {
      const entry = pending.get(id);
      if (entry === undefined) continue;
      pending.delete(id);
      if (entry.kind === 'invoke') {
        entry.hungTimer.cancel();
        releaseSource(entry.request.code.hash);
        entry.resolve(fail('BLOCKLET_CRASHED', `the sandbox worker died during the call (${reason})`));
      } else {
        entry.reject(new SandboxError('BLOCKLET_CRASHED', `the sandbox worker died (${reason})`));
      }
    }
    slot.inFlight.clear();
    for (const [deployment, owner] of affinity) if (owner === slot) affinity.delete(deployment);
    if (closed) return;
    restarts += 1;
    const now = Date.now();
    restartTimes.push(now);
    while (restartTimes.length > 0 && (restartTimes[0] as number) < now - RESTART_POLICY.restartWindowMs) restartTimes.shift();
    const delayMs = restartTimes.length > RESTART_POLICY.maxRestarts ? RESTART_POLICY.restartBackoffMs : 0;
    setTimeout(() => respawn(slot), delayMs);
  }

  function respawn(slot: WorkerSlot): void {
    if (closed) return;
    slot.start().then(drainQueue, (error: Error) => log(`sandbox: respawn failed: ${error.message}`));
  }

  function holdSource(code: SandboxCode): void {
    const known = sourcesInFlight.get(code.hash);
    if (known !== undefined) known.users += 1;
    else sourcesInFlight.set(code.hash, { source: code.source, users: 1 });
  }

  function releaseSource(hash: string): void {
    const known = sourcesInFlight.get(hash);
    if (known === undefined) return;
    known.users -= 1;
    if (known.users <= 0) sourcesInFlight.delete(hash);
  }

  /** The worker that already holds this deployment unless it is much busier than the least loaded one. */
  function pickSlot(deployment: string): WorkerSlot | undefined {
    let least: WorkerSlot | undefined;
    for (const slot of slots) {
      if (!slot.ready || slot.inFlight.size >= MAX_IN_FLIGHT_PER_WORKER) continue;
      // Ties go to the worker holding fewer isolates: new deployments spread over the workers (and their spares).
      const fewerIsolates = slot.inFlight.size === least?.inFlight.size && slot.isolates < least.isolates;
      if (least === undefined || slot.inFlight.size < least.inFlight.size || fewerIsolates) least = slot;
    }
    if (least === undefined) return undefined;
    const preferred = affinity.get(deployment);
    if (
      preferred?.ready &&
      preferred.inFlight.size < MAX_IN_FLIGHT_PER_WORKER &&
      preferred.inFlight.size - least.inFlight.size < AFFINITY_SPREAD_CALLS
    ) {
      return preferred;
    }
    if (preferred === undefined) affinity.set(deployment, least);
    return least;
  }

  function dispatch(slot: WorkerSlot, request: InvokeRequest, input: string, resolve: (result: InvokeResult) => void): void {
    const id = nextId++;
    const hash = request.code.hash;
    const hungTimer = new HungTimer(request.limits.timeoutMs + HUNG_WORKER_GRACE_MS, () => {
      log(`sandbox: worker ${slot.index} did not answer call ${id} in time; killing it`);
      slot.kill();
    });
    pending.set(id, { kind: 'invoke', request, slot, resolve, hungTimer });
    slot.inFlight.add(id);
    holdSource(request.code);
    const withSource = !slot.sentSources.has(hash);
    slot.sentSources.add(hash);
    slot.send({
      t: 'invoke',
      id,
      deployment: request.code.deployment,
      hash,
      ...(withSource ? { source: request.code.source } : {}),
      handler: request.handler,
      input,
      env: JSON.stringify(request.env),
      invocationId: request.invocationId ?? randomUUID(),
      limits: request.limits,
    });
  }

  function drainQueue(): void {
    while (queue.length > 0) {
      const next = queue[0] as Queued;
      const slot = pickSlot(next.request.code.deployment);
      if (slot === undefined) return;
      queue.shift();
      clearTimeout(next.timer);
      dispatch(slot, next.request, next.input, next.resolve);
    }
  }

  async function control(slot: WorkerSlot, build: (id: number) => Parameters<WorkerSlot['send']>[0]): Promise<void> {
    const id = nextId++;
    const done = new Promise<void>((resolve, reject) => pending.set(id, { kind: 'control', slot, resolve, reject }));
    slot.inFlight.add(id);
    if (!slot.send(build(id))) {
      pending.delete(id);
      slot.inFlight.delete(id);
      return;
    }
    await done;
  }

  return {
    invoke(request) {
      checkLimits(request.limits);
      checkCode(request.code);
      if (closed) return Promise.resolve(fail('BLOCKLET_OVERLOADED', 'the sandbox pool is closed'));
      const input = encodeInput(request.input);
      if (typeof input !== 'string') return Promise.resolve(input);
      return new Promise<InvokeResult>((resolve) => {
        const slot = queue.length === 0 ? pickSlot(request.code.deployment) : undefined;
        if (slot !== undefined) {
          dispatch(slot, request, input, resolve);
          return;
        }
        if (queue.length >= maxQueued) {
          resolve(fail('BLOCKLET_OVERLOADED', `the sandbox queue is full (${maxQueued} waiting calls)`));
          return;
        }
        const queued: Queued = {
          request,
          input,
          resolve,
          timer: setTimeout(() => {
            const at = queue.indexOf(queued);
            if (at >= 0) queue.splice(at, 1);
            resolve(fail('BLOCKLET_TIMEOUT', `the call waited over its ${request.limits.timeoutMs} ms timeout for a sandbox worker`));
          }, request.limits.timeoutMs),
        };
        queue.push(queued);
      });
    },

    async warm(code, limits) {
      checkLimits(limits);
      checkCode(code);
      await Promise.all(
        slots.map(async (slot) => {
          slot.sentSources.add(code.hash);
          await control(slot, (id) => ({
            t: 'warm',
            id,
            deployment: code.deployment,
            hash: code.hash,
            source: code.source,
            limits,
          }));
        }),
      );
    },

    async evict(deployment) {
      affinity.delete(deployment);
      // A worker drops the source once no isolate of its hash is left; it asks again (need-source) if needed.
      await Promise.all(slots.map((slot) => control(slot, (id) => ({ t: 'evict', id, deployment }))));
    },

    stats() {
      return {
        workers: slots.filter((slot) => slot.ready).length,
        isolates: slots.reduce((sum, slot) => sum + slot.isolates, 0),
        queued: queue.length,
        restarts,
      };
    },

    workerPids() {
      return slots.flatMap((slot) => (slot.ready && slot.pid !== undefined ? [slot.pid] : []));
    },

    async close() {
      closed = true;
      for (const queued of queue.splice(0)) {
        clearTimeout(queued.timer);
        queued.resolve(fail('BLOCKLET_OVERLOADED', 'the sandbox pool is closed'));
      }
      await Promise.all(slots.map((slot) => slot.stop()));
      for (const [id, entry] of pending) {
        pending.delete(id);
        if (entry.kind === 'invoke') {
          entry.hungTimer.cancel();
          entry.resolve(fail('BLOCKLET_CRASHED', 'the sandbox pool was closed during the call'));
        } else {
          entry.reject(new SandboxError('BLOCKLET_CRASHED', 'the sandbox pool was closed'));
        }
      }
    },
  };
}
