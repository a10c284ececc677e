import { type ChildProcess, fork } from 'node:child_process';
import { nodeAppPath } from '../../paths.ts';
import { SANDBOX_BOUNDS } from './limits.ts';
import type { FromWorker, ToWorker } from './protocol.ts';

const WORKER_PATH = nodeAppPath('src/runtime/sandbox/worker.mjs');
/** How long a fresh worker may take to load isolated-vm and say ready. */
const WORKER_START_TIMEOUT_MS = 15_000;

export interface WorkerSlotEvents {
  message(slot: WorkerSlot, message: FromWorker): void;
  exit(slot: WorkerSlot, reason: string): void;
  log(line: string): void;
}

/** One worker process of the pool: spawned, watched, respawned by the pool through `start`. */
export class WorkerSlot {
  child: ChildProcess | null = null;
  ready = false;
  /** Ids of invocations and control requests handed to this worker and not answered yet. */
  readonly inFlight = new Set<number>();
  /** Hashes whose source this worker was sent (it asks again with `need-source` if it dropped one). */
  readonly sentSources = new Set<string>();
  isolates = 0;

  constructor(
    readonly index: number,
    private readonly isolatesPerWorkerMax: number,
    private readonly events: WorkerSlotEvents,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Forks the worker and resolves once it has loaded isolated-vm. */
  start(): Promise<void> {
    const config = JSON.stringify({ bounds: SANDBOX_BOUNDS, isolatesPerWorkerMax: this.isolatesPerWorkerMax });
    const child = fork(WORKER_PATH, [config], {
      execArgv: ['--no-node-snapshot'],
      // Nothing of the node's environment (secrets) is handed to the process running untrusted code. (Cast: the web
      // app's type check sees Next's ProcessEnv, whose NODE_ENV is required.)
      env: {} as NodeJS.ProcessEnv,
      serialization: 'json',
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.child = child;
    this.ready = false;
    this.sentSources.clear();
    this.isolates = 0;
    const forward = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line.trim() !== '') this.events.log(`sandbox worker ${this.index}: ${line}`);
    };
    child.stdout?.on('data', forward);
    child.stderr?.on('data', forward);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`sandbox worker ${this.index} did not start within ${WORKER_START_TIMEOUT_MS} ms`));
      }, WORKER_START_TIMEOUT_MS);
      child.on('message', (message: FromWorker) => {
        if (message.t === 'ready') {
          clearTimeout(timer);
          this.ready = true;
          resolve();
          return;
        }
        this.events.message(this, message);
      });
      child.on('exit', (code, signal) => {
        clearTimeout(timer);
        if (this.child !== child) return;
        this.ready = false;
        this.child = null;
        reject(new Error(`sandbox worker ${this.index} exited during start`));
        this.events.exit(this, signal !== null ? `signal ${signal}` : `exit code ${code}`);
      });
      child.on('error', (error) => this.events.log(`sandbox worker ${this.index}: ${error.message}`));
    });
  }

  send(message: ToWorker): boolean {
    if (this.child === null || !this.ready || !this.child.connected) return false;
    this.child.send(message);
    return true;
  }

  kill(): void {
    this.child?.kill('SIGKILL');
  }

  /** Ends the worker and waits for it to exit. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child === null) return;
    this.child = null;
    this.ready = false;
    if (child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }
}

export const MAX_IN_FLIGHT_PER_WORKER = SANDBOX_BOUNDS.maxInFlightPerWorker;
