/**
 * bench:gateway — Socket.io fan-out of the realtime gateway on loopback, against a floor measured the same way in
 * the same run: a bare Socket.io server broadcasting to the same N websocket clients with no gateway logic.
 * Reports deliveries/s (saturated, with a bounded window of undelivered messages so neither side just buffers),
 * publish-to-deliver p50/p99 at a moderate rate, server RSS growth per connection, and the fan-out of two node
 * processes sharing Redis (REDIS_URL or 127.0.0.1:6379). The clients live in child processes. Only deliveries that
 * arrive inside the timed window count; the p99 reported is the worse of the rounds. `--quick`: the same phases with
 * 100 clients and short windows (a few seconds: the suite runs it). Goals are printed beside the figures and carried
 * in the JSON; the bench exits 0 either way. Last line: one JSON.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Server } from 'socket.io';
import { io as connect, type Socket } from 'socket.io-client';
import { goal, goalText, verdict } from '../../../scripts/bench-goals.ts';
import type { TestNode } from '../src/testing.ts';

const quick = process.argv.includes('--quick');
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? (quick ? 100 : 1000));
const CLIENT_PROCESSES = 2;
const SATURATE_MS = quick ? 800 : 4000;
/**
 * Floor and gateway alternate this many saturated rounds (the machine is shared; the best round of each counts for
 * throughput, the worst round of each for p99: a tail the gateway shows once is a tail users see).
 */
const ROUNDS = quick ? 1 : 3;
const LATENCY_ROUNDS = quick ? 1 : 2;
const LATENCY_MS = quick ? 500 : 3000;
/** The latency phase publishes at this share of the saturated rate just measured (as bench:ledger does). */
const LATENCY_LOAD_SHARE = 0.5;
/** Messages each client may have outstanding during the saturated phase. */
const WINDOW_PER_CLIENT = 20;
const PAD = 'x'.repeat(100);
const TOPIC = 'chat:bench';
const SELF = fileURLToPath(import.meta.url);

/** `untilMs`: the end of the timed window (epoch ms); deliveries after it are not counted in the report. */
type ToChild = { type: 'reset'; latency: boolean; untilMs: number | null } | { type: 'report' } | { type: 'exit' };
type FromChild = { type: 'ready' } | { type: 'count'; delivered: number } | { type: 'report'; delivered: number; latenciesMs: number[] };

type Publish = (n: number) => unknown;

const nowMs = () => performance.timeOrigin + performance.now();

// ---------- child: N/CLIENT_PROCESSES websocket clients ----------

async function runClients(urls: string[], count: number, subscribe: boolean): Promise<void> {
  // `delivered` steers the publisher's window; `inWindow` is what the report counts (arrived before `untilMs`).
  let delivered = 0;
  let inWindow = 0;
  let untilMs = Number.POSITIVE_INFINITY;
  let latency = false;
  let latencies: number[] = [];
  const sockets: Socket[] = [];
  const send = (message: FromChild) => process.send?.(message);
  for (let i = 0; i < count; i += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, count - i) }, (_, j) => {
        const socket = connect(urls[(i + j) % urls.length] as string, { transports: ['websocket'], forceNew: true, reconnection: false });
        sockets.push(socket);
        socket.on('event', (event: { payload: { t: number } }) => {
          delivered += 1;
          const at = nowMs();
          if (at > untilMs) return;
          inWindow += 1;
          if (latency) latencies.push(at - event.payload.t);
        });
        return new Promise<void>((resolve, reject) => {
          socket.once('connect_error', reject);
          socket.once('connect', () => {
            if (!subscribe) return resolve();
            socket.timeout(30_000).emit('subscribe', { topic: TOPIC }, (error: unknown) => (error ? reject(error) : resolve()));
          });
        });
      }),
    );
  }
  const timer = setInterval(() => send({ type: 'count', delivered }), 20);
  process.on('message', (message: ToChild) => {
    if (message.type === 'reset') {
      delivered = 0;
      inWindow = 0;
      untilMs = message.untilMs ?? Number.POSITIVE_INFINITY;
      latencies = [];
      latency = message.latency;
    } else if (message.type === 'report') {
      send({ type: 'report', delivered: inWindow, latenciesMs: latencies });
    } else {
      clearInterval(timer);
      for (const socket of sockets) socket.close();
      setTimeout(() => process.exit(0), 100);
    }
  });
  send({ type: 'ready' });
}

// ---------- parent ----------

interface ClientGroup {
  children: ChildProcess[];
  delivered(): number;
  reset(latency: boolean, untilMs: number | null): void;
  report(): Promise<{ delivered: number; latenciesMs: number[] }>;
  stop(): void;
}

