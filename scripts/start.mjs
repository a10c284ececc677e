#!/usr/bin/env node
/**
 * `npm start`: local chains, the node and the web app together. Starts the local chains (anvil with the
 * ERC-20/721 test contracts, the Bitcoin regtest chain: apps/node/src/devchains), then the node reaching them
 * (beside its own ledger and the mock chain), waits until its /health answers, builds the web app if its build is
 * missing or older than its sources, starts it pointed at the node, and prints the addresses and the chains.
 * Ctrl-C (or SIGTERM) stops everything; if the node or the web app stops, so does the rest.
 *
 * Environment: PORT (node, 8080), HOST (node, 127.0.0.1), DATA_DIR (node, ./data), WEB_PORT (3000),
 * CORS_ORIGINS (node; default the web app's origins), NODE_PUBLIC_URL (the node's URL for browsers; default the node's).
 * `npm start -- --no-anvil` skips anvil. Other arguments are passed on to the node: `npm start -- --workers 4`
 * (with REDIS_URL) runs a cluster of 4 processes.
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { bundleNode } from '../apps/node/scripts/bundle.mjs';
import { buildWeb, forwardLines, nextBin, webBuildState, webDir } from '../apps/web/scripts/build-if-stale.mjs';
import { blockletUrls } from './blocklet-urls.mjs';
import { chainLines, localChainsPlan, nodeEnv, problemLine, splitArgs, webEnv } from './start-options.mjs';

const repoDir = join(dirname(fileURLToPath(import.meta.url)), '..');

/** How long the node may take to answer /health (first start creates and migrates its database). */
const nodeReadyTimeoutMs = 120_000;
/** How long the local chains may take to be up (anvil, three contract transactions, 200 regtest blocks). */
const chainsReadyTimeoutMs = 90_000;
/** How long `next start` may take to answer its first request. */
const webReadyTimeoutMs = 60_000;
const readyPollIntervalMs = 250;
const readyRequestTimeoutMs = 2_000;
/** While the web app builds, how often to say it still is (a first build takes one to three minutes here). */
const buildProgressIntervalMs = 15_000;
/** After asking the children to stop, how long to wait before killing them. */
const stopTimeoutMs = 15_000;

const port = z.coerce
  .number({ error: 'must be a port number' })
  .int('must be a whole number')
  .min(1, 'must be from 1 to 65535')
  .max(65_535, 'must be from 1 to 65535');

const envSchema = z
  .object({
    PORT: port.default(8080),
    HOST: z.string().trim().min(1, 'must not be empty').default('127.0.0.1'),
    DATA_DIR: z.string().trim().min(1, 'must not be empty').optional(),
    WEB_PORT: port.default(3000),
  })
  .refine((env) => env.PORT !== env.WEB_PORT, {
    path: ['WEB_PORT'],
    error: 'must differ from PORT (the node listens there)',
  });

function parseEnv() {
  const raw = Object.fromEntries(
    ['PORT', 'HOST', 'DATA_DIR', 'WEB_PORT'].map((name) => [name, process.env[name] === '' ? undefined : process.env[name]]),
  );
  const parsed = envSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const name = String(issue.path[0]);
    const given = raw[name] === undefined ? ' (not set, so its default)' : `=${JSON.stringify(raw[name])}`;
    return `  ${name}${given} ${issue.message}`;
  });
  console.error(`npm start: invalid environment\n${problems.join('\n')}`);
  process.exit(2);
}

const env = parseEnv();
const args = splitArgs(process.argv.slice(2));
/** The processes we started, by name; each entry is removed when its process exits. */
const children = new Map();
let stopping = false;

function say(line) {
  console.log(`[start] ${line}`);
}

/**
 * Starts a child in its own process group, so a Ctrl-C in the terminal reaches it once, from us,
 * rather than twice (terminal and us): a second SIGINT would cut short the node's clean shutdown.
 */
function startChild(name, command, args, options) {
  const child = spawn(command, args, { ...options, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  children.set(name, child);
  forwardLines(child.stdout, (line) => console.log(`[${name}] ${line}`));
  forwardLines(child.stderr, (line) => console.error(`[${name}] ${line}`));
  // 'close' rather than 'exit': by then its last output lines have been printed.
  child.exited = new Promise((resolve) => {
    child.on('close', (code, signal) => {
      children.delete(name);
      resolve({ code, signal });
    });
  });
  child.on('error', (error) => {
    console.error(`[start] could not run the ${name}: ${error.message}`);
  });
  return child;
}

/** Asks every child to stop with `signal`, kills whoever is left after a grace period, then exits. */
async function stopAll(signal, exitCode) {
  if (stopping) return;
  stopping = true;
  const running = [...children.values()];
  for (const child of running) child.kill(signal);
  const killTimer = setTimeout(() => {
    for (const [name, child] of children) {
      say(`the ${name} did not stop within ${stopTimeoutMs / 1000} s; killing it`);
      child.kill('SIGKILL');
    }
  }, stopTimeoutMs);
  await Promise.all(running.map((child) => child.exited));
  clearTimeout(killTimer);
  process.exit(exitCode);
}

/** When a child stops on its own, the other one is of no use: stop it and exit with the child's code. */
function exitWithChild(name, child, meaning) {
  child.exited.then(({ code, signal }) => {
    if (stopping) return;
    const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    say(`the ${name} ${how}; ${meaning}`);
    void stopAll('SIGTERM', code ?? 1);
  });
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (stopping) return;
    say(`${signal}: stopping the web app, the node and the local chains`);
    void stopAll(signal, 0);
  });
}
// Children in their own process groups outlive us unless told; this covers a crash of this script.
process.on('exit', () => {
  for (const child of children.values()) child.kill('SIGTERM');
});

