import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
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

/** A loopback port nobody listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port was assigned');
  return address.port;
}

export interface ChildNodeEnv {
  DATA_DIR: string;
  /** Set to run on PostgreSQL instead of PGlite in DATA_DIR. */
  DATABASE_URL?: string;
  BLOCK_INTERVAL_MS?: string;
}

/** A node running as its own process, the way an operator runs it (`node --import tsx apps/node/src/main.ts`). */
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

  /** Spawns the node; call ready() to wait until it listens. `port`: the one a node before it had (clients reconnect). */
  static async spawn(env: ChildNodeEnv, options: { wrapper?: string[]; port?: number } = {}): Promise<ChildNode> {
    const port = options.port ?? (await freePort());
    const base = Object.fromEntries(Object.entries(process.env).filter(([key]) => !NODE_VARIABLES.includes(key)));
    // A wrapper (e.g. strace) runs the node as its child: [command, ...its arguments].
    const [command, ...args] = [...(options.wrapper ?? []), process.execPath, '--import', 'tsx', MAIN];
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
