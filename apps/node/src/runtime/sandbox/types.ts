/**
 * The sandbox contract: the runtime service hands a bundled blocklet module, a handler name, its input and
 * a host function to a pool of worker processes, each holding isolated-vm isolates.
 */
import { type ErrorCode, isRetriable, retriableOf } from '@arc/core';

/**
 * The codes a sandbox call fails with (their sentences, statuses and retriable flags are the catalogue's, in
 * @arc/core):
 * - BLOCKLET_TIMEOUT: wall-clock timeout (includes async waits and the wait for a worker);
 * - BLOCKLET_CPU_LIMIT: CPU time over limits.cpuMs (watchdog on isolate.cpuTime, sync and async loops);
 * - BLOCKLET_MEMORY_LIMIT: isolate heap over limits.memoryMb (isolate disposed);
 * - BLOCKLET_ERROR: the blocklet's code threw / rejected, or its output is not JSON;
 * - BLOCKLET_HANDLER_NOT_FOUND: the default export has no own enumerable function of that name;
 * - BLOCKLET_INVALID_CODE: the bundle does not compile / link as an ES module;
 * - BLOCKLET_CRASHED: the worker process died during the call (respawned);
 * - BLOCKLET_OVERLOADED: the pool's queue is full.
 */
export const SANDBOX_ERROR_CODES = [
  'BLOCKLET_TIMEOUT',
  'BLOCKLET_CPU_LIMIT',
  'BLOCKLET_MEMORY_LIMIT',
  'BLOCKLET_ERROR',
  'BLOCKLET_HANDLER_NOT_FOUND',
  'BLOCKLET_INVALID_CODE',
  'BLOCKLET_CRASHED',
  'BLOCKLET_OVERLOADED',
] as const satisfies readonly ErrorCode[];

export type SandboxErrorCode = (typeof SANDBOX_ERROR_CODES)[number];

/** Whether retrying the same invocation can help, per code (the catalogue's). */
export const SANDBOX_ERRORS: Readonly<Record<SandboxErrorCode, boolean>> = retriableOf(SANDBOX_ERROR_CODES);

export interface SandboxLimits {
  cpuMs: number;
  memoryMb: number;
  timeoutMs: number;
}

/**
 * One deployed module. `deployment` is the unit of isolation: calls with the same deployment share one module
 * instance (its module-level state) per worker; calls of different deployments never share an isolate, even
 * when their bundles are byte-identical. The runtime uses `<blocklet>@<version>`. `hash` (sha-256 hex of
 * `source`, one bundled ES module without imports) only keys what holds no state: sources and compile results.
 */
export interface SandboxCode {
  deployment: string;
  hash: string;
  source: string;
}

export interface InvokeRequest {
  code: SandboxCode;
  /**
   * Handler name: an own enumerable function property of the default export ('fetch' | 'cron' | 'event' |
   * 'topic' | 'call' …); anything else (inherited `constructor`, `valueOf`, `__proto__`, getters) is
   * BLOCKLET_HANDLER_NOT_FOUND.
   */
  handler: string;
  /** JSON input handed to the handler as its first argument. */
  input: unknown;
  /** ctx.env inside the blocklet (plain strings). */
  env: Record<string, string>;
  limits: SandboxLimits;
  /**
   * Host calls from the sandbox: the runtime implements them (kv, ocap, publish, fetch, log, ledger.submit).
   * JSON in, JSON out; a thrown HostCallError reaches the blocklet as a rejected promise with {code, message}.
   * `method` is the ctx path ('kv.get', 'kv.set', 'kv.delete', 'kv.list', 'publish', 'fetch', 'ocap.query',
   * 'ocap.send', 'ledger.submit', 'log') and `args` the array of the ctx method's arguments as JSON
   * (`['log', [level, line]]` for logs, whose answer is ignored).
   */
  host: (method: string, args: unknown) => Promise<unknown>;
  /** ctx.invocationId inside the blocklet; a random UUID when absent. */
  invocationId?: string;
}

export interface InvokeUsage {
  cpuMs: number;
  wallMs: number;
  memoryBytes: number;
}

export type InvokeResult =
  | { ok: true; output: unknown; usage: InvokeUsage }
  | { ok: false; error: { code: SandboxErrorCode; message: string }; usage: InvokeUsage };

/**
 * Thrown by a host function to reject the blocklet's call with a code it can read (`err.code`) and whether the
 * same call, made again later, can succeed (`err.retriable`: the error catalogue's answer for the code unless the
 * failing part said otherwise, e.g. an adapter's UNAVAILABLE).
 */
export class HostCallError extends Error {
  override name = 'HostCallError';
  readonly retriable: boolean;
  constructor(
    readonly code: string,
    message: string,
    retriable?: boolean,
  ) {
    super(message);
    this.retriable = retriable ?? isRetriable(code);
  }
}

/** Thrown by `warm` when the code cannot be loaded (e.g. BLOCKLET_INVALID_CODE). */
export class SandboxError extends Error {
  override name = 'SandboxError';
  readonly retriable: boolean;
  constructor(
    readonly code: SandboxErrorCode,
    message: string,
  ) {
    super(message);
    this.retriable = SANDBOX_ERRORS[code];
  }
}

export interface SandboxPool {
  /** Never throws for blocklet faults; returns ok:false. */
  invoke(request: InvokeRequest): Promise<InvokeResult>;
  /** Compiles and instantiates the deployment's code in every worker ahead of traffic (blue-green warm-up). */
  warm(code: SandboxCode, limits: SandboxLimits): Promise<void>;
  /** Drops the isolates of a deployment no longer served (calls running in them finish first). */
  evict(deployment: string): Promise<void>;
  stats(): { workers: number; isolates: number; queued: number; restarts: number };
  close(): Promise<void>;
  /** Process ids of the live workers (tests and benchmarks kill or measure them). */
  workerPids(): number[];
}

export interface SandboxPoolOptions {
  /** Worker processes; default 2. */
  workers?: number;
  /** Invocations waiting for a worker slot before BLOCKLET_OVERLOADED; default 1000. */
  maxQueued?: number;
  /** Cached isolates per worker before the least recently used idle one is disposed; default 500. */
  isolatesPerWorkerMax?: number;
  log?: (line: string) => void;
}

export type CreateSandboxPool = (options?: SandboxPoolOptions) => Promise<SandboxPool>;
