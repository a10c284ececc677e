/** Named bounds of the sandbox. The worker (plain JS) receives them in its `init` message. */
export const SANDBOX_BOUNDS = {
  /** JSON of the handler's input, bytes. */
  maxInputBytes: 1024 * 1024,
  /** JSON of the handler's output, bytes. */
  maxOutputBytes: 1024 * 1024,
  /** JSON of one host call's arguments, bytes. */
  maxHostArgsBytes: 1024 * 1024,
  /** JSON of one host call's answer, bytes. */
  maxHostResultBytes: 4 * 1024 * 1024,
  /** Host calls (logs excluded) per invocation. */
  maxHostCallsPerInvocation: 1000,
  /** Log lines per invocation; beyond it lines are dropped and one truncation line is written. */
  maxLogLinesPerInvocation: 1000,
  /** Log bytes per invocation (same rule as lines). */
  maxLogBytesPerInvocation: 64 * 1024,
  /** One log line, characters (longer lines are cut). */
  maxLogLineChars: 8 * 1024,
  /** Invocations running at once in one isolate; more wait in the isolate's queue. */
  maxConcurrentPerIsolate: 16,
  /** Invocations handed to one worker at once; more wait in the pool queue. */
  maxInFlightPerWorker: 256,
  /** CPU watchdog period. */
  watchdogIntervalMs: 5,
  /** Bytes of blocklet sources a worker keeps to rebuild isolates without asking the pool again. */
  maxSourceCacheBytes: 256 * 1024 * 1024,
} as const;

/** Accepted ranges of per-invocation limits (a value outside is a programmer error: TypeError). */
export const LIMIT_RANGES = {
  cpuMs: { min: 1, max: 60_000 },
  memoryMb: { min: 8, max: 4096 },
  timeoutMs: { min: 1, max: 15 * 60_000 },
} as const;

/** Worker restarts allowed in `restartWindowMs` before respawns are delayed by `restartBackoffMs`. */
export const RESTART_POLICY = { maxRestarts: 10, restartWindowMs: 60_000, restartBackoffMs: 2_000 } as const;

/** Extra time the pool waits past a call's timeout before it declares the worker hung and kills it. */
export const HUNG_WORKER_GRACE_MS = 5_000;
