import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleNode } from '../../scripts/bundle.mjs';
import { PGLITE_TEMPLATE_ENV } from '../../src/testing.ts';

const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
/** The bundle, made once per test process (the node as `npm start` runs it). */
let bundled: Promise<string> | null = null;
/** Variables of the node that a test process may carry and that must not leak into a child node. */
const NODE_VARIABLES = [
  'DATABASE_URL',
  'DATA_DIR',
  'PORT',
  'HOST',
  'GENESIS_FILE',
  'NODE_KEY_FILE',
  'SEED_DEMO',
  'BLOCK_INTERVAL_MS',
  'MQTT_PORT',
];
/** A bound against a hung start, not a speed check: creating a PGlite folder takes tens of seconds on a busy machine. */
const START_TIMEOUT_MS = 120_000;

/**
 * Ports handed to child nodes come from below Linux's ephemeral range (32768–60999), which is where
 * every listener on port 0 (a node's MQTT broker, a test's server) is put. A port the OS picked and
 * we released could be given to such a listener before the child binds it, or between a kill and a
 * restart on the same port (seen: a restarted node's own MQTT broker took its HTTP port). Each vitest
 * worker draws from its own slice, so two workers do not pick the same port either.
 */
const PORT_FLOOR = 20_000;
const PORT_SLICE = 1_500;
const PORT_SLICES = 8;
const PORT_ATTEMPTS = 100;

/** A loopback port nobody listens on right now, outside the range the OS assigns to port-0 listeners. */
export async function freePort(): Promise<number> {
  const slice = Number(process.env.VITEST_POOL_ID ?? 0) % PORT_SLICES;
  for (let attempt = 0; attempt < PORT_ATTEMPTS; attempt += 1) {
    const port = PORT_FLOOR + slice * PORT_SLICE + Math.floor(Math.random() * PORT_SLICE);
    if (await bindable(port)) return port;
  }
  throw new Error(`no free loopback port in ${PORT_FLOOR + slice * PORT_SLICE}+${PORT_SLICE} after ${PORT_ATTEMPTS} tries`);
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * Gives a node's DATA_DIR the run's migrated PGlite template (testing.ts) as its database, when the run made one and
 * the folder has none yet: a node (or a cluster's full node) then opens it as its second start does, without the
 * seconds of initdb and migrations a first start spends. Tests of the first start itself leave the folder empty.
 */
export async function seedDataDir(dataDir: string): Promise<void> {
  const template = process.env[PGLITE_TEMPLATE_ENV];
  const pglite = join(dataDir, 'pglite');
  if (!template || existsSync(pglite)) return;
  await mkdir(dataDir, { recursive: true });
  await cp(template, pglite, { recursive: true });
}

export interface ChildNodeEnv {
  DATA_DIR: string;
  /** Set to run on PostgreSQL instead of PGlite in DATA_DIR. */
  DATABASE_URL?: string;
  BLOCK_INTERVAL_MS?: string;
  /** A genesis file other than the dev chain's (bench:scale). */
  GENESIS_FILE?: string;
  DEV_BRIDGE?: 'auto' | 'off';
  /** A process of a cloud node (cloud/README.md), with the Redis its processes share and the lease's length. */
  ARC_PROCESS?: string;
  REDIS_URL?: string;
  REDIS_KEY_PREFIX?: string;
  ARC_LEASE_MS?: string;
  /** Blocklet routes' rate limit per caller (a load test sets the highest an operator may). */
  BLOCKLET_HTTP_RATE_PER_SEC?: string;
  BLOCKLET_HTTP_BURST?: string;
}

/** A node running as its own process, the way an operator runs it (`npm start` runs apps/node/dist/main.mjs). */
export class ChildNode {
  private text = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(
    readonly child: ChildProcess,
    readonly port: number,
  ) {
    child.stdout?.on('data', (chunk: Buffer) => {
      this.text += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      this.text += chunk.toString();
    });
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  /** Everything the process printed so far. */
  get output(): string {
    return this.text;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Builds the bundle child nodes run, if this process has not yet (so a timed spawn does not include it). */
  static async prepare(): Promise<void> {
    bundled ??= bundleNode();
    await bundled;
  }

  /**
   * Spawns the node; call ready() to wait until it listens. `port`: the one a node before it had (clients reconnect).
   * A PGlite folder that does not exist yet starts as a copy of the run's migrated template (testing.ts), as test
   * nodes in process do; `freshDatabase` lets the node create it from nothing instead, as a first start does.
   */
  static async spawn(env: ChildNodeEnv, options: { wrapper?: string[]; port?: number; freshDatabase?: boolean } = {}): Promise<ChildNode> {
    if (!env.DATABASE_URL && !options.freshDatabase) await seedDataDir(env.DATA_DIR);
    const port = options.port ?? (await freePort());
    const base = Object.fromEntries(Object.entries(process.env).filter(([key]) => !NODE_VARIABLES.includes(key)));
    // A wrapper (e.g. strace) runs the node as its child: [command, ...its arguments].
    bundled ??= bundleNode();
    const [command, ...args] = [...(options.wrapper ?? []), process.execPath, await bundled];
    const child = spawn(command ?? process.execPath, args, {
      cwd: REPO_ROOT,
      // MQTT_PORT=0: child nodes run side by side, so none takes the default MQTT port 1884.
      env: { ...base, SEED_DEMO: 'off', HOST: '127.0.0.1', PORT: String(port), MQTT_PORT: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new ChildNode(child, port);
  }

  /** Resolves once the node prints `node listening on`; rejects with its output if it exits first. */
  async ready(timeoutMs = START_TIMEOUT_MS): Promise<this> {
    const deadline = Date.now() + timeoutMs;
    let exited = false;
    void this.exited.then(() => {
      exited = true;
    });
    while (!this.text.includes('node listening on')) {
      if (exited) throw new Error(`the node exited before listening:\n${this.text}`);
      if (Date.now() > deadline) {
        await this.kill();
        throw new Error(`the node did not listen within ${timeoutMs} ms:\n${this.text}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return this;
  }

  /** kill -9 (or another signal) and wait for the process to be gone. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    await this.exited;
  }
}