/** Polls `url` until it answers with a status `accept`s; rejects after `timeoutMs` or if `child` exits. */
async function waitUntilReady(url, { child, timeoutMs, accept }) {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  child.exited.then(() => {
    exited = true;
  });
  let lastProblem = 'no answer yet';
  while (Date.now() < deadline) {
    if (exited) return false;
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(readyRequestTimeoutMs) });
      await response.arrayBuffer();
      if (accept(response.status)) return true;
      lastProblem = `HTTP ${response.status}`;
    } catch (error) {
      lastProblem = error.cause?.code ?? error.message;
    }
    await new Promise((resolve) => setTimeout(resolve, readyPollIntervalMs));
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000} s (last: ${lastProblem})`);
}

/** The URL to reach a server at: one listening on a wildcard address is reached through loopback. */
function reachableUrl(listenUrl) {
  const url = new URL(listenUrl);
  if (url.hostname === '0.0.0.0') url.hostname = '127.0.0.1';
  if (url.hostname === '[::]') url.hostname = '[::1]';
  return url.origin;
}

/**
 * Starts the local chains process and waits for its `devchains ready <json>` line. Never fails the start: when the
 * process cannot run, one line says why and the node starts with its own ledger and the mock chain only.
 */
async function startLocalChains() {
  const plan = localChainsPlan(process.env, { anvil: args.anvil });
  for (const line of plan.skipped) say(line);
  if (!plan.anvil && !plan.regtest) return null;
  const flags = [...(plan.anvil ? [] : ['--no-anvil']), ...(plan.regtest ? [] : ['--no-regtest'])];
  say(
    `starting the local chains (${[plan.anvil && 'anvil with the ERC-20/721 test contracts', plan.regtest && 'Bitcoin regtest'].filter(Boolean).join(', ')})…`,
  );
  const chains = spawn(process.execPath, ['--import', 'tsx', 'apps/node/src/devchains/main.ts', ...flags], {
    cwd: repoDir,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.set('local chains', chains);
  chains.exited = new Promise((resolve) => {
    chains.on('close', (code, signal) => {
      children.delete('local chains');
      resolve({ code, signal });
    });
  });
  chains.on('error', (error) => say(`could not run the local chains: ${error.message}`));
  forwardLines(chains.stderr, (line) => console.error(`[chains] ${line}`));
  const ready = await new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ failed: `they were not up within ${chainsReadyTimeoutMs / 1000} s` }), chainsReadyTimeoutMs);
    timer.unref();
    forwardLines(chains.stdout, (line) => {
      // The ready line carries the regtest RPC password: read, not printed.
      if (line.startsWith('devchains ready ')) {
        clearTimeout(timer);
        try {
          resolve(JSON.parse(line.slice('devchains ready '.length)));
        } catch (error) {
          resolve({ failed: `their ready line was not JSON (${error.message})` });
        }
      } else console.log(`[chains] ${line}`);
    });
    chains.exited.then(({ code, signal }) =>
      resolve({ failed: `their process ${signal ? `was killed by ${signal}` : `exited with code ${code}`}` }),
    );
  });
  if (stopping) return null;
  if (ready.failed) {
    say(`the local chains could not start: ${ready.failed}; the node starts with its own ledger and the mock chain only`);
    chains.kill('SIGTERM');
    return null;
  }
  for (const problem of ready.problems) say(problemLine(problem));
  chains.exited.then(({ code, signal }) => {
    if (!stopping)
      say(`the local chains ${signal ? `were killed by ${signal}` : `exited with code ${code}`}; the chains page shows them unavailable`);
  });
  return ready;
}

async function main() {
  // 0. The local chains the node reaches beside its own ledger and the mock chain.
  const chains = await startLocalChains();
  if (stopping) return;

  // 1. The node: ready once it has said where it listens and its /health answers 200 there.
  const startedMs = Date.now();
  // Arguments after `npm start --` go to the node (`--workers N`: a cluster on one machine, apps/node/src/gateway/CLUSTER.md).
  // The node runs from its bundle (apps/node/scripts/bundle.mjs, remade at every start in well under a second): it
  // starts about a second sooner than the sources through tsx.
  const bundle = await bundleNode();
  const node = startChild('node', process.execPath, [bundle, ...args.nodeArgs], {
    cwd: repoDir,
    env: nodeEnv(process.env, {
      port: env.PORT,
      host: env.HOST,
      dataDir: env.DATA_DIR,
      webPort: env.WEB_PORT,
      chainsEnv: chains?.nodeEnv ?? {},
    }),
  });
  const announced = new Promise((resolve) => {
    forwardLines(node.stdout, (line) => {
      const match = /node listening on (https?:\/\/\S+)/.exec(line);
      if (match) resolve(match[1]);
    });
    node.exited.then(() => resolve(null));
  });
  say(`starting the node on ${env.HOST}:${env.PORT}…`);
  const announcedUrl = await Promise.race([
    announced,
    new Promise((_, reject) =>
      setTimeout(
        () => reject(new Error(`the node did not say "node listening on …" within ${nodeReadyTimeoutMs / 1000} s`)),
        nodeReadyTimeoutMs,
      ).unref(),
    ),
  ]);
  const nodeUrl = announcedUrl ? reachableUrl(announcedUrl) : null;
  const nodeUp =
    nodeUrl !== null &&
    (await waitUntilReady(`${nodeUrl}/health`, {
      child: node,
      timeoutMs: Math.max(nodeReadyTimeoutMs - (Date.now() - startedMs), readyRequestTimeoutMs),
      accept: (status) => status === 200,
    }));
  if (!nodeUp) {
    const { code, signal } = await node.exited;
    say(`the node ${signal ? `was killed by ${signal}` : `exited with code ${code}`} before it was ready; its output is above.`);
    process.exit(code ?? 1);
  }
  exitWithChild('node', node, 'the web app needs it, so it is stopping too.');

  // 2. The web app's build, when its sources are newer.
  const build = webBuildState();
  if (build.stale) {
    say(`building the web app, because ${build.reason} (next build: one to three minutes on a first start)…`);
    const startedMs = Date.now();
    const progress = setInterval(
      () => say(`still building the web app: ${Math.round((Date.now() - startedMs) / 1000)} s so far…`),
      buildProgressIntervalMs,
    );
    try {
      await buildWeb({ log: (line) => console.log(`[web build] ${line}`) });
    } catch (error) {
      say(`${error.message}; its output is above. Stopping the node.`);
      await stopAll('SIGTERM', error.exitCode ?? 1);
      return;
    } finally {
      clearInterval(progress);
    }
    say(`web app built in ${Math.round((Date.now() - startedMs) / 1000)} s`);
  } else {
    say(`web app build is up to date (${build.reason})`);
  }
  if (stopping) return;

  // 3. The web app, talking to the node through its /trpc proxy.
  const webUrl = `http://127.0.0.1:${env.WEB_PORT}`;
  const web = startChild('web', process.execPath, [nextBin, 'start', '-p', String(env.WEB_PORT), '-H', '127.0.0.1'], {
    cwd: webDir,
    env: webEnv(process.env, nodeUrl),
  });
  exitWithChild('web app', web, 'stopping the node too.');
  const webUp = await waitUntilReady(`${webUrl}/icon.svg`, {
    child: web,
    timeoutMs: webReadyTimeoutMs,
    accept: (status) => status < 500,
  });
  if (!webUp || stopping) return;

  // 4. One URL per blocklet the node serves that answers 200 (the built-in components on a fresh dev chain).
  let blocklets = [];
  try {
    blocklets = await blockletUrls(nodeUrl);
  } catch (error) {
    say(`could not list the node's blocklets: ${error.message}`);
  }
  const width = Math.max(0, ...blocklets.map((entry) => entry.name.length));
  // 5. The chains the node reaches, each with its CAIP-2 id (as the console's chains page shows them).
  let chainRows = [];
  try {
    const response = await fetch(`${nodeUrl}/trpc/ocap.chains`, { signal: AbortSignal.timeout(10_000) });
    chainRows = chainLines((await response.json()).result.data, chains?.ethereum ?? null);
  } catch (error) {
    say(`could not list the node's chains: ${error.message}`);
  }
  const blockletLines = blocklets.map(
    (entry) => `    ${entry.name.padEnd(width)}  ${entry.url ?? `(no sample URL answered 200: ${entry.problem})`}`,
  );

  console.log(
    [
      '',
      `  Arc node  ${nodeUrl}  (tRPC at /trpc, health at /health)`,
      `  Arc web   ${webUrl}  (chains at ${webUrl}/console/chains)`,
      ...(chainRows.length > 0 ? ['', '  Chains (name, CAIP-2 id, adapter, status):', ...chainRows] : []),
      ...(blockletLines.length > 0 ? ['', '  Blocklets (each URL answered 200 just now):', ...blockletLines] : []),
      '',
      '  Press Ctrl-C to stop everything.',
      '',
    ].join('\n'),
  );
}

main().catch((error) => {
  say(`could not start: ${error.message}`);
  void stopAll('SIGTERM', 1);
});
