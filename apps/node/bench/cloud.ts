/**
 * bench:cloud — one cloud node (apps/node/src/cloud/README.md) on this machine: processes of the node's bundle sharing
 * one PostgreSQL database and Redis, behind the round-robin TCP proxy `--processes` uses. With 1, 2 and 3 processes,
 * through the proxy: blocklet HTTP invocations/s (a trivial handler), API reads/s (`account.get`) and committed
 * transfers/s (lanes of signed transfers, counted in the database). Then 10 times: kill -9 the producer under a light
 * load and time it until the next block is committed (failover). Goals: failover max < 5 s; invocations and reads with
 * 2 processes ≥ 1.5× one. Each phase opens new connections and checks that the balancer gave every serving process
 * some (it fails otherwise), and prints the cores each group of processes used (cpu-by-process.ts): the model in
 * cloud/README.md "How it scales" is read off those. `--quick`: 1 and 2 processes, short phases, 1 kill (the suite runs it).
 * Needs PostgreSQL (DATABASE_URL, else 127.0.0.1:5432/test) and Redis (REDIS_URL, else 127.0.0.1:6379).
 * Last line: one JSON object.
 */
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { didFromPublicKey } from '@arc/core';
import postgres from 'postgres';
import { z } from 'zod';
import { goal, goalText, quantile, round, verdict } from '../../../scripts/bench-goals.ts';
import { devKey } from '../src/config/dev-keys.ts';
import { installNodeCrypto } from '../src/ledger/node-crypto.ts';
import { testGenesis } from '../src/testing.ts';
import { deploySource } from '../test/helpers/blocklets.ts';
import { ChildNode } from '../test/helpers/child-node.ts';
import { nodeClient } from '../test/helpers/client.ts';
import { CLOUD_REDIS_URL, cloudDatabase } from '../test/helpers/cloud.ts';
import { ABT, randomSigner, type Signer, signItx, transfer, Wallet, waitCommitted } from '../test/helpers/wallet.ts';
import { type CpuGroup, cpuByProcess, cpuText } from './cpu-by-process.ts';

const quick = process.argv.includes('--quick');
const COUNTS = quick ? [1, 2] : [1, 2, 3];
const PHASE_MS = quick ? 800 : 6000;
const WARMUP_MS = quick ? 200 : 3000;
/** After processes start: their indexes catch up with the chain and their JIT warms before a phase is timed. */
const SETTLE_MS = quick ? 200 : 5000;
const HTTP_CONCURRENCY = 32;
const TX_LANES = quick ? 8 : 64;
const KILLS = quick ? 1 : 10;
const LEASE_MS = 2000;
const FAILOVER_GOAL_MS = 5000;

/** The balancer's answer to `{ report: true }` (cloud-proxy.ts). */
const Opened = z.object({ opened: z.record(z.string(), z.number().int().nonnegative()) });
const PROXY_SCRIPT = fileURLToPath(new URL('./cloud-proxy.ts', import.meta.url));
const HELLO = `export default { async fetch() { return { body: 'hi' }; } };`;
const manifest = (owner: string) => `name: bench
version: 1.0.0
title: Bench
author: ${owner}
entry: index.js
interfaces:
  http:
    - { path: /hi, methods: [GET] }
`;

/** The machine's CPU time so far, busy and all (jiffies, /proc/stat): the share busy over a phase shows the headroom. */
function cpuTimes(): { busy: number; all: number } {
  const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  const all = fields.reduce((a, b) => a + b, 0);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  return { busy: all - idle, all };
}

/**
 * A GET with as little client work as Node allows (no fetch, no tRPC client): the load must not be the bottleneck.
 * `agent`: the phase's keep-alive connections.
 */
function httpGet(agent: Agent, url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    get(url, { agent }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`${url} answered ${res.statusCode}`))));
    }).on('error', reject);
  });
}

/**
 * Requests per second of `request` over `ms`, HTTP_CONCURRENCY at a time (after a warm-up); the machine's busy share,
 * and the CPU each group of processes used (in cores). Each phase opens its own keep-alive connections: the balancer
 * spreads connections, not requests, so connections kept from a phase with fewer processes would all stay on those
 * (they did: with 2 and 3 processes serving, the ones added took 0.04 cores and the first did all the work).
 */
