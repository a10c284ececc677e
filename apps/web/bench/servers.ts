import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** The processes bench:web runs: the web app's build, a throwaway test node, and `next start` of the build. */

export const webDir = join(import.meta.dirname, '..');
export const repoDir = join(webDir, '..', '..');
const nextBin = createRequire(join(webDir, 'package.json')).resolve('next/dist/bin/next');

/** A test node seeds its demo and opens its database: on a busy 2-core machine, this long at most. */
const NODE_START_TIMEOUT_MS = 120_000;
const WEB_START_TIMEOUT_MS = 60_000;
/** How long a stopped server may take to exit on SIGTERM (the test node drops its database) before SIGKILL. */
const STOP_TIMEOUT_MS = 10_000;
/** The output of a child kept for the message when it fails to start. */
const OUTPUT_CHARS_MAX = 4000;

export interface Server {
  url: string;
  stop(): Promise<void>;
}

/** A port nothing listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * Builds the web app into `distDir` with apps/web/scripts/build-if-stale.mjs: only when a source changed after the
 * last build, or always with `force`. Its lines go to `log`.
 */
export function buildWeb(distDir: string, force: boolean, log: (line: string) => void): Promise<void> {
  const args = [join(webDir, 'scripts', 'build-if-stale.mjs'), ...(force ? ['--force'] : [])];
  const child = spawn(process.execPath, args, {
    cwd: webDir,
    env: { ...process.env, ARC_WEB_DIST_DIR: distDir, NEXT_TELEMETRY_DISABLED: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = collect(child, log);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`the web build failed (exit code ${code}):\n${output().slice(-OUTPUT_CHARS_MAX)}`)),
    );
  });
}

/** A throwaway node (fresh database, seeded demo, a block at least every second), as the e2e tests start one. */
export async function startNode(): Promise<Server> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoDir, 'apps', 'node', 'src', 'testing-server.ts')], {
    cwd: repoDir,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return started(child, url, `${url}/health`, NODE_START_TIMEOUT_MS, 'the test node');
}

/** `next start` of the build in `distDir`, pointed at `nodeUrl` (the server's rewrite and the browser's realtime). */
export async function startWeb(distDir: string, nodeUrl: string): Promise<Server> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [nextBin, 'start', '-p', String(port), '-H', '127.0.0.1'], {
    cwd: webDir,
    env: { ...process.env, ARC_WEB_DIST_DIR: distDir, NODE_URL: nodeUrl, NODE_PUBLIC_URL: nodeUrl, NEXT_TELEMETRY_DISABLED: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return started(child, url, `${url}/icon.svg`, WEB_START_TIMEOUT_MS, 'the web server');
}

/** Waits until `readyUrl` answers 200, or fails with the child's output when it exits or takes too long. */
async function started(child: ChildProcess, url: string, readyUrl: string, timeoutMs: number, name: string): Promise<Server> {
  const output = collect(child, () => undefined);
  let exited: string | null = null;
  child.once('exit', (code, signal) => {
    exited = signal ?? `exit code ${code}`;
  });
  const stop = () => stopChild(child);
  const deadlineMs = Date.now() + timeoutMs;
  while (true) {
    if (exited !== null) throw new Error(`${name} exited (${exited}) before it answered:\n${output().slice(-OUTPUT_CHARS_MAX)}`);
    if (Date.now() > deadlineMs) {
      await stop();
      throw new Error(`${name} did not answer ${readyUrl} within ${timeoutMs} ms:\n${output().slice(-OUTPUT_CHARS_MAX)}`);
    }
    if (await answers(readyUrl)) return { url, stop };
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    // Not listening yet (connection refused) or not answering yet: the caller polls again.
    return false;
  }
}

/** SIGTERM (the test node drops its temporary database), then SIGKILL if it does not exit in time. */
function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Passes each line of the child's output to `log` and keeps the last of it for error messages. */
function collect(child: ChildProcess, log: (line: string) => void): () => string {
  let kept = '';
  let pending = '';
  const onData = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    kept = (kept + text).slice(-OUTPUT_CHARS_MAX);
    pending += text;
    const lines = pending.split(/\r?\n/);
    pending = lines.pop() ?? '';
    for (const line of lines) log(line);
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  return () => kept;
}
