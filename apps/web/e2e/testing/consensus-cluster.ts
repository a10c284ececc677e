import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * A real consensus network for the explorer's e2e tests: `npm run cluster`'s script (scripts/cluster.ts) starts 4 node
 * processes, validators of one genesis with equal stake, in a temporary folder; then the built web app (the one the
 * config's web server built) is started again, pointed at the first node. Each node's folder starts as a copy of one
 * migrated PGlite folder (made once, by the node's own code), as the node's tests seed theirs: four first starts at
 * once take minutes on a busy machine. Still tens of seconds, so only the spec that needs it starts it, once.
 */

const repoDir = join(import.meta.dirname, '..', '..', '..', '..');
const webDir = join(repoDir, 'apps', 'web');
const nextBin = createRequire(join(webDir, 'package.json')).resolve('next/dist/bin/next');

/** Bounds against a hung start or stop, not speed checks (scripts/cluster.ts itself waits 120 s for each node's /health). */
const CLUSTER_READY_TIMEOUT_MS = 180_000;
const WEB_READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 20_000;
/** Starts of the whole cluster before giving up (see startConsensusCluster). */
const CLUSTER_START_ATTEMPTS = 2;
/** Ports above Linux's ephemeral range, as the config picks its own (playwright.config.ts). */
const PORT_FLOOR = 61_000;
const PORT_SPAN = 4_000;
const PORT_ATTEMPTS = 100;

export interface ConsensusCluster {
  /** The web app pointed at the first node. */
  webUrl: string;
  /** The nodes' URLs, the first being the one the web app reads. */
  nodeUrls: string[];
  /** The validators' DIDs, in the genesis's order (node 1 first). */
  validatorDids: string[];
  stop(): Promise<void>;
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** `count` consecutive loopback ports nobody listens on right now. */
async function freePorts(count: number): Promise<number> {
  for (let attempt = 0; attempt < PORT_ATTEMPTS; attempt += 1) {
    const base = PORT_FLOOR + Math.floor(Math.random() * (PORT_SPAN - count));
    let all = true;
    for (let i = 0; i < count && all; i += 1) all = await bindable(base + i);
    if (all) return base;
  }
  throw new Error(`no ${count} free consecutive loopback ports in ${PORT_FLOOR}–${PORT_FLOOR + PORT_SPAN} after ${PORT_ATTEMPTS} tries`);
}

/** Output kept of each child, to show when it fails: the nodes log every gossip connection. */
const OUTPUT_KEPT_CHARS = 64 * 1024;

/** A child process whose output's tail is kept, and which notes when it has printed `marker`. */
function run(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; marker?: string }) {
  const { marker, ...spawnOptions } = options;
  // Its own process group: stop() can end the script's node processes too if the script itself does not.
  const child = spawn(command, args, { ...spawnOptions, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  let marked = false;
  const keep = (chunk: Buffer) => {
    output += chunk.toString();
    if (marker && !marked && output.includes(marker)) marked = true;
    if (output.length > OUTPUT_KEPT_CHARS) output = output.slice(-OUTPUT_KEPT_CHARS);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { child, exited, output: () => output, marked: () => marked };
}

async function waitUntil(what: string, timeoutMs: number, ready: () => Promise<boolean>, failed: () => string | null): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const failure = failed();
    if (failure !== null) throw new Error(`${what}: ${failure}`);
    if (await ready()) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${what} within ${timeoutMs / 1000} s`);
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await response.arrayBuffer();
    return response.ok;
  } catch (error) {
    if (error instanceof Error) return false;
    throw error;
  }
}

async function stopProcess(process: ReturnType<typeof run>): Promise<void> {
  const { child, exited } = process;
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => {
    // The group this module started (see run): the script and the nodes it spawned.
    if (child.pid !== undefined) globalThis.process.kill(-child.pid, 'SIGKILL');
  }, STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

/** A migrated PGlite folder made by the node's own code (pglite-template.ts, in a process of its own). */
async function pgliteTemplate(env: NodeJS.ProcessEnv): Promise<string> {
  const maker = run(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'pglite-template.ts')], { cwd: repoDir, env });
  await maker.exited;
  const dir = maker.output().trim().split('\n').at(-1) ?? '';
  if (maker.child.exitCode !== 0 || !dir.endsWith('db')) throw new Error(`making a PGlite template failed:\n${maker.output()}`);
  return dir;
}

/**
 * Starts 4 validator nodes and a web app on the first; stop() ends them and removes their folder. A machine loaded by
 * other work can fail a node's start (its blocklet sandbox's workers not up within their bound): that start is
 * reported and tried once more, from fresh folders and ports.
 */
export async function startConsensusCluster(nodes = 4): Promise<ConsensusCluster> {
  // The test worker's own variables (the e2e node's PORT, a DATABASE_URL) are not the cluster's.
  const { PORT: _port, DATABASE_URL: _database, NODE_URL: _nodeUrl, ...env } = process.env;
  const template = await pgliteTemplate(env);
  try {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await startOnce(nodes, template, env);
      } catch (error) {
        if (attempt >= CLUSTER_START_ATTEMPTS || !(error instanceof Error)) throw error;
        console.warn(
          `the consensus cluster did not start (attempt ${attempt} of ${CLUSTER_START_ATTEMPTS}), trying again: ${error.message}`,
        );
      }
    }
  } finally {
    await rm(dirname(template), { recursive: true, force: true });
  }
}

async function startOnce(nodes: number, template: string, env: NodeJS.ProcessEnv): Promise<ConsensusCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'arc-e2e-consensus-'));
  const basePort = await freePorts(nodes);
  const webPort = await freePorts(1);
  const nodeUrls = Array.from({ length: nodes }, (_, i) => `http://127.0.0.1:${basePort + i}`);
  const firstNode = nodeUrls[0] as string;
  // scripts/cluster.ts names the folders node-1… (apps/node/src/consensus/cluster-plan.ts); a node's database is pglite/ in it.
  for (let i = 1; i <= nodes; i += 1) {
    await mkdir(join(dir, `node-${i}`), { recursive: true });
    await cp(template, join(dir, `node-${i}`, 'pglite'), { recursive: true });
  }
  const cluster = run(
    process.execPath,
    [
      '--import',
      'tsx',
      'scripts/cluster.ts',
      '--nodes',
      String(nodes),
      '--dir',
      dir,
      '--base-port',
      String(basePort),
      // The nodes let this origin's browser reach their gateway; the script's own web app is not started.
      '--web-port',
      String(webPort),
      '--no-web',
    ],
    { cwd: repoDir, env, marker: '[cluster] ready:' },
  );
  const web = run(process.execPath, [nextBin, 'start', '-p', String(webPort), '-H', '127.0.0.1'], {
    cwd: webDir,
    env: { ...env, NODE_URL: firstNode, NODE_PUBLIC_URL: firstNode, NEXT_TELEMETRY_DISABLED: '1' },
  });
  const stop = async () => {
    await Promise.all([stopProcess(web), stopProcess(cluster)]);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const exitedEarly = (name: string, p: ReturnType<typeof run>) => () =>
      p.child.exitCode !== null ? `${name} exited with code ${p.child.exitCode}:\n${p.output().slice(-4000)}` : null;
    await waitUntil(
      'the cluster did not get ready',
      CLUSTER_READY_TIMEOUT_MS,
      async () => cluster.marked(),
      exitedEarly('scripts/cluster.ts', cluster),
    );
    const webUrl = `http://127.0.0.1:${webPort}`;
    await waitUntil(
      'the web app did not answer',
      WEB_READY_TIMEOUT_MS,
      () => answers(`${webUrl}/icon.svg`),
      exitedEarly('next start', web),
    );
    const genesis = JSON.parse(await readFile(join(dir, 'genesis.json'), 'utf8')) as {
      params: { consensus: { validators: { did: string }[] } };
    };
    return { webUrl, nodeUrls, validatorDids: genesis.params.consensus.validators.map((v) => v.did), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