async function rate(
  request: (agent: Agent) => Promise<void>,
  ms: number,
  groups: CpuGroup[],
): Promise<{ perSec: number; cpuBusy: number; cpu: Record<string, number> }> {
  const agent = new Agent({ keepAlive: true, maxSockets: HTTP_CONCURRENCY });
  const run = async (until: number) => {
    let done = 0;
    await Promise.all(
      Array.from({ length: HTTP_CONCURRENCY }, async () => {
        while (performance.now() < until) {
          await request(agent);
          done += 1;
        }
      }),
    );
    return done;
  };
  await run(performance.now() + WARMUP_MS);
  const cpu = cpuTimes();
  const byProcess = cpuByProcess(groups);
  const start = performance.now();
  const done = await run(start + ms);
  const after = cpuTimes();
  agent.destroy();
  return {
    perSec: round(done / ((performance.now() - start) / 1000)),
    cpuBusy: round((after.busy - cpu.busy) / (after.all - cpu.all), 2),
    cpu: byProcess.stop(),
  };
}

async function main(): Promise<void> {
  installNodeCrypto();
  await ChildNode.prepare();
  const chainId = (await testGenesis()).chainId;
  const db = await cloudDatabase();
  const sql = postgres(db.url, { max: 2, onnotice: () => undefined });
  const dataDir = mkdtempSync(join(tmpdir(), 'arc-bench-cloud-'));
  const env = {
    DATA_DIR: dataDir,
    DATABASE_URL: db.url,
    REDIS_URL: CLOUD_REDIS_URL,
    REDIS_KEY_PREFIX: `bench${randomBytes(3).toString('hex')}`,
    ARC_LEASE_MS: String(LEASE_MS),
    BLOCK_INTERVAL_MS: '200',
    // The load comes from one address: the highest per-caller limit an operator may set.
    BLOCKLET_HTTP_RATE_PER_SEC: '1000000',
    BLOCKLET_HTTP_BURST: '1000000',
  };
  const members: { name: string; node: ChildNode }[] = [];
  const alive = () => members.filter((m) => m.node.child.exitCode === null && m.node.child.signalCode === null);
  const start = async (name: string) => {
    const node = await (await ChildNode.spawn({ ...env, ARC_PROCESS: name })).ready();
    const at = members.findIndex((m) => m.name === name);
    if (at >= 0) members[at] = { name, node };
    else members.push({ name, node });
    route();
  };
  let serving = 1;
  // The balancer runs as a process of its own (cloud-proxy.ts), told the serving processes' ports on every change.
  const balancer = fork(PROXY_SCRIPT, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const proxyPort = await new Promise<number>((resolve, reject) => {
    balancer.once('message', (message) => resolve((message as { port: number }).port));
    balancer.once('exit', (code) => reject(new Error(`the balancer exited (${code})`)));
  });
  const route = () =>
    balancer.send(
      alive()
        .slice(0, serving)
        .map((m) => m.node.port),
    );
  /** Connections the balancer has sent each backend port so far. */
  const opened = () =>
    new Promise<Record<string, number>>((resolve) => {
      balancer.once('message', (message) => resolve(Opened.parse(message).opened));
      balancer.send({ report: true });
    });
  const url = `http://127.0.0.1:${proxyPort}`;
  const height = async () => Number((await sql<{ h: string }[]>`SELECT max(height) AS h FROM blocks`)[0]?.h ?? 0);
  try {
    await start('p1');
    const client = nodeClient(url);
    const faucetKey = devKey('faucet');
    const faucet = new Wallet(client, chainId, { ...faucetKey, did: didFromPublicKey(faucetKey.publicKey) });
    const owner = new Wallet(client, chainId, randomSigner());
    const senders: Signer[] = Array.from({ length: TX_LANES }, () => randomSigner());
    let last = '';
    for (const to of [owner.did, ...senders.map((s) => s.did)]) last = (await faucet.send(transfer(to, 10n * ABT))).hash;
    await waitCommitted(client, last);
    await deploySource(client, owner, manifest(owner.did), { 'index.js': HELLO }, 'live');
    const nonces = new Map(senders.map((s) => [s.did, 1]));
    const reader = owner.did;

    const invocationsPerSec: number[] = [];
    const readsPerSec: number[] = [];
    const txPerSec: number[] = [];
    /** Per process count: the machine's CPU busy share during the invocation and the read phases (both cores = 1). */
    const cpuBusy: number[][] = [];
    /** Per process count: the cores each group of processes used in the invocation and the read phases. */
    const cpuUse: { invocations: Record<string, number>; reads: Record<string, number> }[] = [];
    /** Per process count: the connections each serving process got from the balancer in the two phases. */
    const connections: { invocations: Record<string, number>; reads: Record<string, number> }[] = [];
    for (const count of COUNTS) {
      while (members.length < count) await start(`p${members.length + 1}`);
      serving = count;
      route();
      await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
      // Where the CPU goes: each serving process (with its sandbox workers), the balancer, this load generator,
      // PostgreSQL and Redis.
      const groups: CpuGroup[] = [
        ...members.slice(0, count).map((m) => ({ name: m.name, pids: [m.node.child.pid as number] })),
        { name: 'balancer', pids: [balancer.pid as number] },
        { name: 'load', pids: [process.pid] },
        { name: 'postgres', comm: 'postgres' },
        { name: 'redis', comm: 'redis-server' },
      ];
      // Every serving process must get connections in each phase: else the phase measured fewer processes than it says.
      const spread = async <T>(phase: string, work: () => Promise<T>): Promise<[T, Record<string, number>]> => {
        const before = await opened();
        const result = await work();
        const after = await opened();
        const got = Object.fromEntries(
          members.slice(0, count).map((m) => [m.name, (after[m.node.port] ?? 0) - (before[m.node.port] ?? 0)]),
        );
        const none = Object.keys(got).filter((name) => got[name] === 0);
        if (none.length > 0) throw new Error(`the balancer sent ${none.join(', ')} no connection in the ${phase} phase (${count} serving)`);
        return [result, got];
      };
      const [invocations, invocationConnections] = await spread('invocation', () =>
        rate((agent) => httpGet(agent, `${url}/b/bench/hi`), PHASE_MS, groups),
      );
      const [reads, readConnections] = await spread('read', () =>
        rate(
          (agent) => httpGet(agent, `${url}/trpc/account.get?input=${encodeURIComponent(JSON.stringify({ did: reader }))}`),
          PHASE_MS,
          groups,
        ),
      );
      connections.push({ invocations: invocationConnections, reads: readConnections });
      // Transfers: each lane sends its sender's next nonce and waits for the answer, then the next.
      const before = Number((await sql<{ n: string }[]>`SELECT count(*) AS n FROM txs`)[0]?.n ?? 0);
      const startNonces = new Map(nonces);
      const began = performance.now();
      const until = began + PHASE_MS;
      await Promise.all(
        senders.map(async (sender) => {
          while (performance.now() < until) {
            const nonce = nonces.get(sender.did) as number;
            const tx = signItx(chainId, sender, nonce, transfer(randomSigner().did, 1n));
            await client.tx.send.mutate({ tx: tx.hex });
            nonces.set(sender.did, nonce + 1);
          }
        }),
      );
      // Counted once everything sent has committed: committed per second of the sending window.
      const sent = senders.reduce((a, s) => a + (nonces.get(s.did) as number) - (startNonces.get(s.did) as number), 0);
      const deadline = performance.now() + 60_000;
      let committed = 0;
      for (;;) {
        committed = Number((await sql<{ n: string }[]>`SELECT count(*) AS n FROM txs`)[0]?.n ?? 0) - before;
        if (committed >= sent || performance.now() > deadline) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const tps = round(committed / ((performance.now() - began) / 1000));
      invocationsPerSec.push(invocations.perSec);
      readsPerSec.push(reads.perSec);
      txPerSec.push(tps);
      cpuBusy.push([invocations.cpuBusy, reads.cpuBusy]);
      cpuUse.push({ invocations: invocations.cpu, reads: reads.cpu });
      console.log(
        `${count} process${count > 1 ? 'es' : ''}: ${invocations.perSec} invocations/s (machine CPU ${Math.round(invocations.cpuBusy * 100)}% busy), ` +
          `${reads.perSec} reads/s (${Math.round(reads.cpuBusy * 100)}% busy), ${tps} committed tx/s`,
      );
      const connectionText = (got: Record<string, number>) =>
        Object.entries(got)
          .map(([name, n]) => `${name} ${n}`)
          .join(', ');
      console.log(`  invocations: connections ${connectionText(invocationConnections)}; cores used: ${cpuText(invocations.cpu)}`);
      console.log(`  reads: connections ${connectionText(readConnections)}; cores used: ${cpuText(reads.cpu)}`);
      // The next phase counts from here.
      for (const s of senders) nonces.set(s.did, (await client.account.get.query({ did: s.did })).nonce + 1);
    }

    // Failovers: the producer killed under a light load; next block committed by another process.
    serving = members.length;
    route();
    const failovers: number[] = [];
    let lightRunning = true;
    const light = (async () => {
      const sender = senders[0] as Signer;
      while (lightRunning) {
        try {
          const nonce = (await client.account.get.query({ did: sender.did })).nonce + 1;
          await client.tx.send.mutate({ tx: signItx(chainId, sender, nonce, transfer(randomSigner().did, 1n)).hex });
        } catch {
          // a request that died with its process; the next one goes elsewhere
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    for (let kill = 0; kill < KILLS; kill += 1) {
      const holder = (await sql<{ holder: string }[]>`SELECT holder FROM node_lease`)[0]?.holder;
      const victim = members.find((m) => m.name === holder);
      if (!victim) throw new Error(`no process holds the lease (${holder})`);
      const killedAt = performance.now();
      await victim.node.kill('SIGKILL');
      route();
      // Read once it is gone: a block it had in flight may have landed meanwhile.
      const atKill = await height();
      while ((await height()) <= atKill) {
        if (performance.now() - killedAt > 30_000) throw new Error('no block within 30 s of killing the producer');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const ms = round(performance.now() - killedAt);
      failovers.push(ms);
      console.log(`failover ${kill + 1}/${KILLS}: ${victim.name} killed → next block in ${ms} ms`);
      await start(victim.name);
    }
    lightRunning = false;
    await light;

    const failoverP50Ms = quantile(failovers, 0.5) as number;
    const failoverMaxMs = Math.max(...failovers);
    const invocationsRatio = round((invocationsPerSec[1] as number) / (invocationsPerSec[0] as number), 2);
    const readsRatio = round((readsPerSec[1] as number) / (readsPerSec[0] as number), 2);
    const goals = [
      goal('failoverMaxMs', failoverMaxMs, '<=', FAILOVER_GOAL_MS),
      goal('invocationsRatio2', invocationsRatio, '>=', 1.5),
      goal('readsRatio2', readsRatio, '>=', 1.5),
    ];
    console.log(`failover p50 ${failoverP50Ms} ms, max ${failoverMaxMs} ms (${goalText(goals[0] as never)})`);
    console.log(
      `2 processes over 1: invocations ×${invocationsRatio} (${goalText(goals[1] as never)}), reads ×${readsRatio} (${goalText(goals[2] as never)})`,
    );
    console.log(
      JSON.stringify({
        bench: 'cloud',
        ...(quick ? { quick: true } : {}),
        processes: COUNTS,
        invocationsPerSec,
        readsPerSec,
        txPerSec,
        failoverP50Ms,
        failoverMaxMs,
        failovers,
        cpuBusy,
        cpuUse,
        connections,
        invocationsRatio,
        readsRatio,
        ...verdict(goals),
      }),
    );
  } finally {
    balancer.disconnect();
    for (const m of members) await m.node.kill();
    await sql.end();
    await db.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: Error) => {
  console.error(error.stack ?? error.message);
  process.exit(1);
});