async function startClients(urls: string[], subscribe: boolean): Promise<ClientGroup> {
  const counts = new Map<ChildProcess, number>();
  const children = Array.from({ length: CLIENT_PROCESSES }, () =>
    fork(SELF, ['--clients', urls.join(','), String(CLIENTS / CLIENT_PROCESSES), subscribe ? 'subscribe' : 'room'], {
      execArgv: process.execArgv,
    }),
  );
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve, reject) => {
          child.once('exit', (code) => reject(new Error(`a client process exited with ${code}`)));
          child.on('message', (message: FromChild) => {
            if (message.type === 'ready') resolve();
            if (message.type === 'count') counts.set(child, message.delivered);
          });
        }),
    ),
  );
  return {
    children,
    delivered: () => [...counts.values()].reduce((a, b) => a + b, 0),
    reset(latency, untilMs) {
      for (const child of children) {
        counts.set(child, 0);
        child.send({ type: 'reset', latency, untilMs } satisfies ToChild);
      }
    },
    async report() {
      const reports = await Promise.all(
        children.map(
          (child) =>
            new Promise<{ delivered: number; latenciesMs: number[] }>((resolve) => {
              const onMessage = (message: FromChild) => {
                if (message.type !== 'report') return;
                child.off('message', onMessage);
                resolve(message);
              };
              child.on('message', onMessage);
              child.send({ type: 'report' } satisfies ToChild);
            }),
        ),
      );
      return { delivered: reports.reduce((a, r) => a + r.delivered, 0), latenciesMs: reports.flatMap((r) => r.latenciesMs) };
    },
    stop() {
      for (const child of children) {
        child.removeAllListeners('exit');
        child.send({ type: 'exit' } satisfies ToChild);
      }
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Publishes as fast as the clients read, keeping at most WINDOW_PER_CLIENT undelivered per client; deliveries/s
 * counting only those that arrived inside the window (the clients drop later ones from their report).
 */
async function saturate(clients: ClientGroup, publish: Publish): Promise<number> {
  const RESET_SETTLE_MS = 100;
  const startEpochMs = nowMs() + RESET_SETTLE_MS;
  clients.reset(false, startEpochMs + SATURATE_MS);
  await sleep(Math.max(0, startEpochMs - nowMs()));
  let published = 0;
  const start = performance.now();
  while (performance.now() - start < SATURATE_MS) {
    if (published - clients.delivered() / CLIENTS < WINDOW_PER_CLIENT) {
      for (let i = 0; i < 5; i++) await publish(published++);
      await new Promise((resolve) => setImmediate(resolve));
    } else {
      await sleep(1);
    }
  }
  // The clients stopped counting at the window's end; wait for the messages in flight to reach them and report.
  await sleep(300);
  const { delivered } = await clients.report();
  return delivered / (SATURATE_MS / 1000);
}

/** Publishes at a fixed moderate rate; the publish-to-deliver latencies the clients saw. */
async function latencies(clients: ClientGroup, publish: Publish, ratePerSec: number): Promise<{ p50: number; p99: number }> {
  clients.reset(true, null);
  await sleep(100);
  const intervalMs = 1000 / ratePerSec;
  const start = performance.now();
  for (let n = 0; performance.now() - start < LATENCY_MS; n++) {
    await publish(n);
    const next = start + (n + 1) * intervalMs;
    await sleep(Math.max(0, next - performance.now()));
  }
  await sleep(500);
  const samples = (await clients.report()).latenciesMs.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? Number.NaN;
  return { p50: at(0.5), p99: at(0.99) };
}

function event(n: number) {
  return { t: nowMs(), n, pad: PAD };
}

interface Case {
  clients: ClientGroup;
  publish: Publish;
  close(): Promise<void>;
}

/** The floor: a bare Socket.io server that puts every client in one room and broadcasts the same event shape. */
async function floorCase(): Promise<Case> {
  const http = createServer();
  const io = new Server(http, { path: '/socket.io', serveClient: false, perMessageDeflate: false });
  io.on('connection', (socket) => socket.join(TOPIC));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const clients = await startClients([url], false);
  let seq = 0;
  const publish = (n: number) => {
    seq += 1;
    io.to(TOPIC).emit('event', { topic: TOPIC, id: `${seq}@floor`, seq, payload: event(n), publishedAtMs: Date.now(), from: null });
  };
  return {
    clients,
    publish,
    close: async () => {
      clients.stop();
      await new Promise<void>((resolve) => io.close(() => resolve()));
    },
  };
}

async function benchNode(redis?: { url: string; keyPrefix: string }): Promise<TestNode> {
  // Imported here, not at the top: the client processes run this file too and need none of the node's code.
  const { startTestNode } = await import('../src/testing.ts');
  return startTestNode({ blockIntervalMs: 60_000, log: () => undefined, ...(redis ? { gateway: { redis } } : {}) });
}

function hubPublish(node: TestNode): Publish {
  const hub = node.services.gateway?.hub;
  if (!hub) throw new Error('the node has no gateway');
  return (n: number) => hub.publishAs(TOPIC, event(n), null);
}

/** The gateway: a real node; clients subscribe through the gateway's rules; the node publishes through its hub. */
async function gatewayCase(): Promise<Case & { kbPerConn: number }> {
  const node = await benchNode();
  await sleep(500);
  const rssBefore = process.memoryUsage().rss;
  const clients = await startClients([node.url], true);
  await sleep(500);
  const kbPerConn = (process.memoryUsage().rss - rssBefore) / 1024 / CLIENTS;
  return {
    clients,
    publish: hubPublish(node),
    kbPerConn,
    close: async () => {
      clients.stop();
      await node.stop();
    },
  };
}

/** A second node in its own process, sharing Redis with this one. */
async function startRemoteNode(redis: { url: string; keyPrefix: string }): Promise<{ url: string; child: ChildProcess }> {
  const child = fork(SELF, ['--node', redis.url, redis.keyPrefix], { execArgv: process.execArgv });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the second node exited with ${code}`)));
    child.once('message', (message: { url: string }) => resolve(message.url));
  });
  child.removeAllListeners('exit');
  return { url, child };
}

async function redisFanout(): Promise<number | null> {
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const redis = { url, keyPrefix: `arc-bench-${process.pid}` };
  let node: TestNode;
  try {
    node = await benchNode(redis);
  } catch (error) {
    console.log(`redis fan-out skipped: ${(error as Error).message}`);
    return null;
  }
  const remote = await startRemoteNode(redis);
  const clients = await startClients([node.url, remote.url], true);
  const rate = await saturate(clients, hubPublish(node));
  clients.stop();
  remote.child.send('exit');
  await node.stop();
  return rate;
}

async function main(): Promise<void> {
  const mode = process.argv[2];
  if (mode === '--clients') {
    await runClients((process.argv[3] as string).split(','), Number(process.argv[4]), process.argv[5] === 'subscribe');
    return;
  }
  if (mode === '--node') {
    const node = await benchNode({ url: process.argv[3] as string, keyPrefix: process.argv[4] as string });
    process.send?.({ url: node.url });
    process.on('message', () => void node.stop().then(() => process.exit(0)));
    return;
  }
  console.log(
    `gateway bench${quick ? ' (quick: small counts, figures are rough)' : ''}: ${CLIENTS} websocket clients in ${CLIENT_PROCESSES} processes; floor and gateway alternate ${ROUNDS} rounds (best deliveries/s, worst p99 of each)`,
  );
  const gatewayBench = await gatewayCase();
  const floorBench = await floorCase();
  let floorRate = 0;
  let rate = 0;
  for (let round = 0; round < ROUNDS; round++) {
    floorRate = Math.max(floorRate, await saturate(floorBench.clients, floorBench.publish));
    rate = Math.max(rate, await saturate(gatewayBench.clients, gatewayBench.publish));
  }
  const latencyRatePerSec = Math.max(1, Math.round((rate * LATENCY_LOAD_SHARE) / CLIENTS));
  // The worse round's p99 of each side is the one reported.
  let bare = { p50: Number.NEGATIVE_INFINITY, p99: Number.NEGATIVE_INFINITY };
  let g = { p50: Number.NEGATIVE_INFINITY, p99: Number.NEGATIVE_INFINITY };
  for (let round = 0; round < LATENCY_ROUNDS; round++) {
    const b = await latencies(floorBench.clients, floorBench.publish, latencyRatePerSec);
    if (!(b.p99 <= bare.p99)) bare = b;
    const l = await latencies(gatewayBench.clients, gatewayBench.publish, latencyRatePerSec);
    if (!(l.p99 <= g.p99)) g = l;
  }
  await floorBench.close();
  await gatewayBench.close();
  const ratio = rate / floorRate;
  const goals = {
    ratio: goal('ratio', Number(ratio.toFixed(3)), '>=', 0.8),
    p99: goal('p99Ms', Number(g.p99.toFixed(2)), '<=', 50),
    memory: goal('kbPerConn', Number(gatewayBench.kbPerConn.toFixed(1)), '<=', 50),
  };
  console.log(
    `floor (bare Socket.io broadcast): ${Math.round(floorRate)} deliveries/s; at ${latencyRatePerSec} msg/s p50 ${bare.p50.toFixed(1)} ms, p99 ${bare.p99.toFixed(1)} ms`,
  );
  console.log(`gateway fan-out: ${Math.round(rate)} deliveries/s (ratio ${ratio.toFixed(3)}, ${goalText(goals.ratio)})`);
  console.log(
    `  at ${latencyRatePerSec} msg/s (half its rate) p50 ${g.p50.toFixed(1)} ms, p99 ${g.p99.toFixed(1)} ms (${goalText(goals.p99)})`,
  );
  console.log(`  ${gatewayBench.kbPerConn.toFixed(1)} KB per connection (${goalText(goals.memory)})`);
  const redisRate = await redisFanout();
  if (redisRate !== null) console.log(`2 processes through Redis: ${Math.round(redisRate)} deliveries/s`);
  const result = {
    bench: 'gateway',
    quick,
    clients: CLIENTS,
    floorDeliveriesPerSec: Math.round(floorRate),
    deliveriesPerSec: Math.round(rate),
    ratio: Number(ratio.toFixed(3)),
    p99Ms: Number(g.p99.toFixed(2)),
    floorP99Ms: Number(bare.p99.toFixed(2)),
    kbPerConn: Number(gatewayBench.kbPerConn.toFixed(1)),
    redisDeliveriesPerSec: redisRate === null ? null : Math.round(redisRate),
    ...verdict(Object.values(goals)),
  };
  console.log(JSON.stringify(result));
  process.exit(0);
}

await main();
