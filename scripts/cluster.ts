/**
 * `npm run cluster -- --nodes 4`: a consensus network of N nodes on 127.0.0.1 (ports 8080…, PGlite each in
 * data/cluster/node-i), validators with equal stake from one genesis, and the web app pointed at the first node.
 * Ctrl-C stops everything; the chain resumes at the next start (delete data/cluster for a new one).
 * Options: --nodes N (4), --dir DIR (data/cluster), --base-port P (8080), --web-port P (3000), --no-web.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { bundleNode } from '../apps/node/scripts/bundle.mjs';
import { clusterNodeEnv, planCluster } from '../apps/node/src/consensus/cluster-plan.ts';

const READY_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 15_000;

const Args = z.object({
  nodes: z.coerce.number().int().min(1).max(50).default(4),
  dir: z.string().min(1).default('data/cluster'),
  'base-port': z.coerce.number().int().min(1).max(65_000).default(8080),
  'web-port': z.coerce.number().int().min(1).max(65_535).default(3000),
  'no-web': z.boolean().default(false),
});

function parse() {
  const { values } = parseArgs({
    options: {
      nodes: { type: 'string' },
      dir: { type: 'string' },
      'base-port': { type: 'string' },
      'web-port': { type: 'string' },
      'no-web': { type: 'boolean' },
    },
  });
  const parsed = Args.safeParse(values);
  if (!parsed.success) {
    console.error(`npm run cluster: ${z.prettifyError(parsed.error)}`);
    process.exit(2);
  }
  return parsed.data;
}

const children: { name: string; child: ChildProcess }[] = [];
let stopping = false;

function run(name: string, command: string, args: string[], env: Record<string, string>, cwd?: string): ChildProcess {
  const child = spawn(command, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  for (const stream of [child.stdout, child.stderr]) {
    if (stream) createInterface({ input: stream }).on('line', (line) => console.log(`[${name}] ${line}`));
  }
  child.on('exit', (code, signal) => {
    if (!stopping) console.log(`[cluster] ${name} ${signal ? `was killed by ${signal}` : `exited with code ${code}`}`);
  });
  children.push({ name, child });
  return child;
}

async function waitHealthy(url: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      if (response.ok) return;
    } catch (error) {
      if (!(error instanceof Error)) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  throw new Error(`${url} did not answer within ${READY_TIMEOUT_MS / 1000} s`);
}

async function stopAll(code: number): Promise<never> {
  stopping = true;
  for (const { child } of children) child.kill('SIGTERM');
  const timer = setTimeout(() => {
    for (const { child } of children) child.kill('SIGKILL');
  }, STOP_TIMEOUT_MS);
  await Promise.all(children.map(({ child }) => (child.exitCode === null ? new Promise((r) => child.once('exit', r)) : null)));
  clearTimeout(timer);
  process.exit(code);
}

async function main(): Promise<void> {
  const args = parse();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void stopAll(0));
  const plan = await planCluster({ nodes: args.nodes, dir: args.dir, basePort: args['base-port'] });
  console.log(`[cluster] chain ${plan.chainId}: ${plan.nodes.length} validators, genesis ${plan.genesisFile}`);
  const bundle = await bundleNode();
  const { DATABASE_URL: _shared, ...base } = process.env as Record<string, string>;
  const webOrigins = `http://127.0.0.1:${args['web-port']},http://localhost:${args['web-port']}`;
  for (const node of plan.nodes) {
    run(`node-${node.index + 1}`, process.execPath, [bundle], {
      ...base,
      ...clusterNodeEnv(plan, node.index, { CORS_ORIGINS: webOrigins }),
    });
  }
  await Promise.all(plan.nodes.map((n) => waitHealthy(`${n.url}/health`)));
  const first = plan.nodes[0]?.url as string;
  if (!args['no-web']) {
    const { buildWeb, nextBin, webBuildState, webDir } = await import('../apps/web/scripts/build-if-stale.mjs');
    const state = webBuildState();
    if (state.stale) {
      console.log(`[cluster] building the web app (${state.reason})…`);
      await buildWeb({ log: (line: string) => console.log(`[web] ${line}`) });
    }
    const env = { ...base, NODE_URL: first, NODE_PUBLIC_URL: first, NEXT_TELEMETRY_DISABLED: '1', PORT: String(args['web-port']) };
    run('web', process.execPath, [nextBin, 'start', '-p', String(args['web-port']), '-H', '127.0.0.1'], env, webDir);
    await waitHealthy(`http://127.0.0.1:${args['web-port']}/`);
  }
  console.log('[cluster] ready:');
  for (const n of plan.nodes) console.log(`[cluster]   node-${n.index + 1}  ${n.url}  ${n.did}`);
  if (!args['no-web']) {
    console.log(`[cluster]   web app   http://127.0.0.1:${args['web-port']}  (explorer: /explorer, network: /explorer/network)`);
  }
}

main().catch((error: Error) => {
  console.error(`[cluster] ${error.message}`);
  void stopAll(1);
});
