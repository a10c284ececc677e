import { type ChildProcess, fork, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from 'redis';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TopicEvent } from '../src/gateway/types.ts';
import { freePort, seedDataDir } from './helpers/child-node.ts';
import { nodeClient } from './helpers/client.ts';
import { gatewayLogin } from './helpers/gateway-login.ts';
import { ack, collect, connected, rawSocket, until } from './helpers/realtime.ts';
import { randomSigner } from './helpers/wallet.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const GATEWAY_PROCESS = fileURLToPath(new URL('./helpers/gateway-process.ts', import.meta.url));
const START_TIMEOUT_MS = 30_000;
const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** The full node of `--workers 2` creates and migrates its database first. */
const CLUSTER_START_TIMEOUT_MS = 120_000;
/** Messages per topic in the crash test, and the pause between two rounds of publishes. */
const CRASH_MESSAGES = 120;
const PUBLISH_PAUSE_MS = 15;
/** Events a client holds while it waits for an earlier one of the same topic. */
const EARLY_EVENTS_MAX = 1000;

/** Every key of this run lives under it, so runs sharing the machine's Redis do not meet; deleted after. */
const keyPrefix = `arc-test-cluster-${process.pid}-${randomBytes(4).toString('hex')}`;

interface GatewayProcess {
  child: ChildProcess;
  url: string;
  publish(topic: string, payload: unknown): Promise<TopicEvent>;
}

const processes: GatewayProcess[] = [];
const sockets: Socket[] = [];

async function startGatewayProcess(index: number): Promise<GatewayProcess> {
  const child = fork(GATEWAY_PROCESS, [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, REDIS_URL, REDIS_KEY_PREFIX: keyPrefix, GATEWAY_NODE_ID: `gw${index}` },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map<number, { resolve: (event: TopicEvent) => void; reject: (error: Error) => void }>();
  let nextRequestId = 1;
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`gateway process ${index} did not start within ${START_TIMEOUT_MS} ms`)),
      START_TIMEOUT_MS,
    );
    child.once('exit', (code, signal) => reject(new Error(`gateway process ${index} exited (${code ?? signal}) before it listened`)));
    child.on('message', (message: { url?: string; requestId?: number; event?: TopicEvent; error?: string }) => {
      if (message.url) {
        clearTimeout(timer);
        resolve(message.url);
      }
      const request = message.requestId === undefined ? undefined : pending.get(message.requestId);
      if (!request || message.requestId === undefined) return;
      pending.delete(message.requestId);
      if (message.event) request.resolve(message.event);
      else request.reject(new Error(message.error ?? 'no event'));
    });
  });
  return {
    child,
    url,
    publish: (topic, payload) =>
      new Promise((resolve, reject) => {
        const requestId = nextRequestId++;
        pending.set(requestId, { resolve, reject });
        child.send({ requestId, publish: { topic, payload } });
      }),
  };
}

async function open(url: string): Promise<Socket> {
  const socket = rawSocket(url);
  sockets.push(socket);
  return connected(socket);
}

/**
 * What a client application does with the gateway's per-topic seqs: delivers them in seq order, holding an event that
 * comes early until the ones before it arrive (a replay can be overtaken by a live event, CLUSTER.md), and drops
 * what it has seen. On every reconnect (Socket.io's own recovery is off) it resubscribes with afterSeq and epoch.
 */
function seqTracker(socket: Socket, topics: string[]) {
  const lastSeq = new Map<string, number>(topics.map((topic) => [topic, 0]));
  const accepted = new Map<string, number[]>(topics.map((topic) => [topic, []]));
  const early = new Map<string, Map<number, TopicEvent>>(topics.map((topic) => [topic, new Map()]));
  const state = {
    duplicates: 0,
    early: 0,
    reconnects: 0,
    recovered: 0,
    resubscribeFailures: [] as unknown[],
    resubscribes: [] as unknown[],
    errors: [] as string[],
    disconnects: [] as string[],
  };
  const epochs = new Map<string, string>();
  socket.on('error', (error: { code: string }) => state.errors.push(error.code));
  socket.on('disconnect', (reason: string) => state.disconnects.push(reason));
  socket.on('event', (event: TopicEvent) => {
    epochs.set(event.topic, event.epoch);
    const held = early.get(event.topic);
    const last = lastSeq.get(event.topic) ?? 0;
    if (!held || event.seq <= last || held.has(event.seq)) {
      state.duplicates += 1;
      return;
    }
    held.set(event.seq, event);
    if (event.seq !== last + 1) state.early += 1;
    if (held.size > EARLY_EVENTS_MAX) throw new Error(`more than ${EARLY_EVENTS_MAX} events wait for an earlier one on ${event.topic}`);
    for (let next = last + 1; held.has(next); next++) {
      held.delete(next);
      lastSeq.set(event.topic, next);
      accepted.get(event.topic)?.push(next);
    }
  });
  // Tracked from after the first connect: every 'connect' seen here is a reconnect.
  socket.on('connect', () => {
    state.reconnects += 1;
    if (socket.recovered) {
      state.recovered += 1;
      return;
    }
    for (const topic of topics)
      void ack(socket, 'subscribe', { topic, afterSeq: lastSeq.get(topic) ?? 0, epoch: epochs.get(topic) }).then((reply) => {
        state.resubscribes.push({ topic, replayed: reply.ok ? reply.replayed : null });
        if (!reply.ok) state.resubscribeFailures.push(reply);
      });
  });
  return { lastSeq, accepted, state };
}

beforeAll(async () => {
  processes.push(...(await Promise.all([0, 1, 2].map((index) => startGatewayProcess(index)))));
});

afterAll(async () => {
  for (const socket of sockets) socket.close();
  for (const { child } of processes) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  const redis = createClient({ url: REDIS_URL });
  await redis.connect();
  const keys: string[] = [];
  for await (const batch of redis.scanIterator({ MATCH: `${keyPrefix}*`, COUNT: 500 })) keys.push(...batch);
  if (keys.length > 0) await redis.del(keys);
  await redis.close();
});

describe('gateway cluster: several gateway processes over one Redis', () => {
  it('delivers a publish on one process to the clients of every process, with one seq sequence', async () => {
    const clients = await Promise.all(processes.map((p) => open(p.url)));
    const received = clients.map((socket) => collect(socket));
    for (const socket of clients) expect(await ack(socket, 'subscribe', { topic: 'chat:fanout' })).toMatchObject({ ok: true });
    await processes[0]?.publish('chat:fanout', { from: 0 });
    await processes[1]?.publish('chat:fanout', { from: 1 });
    await processes[2]?.publish('chat:fanout', { from: 2 });
    for (const events of received) await until(() => events.length === 3, 20_000, 'three events on every process');
    // One seq sequence for the topic across processes. Arrival order across publishers on different processes is
    // not guaranteed (a process delivers its own publish before it has read an earlier one from the stream).
    for (const events of received) {
      const bySeq = [...events].sort((a, b) => a.seq - b.seq);
      expect(bySeq.map((e) => e.seq)).toEqual([1, 2, 3]);
      expect(bySeq.map((e) => e.payload)).toEqual([{ from: 0 }, { from: 1 }, { from: 2 }]);
    }
  });

  it('brings the clients of a killed process to another one with every missed message, in order, once', async () => {
    const [survivor0, survivor1, victim] = processes;
    if (!survivor0 || !survivor1 || !victim) throw new Error('three processes expected');
    const topics = ['chat:crash-a', 'chat:crash-b'];
    // The victim's clients know every address and move to the next one on each reconnect attempt.
    const urls = [victim.url, survivor0.url, survivor1.url];
    const movers = await Promise.all(
      [0, 1].map(async () => {
        const socket = await open(victim.url);
        let at = 0;
        socket.io.on('reconnect_attempt', () => {
          at = (at + 1) % urls.length;
          (socket.io as unknown as { uri: string }).uri = urls[at] as string;
        });
        return socket;
      }),
    );
    const bystander = await open(survivor1.url);
    const trackers = [...movers, bystander].map((socket) => seqTracker(socket, topics));
    for (const socket of [...movers, bystander])
      for (const topic of topics) expect(await ack(socket, 'subscribe', { topic })).toMatchObject({ ok: true });

    // Each topic has one publisher (a Redis INCR per publish: two publishers of one topic may overtake each other).
    for (let i = 1; i <= CRASH_MESSAGES; i++) {
      await Promise.all([survivor0.publish('chat:crash-a', { i }), survivor1.publish('chat:crash-b', { i })]);
      if (i === CRASH_MESSAGES / 3) victim.child.kill('SIGKILL');
      await new Promise((resolve) => setTimeout(resolve, PUBLISH_PAUSE_MS));
    }
    for (const tracker of trackers)
      await until(
        () => topics.every((topic) => tracker.lastSeq.get(topic) === CRASH_MESSAGES),
        30_000,
        `every message on every topic (have ${JSON.stringify([...tracker.lastSeq])}, ${JSON.stringify(tracker.state)})`,
      );
    const expected = Array.from({ length: CRASH_MESSAGES }, (_, i) => i + 1);
    for (const [index, tracker] of trackers.entries()) {
      expect(tracker.state.resubscribeFailures, `client ${index}`).toEqual([]);
      for (const topic of topics) expect(tracker.accepted.get(topic), `client ${index} ${topic}`).toEqual(expected);
    }
    for (const socket of movers) expect((socket.io as unknown as { uri: string }).uri).not.toBe(victim.url);
    // Socket.io's own recovery cannot carry a session out of a process killed with -9 (it persists the session on
    // close, which never runs): the movers came back by resubscribing with afterSeq.
    for (const tracker of trackers.slice(0, 2)) expect(tracker.state).toMatchObject({ reconnects: 1, recovered: 0 });
    console.log(
      `gateway cluster crash: ${trackers.map((t, i) => `client ${i} reconnects=${t.state.reconnects} recovered=${t.state.recovered} duplicatesDropped=${t.state.duplicates} earlyHeld=${t.state.early}`).join('; ')}`,
    );
  });

  it('sends the clients of a process that stops cleanly to another one, which resumes them with every message, once', async () => {
    const publisher = processes[0];
    if (!publisher) throw new Error('a publisher expected');
    const leaving = await startGatewayProcess(3);
    processes.push(leaving);
    const urls = [leaving.url, publisher.url];
    const socket = await open(leaving.url);
    let at = 0;
    socket.io.on('reconnect_attempt', () => {
      at = (at + 1) % urls.length;
      (socket.io as unknown as { uri: string }).uri = urls[at] as string;
    });
    const tracker = seqTracker(socket, ['chat:graceful']);
    expect(await ack(socket, 'subscribe', { topic: 'chat:graceful' })).toMatchObject({ ok: true });
    for (let i = 1; i <= 30; i++) {
      await publisher.publish('chat:graceful', { i });
      if (i === 10) leaving.child.kill('SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, PUBLISH_PAUSE_MS));
    }
    await until(() => tracker.lastSeq.get('chat:graceful') === 30, 30_000, `every message (${JSON.stringify(tracker.state)})`);
    // Told it restarts, then a transport close (not "io server disconnect"): the client came back by itself.
    expect(tracker.state).toMatchObject({ reconnects: 1, recovered: 0, duplicates: 0, early: 0, disconnects: ['transport close'] });
    expect(tracker.state.errors).toContain('RESTARTING');
    expect(tracker.accepted.get('chat:graceful')).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
  });
});

/** One request over a fresh TCP connection (no keep-alive), so the primary routes each request anew. */
function requestFresh(
  method: 'GET' | 'POST',
  url: string,
  body?: string,
): Promise<{ status: number; worker: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent: false, timeout: 10_000, headers: { 'content-type': 'text/plain;charset=UTF-8' } }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => {
        text += chunk.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, worker: res.headers['x-arc-worker'] as string | undefined, body: text }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${method} ${url}`)));
    req.on('error', reject);
    req.end(body);
  });
}

describe('cluster: main.ts --workers 2', () => {
  let child: ChildProcess | null = null;
  let dataDir = '';

  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child?.once('exit', resolve));
      child.kill('SIGTERM');
      const killTimer = setTimeout(() => child?.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(killTimer);
    }
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }, 40_000);

  it('serves one port from the full node and a gateway worker: health, sticky polling, blocks and logins on both', {
    timeout: 180_000,
  }, async () => {
    const port = await freePort();
    dataDir = await mkdtemp(join(tmpdir(), 'arc-cluster-'));
    // The full node opens the run's migrated template instead of creating its database (the first start has tests of its own).
    await seedDataDir(dataDir);
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const name of ['DATABASE_URL', 'GENESIS_FILE', 'NODE_KEY_FILE']) delete env[name];
    const started = spawn(process.execPath, ['--import', 'tsx', MAIN, '--workers', '2'], {
      cwd: REPO_ROOT,
      env: {
        ...env,
        REDIS_URL,
        REDIS_KEY_PREFIX: `${keyPrefix}-workers`,
        HOST: '127.0.0.1',
        PORT: String(port),
        DATA_DIR: dataDir,
        SEED_DEMO: 'off',
        MQTT_PORT: 'off',
        BLOCK_INTERVAL_MS: '300',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = started;
    let output = '';
    started.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    started.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    await until(() => output.includes('node listening on') || started.exitCode !== null, CLUSTER_START_TIMEOUT_MS, 'the cluster to listen');
    expect(output).toContain(`node listening on http://127.0.0.1:${port}`);
    const url = `http://127.0.0.1:${port}`;

    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await requestFresh('GET', `${url}/health`));
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    expect(new Set(answers.map((answer) => answer.worker))).toEqual(new Set(['node', 'gateway-1']));

    // Long-polling: each request on a fresh connection; those carrying a sid go to the worker holding the session.
    const handshakes = [];
    for (let i = 0; i < 2; i++) {
      const handshake = await requestFresh('GET', `${url}/socket.io/?EIO=4&transport=polling`);
      const sid = (JSON.parse(handshake.body.slice(1)) as { sid: string }).sid;
      handshakes.push({ sid, worker: handshake.worker });
    }
    expect(new Set(handshakes.map((h) => h.worker))).toEqual(new Set(['node', 'gateway-1']));
    for (const { sid, worker } of handshakes) {
      // The namespace CONNECT, posted; then the poll that carries the server's answer. A wrong worker says 400.
      const posted = await requestFresh('POST', `${url}/socket.io/?EIO=4&transport=polling&sid=${sid}`, '40');
      expect({ status: posted.status, worker: posted.worker }).toEqual({ status: 200, worker });
      const polled = await requestFresh('GET', `${url}/socket.io/?EIO=4&transport=polling&sid=${sid}`);
      expect({ status: polled.status, worker: polled.worker, body: polled.body.slice(0, 2) }).toEqual({ status: 200, worker, body: '40' });
    }

    // New connections go round-robin: two in a row land on the two workers.
    const clients = [await open(url), await open(url)];
    const received = clients.map((socket) => collect(socket));
    for (const socket of clients) expect(await ack(socket, 'subscribe', { topic: 'chain:blocks' })).toMatchObject({ ok: true });
    for (const events of received) await until(() => events.length >= 2, 20_000, 'two blocks on each client');
    for (const events of received) {
      const seqs = events.map((e) => e.seq);
      expect(seqs).toEqual(seqs.map((_, i) => (seqs[0] as number) + i));
    }

    // A DID logs in through the API (whichever worker takes the request); its session holds on both workers, whose
    // rules are the full node's; a chat message published on one reaches the other.
    const alice = randomSigner();
    const token = await gatewayLogin(nodeClient(url), alice);
    const logged = [rawSocket(url, token), rawSocket(url, token)];
    sockets.push(...logged);
    for (const socket of logged) await connected(socket);
    const chat = logged.map((socket) => collect(socket));
    for (const socket of logged) {
      expect(await ack(socket, 'subscribe', { topic: `inbox:${alice.did}` })).toMatchObject({ ok: true });
      expect(await ack(socket, 'subscribe', { topic: `inbox:${randomSigner().did}` })).toMatchObject({ ok: false, code: 'FORBIDDEN' });
      expect(await ack(socket, 'subscribe', { topic: 'chat:cluster' })).toMatchObject({ ok: true });
    }
    expect(await ack(logged[0] as Socket, 'publish', { topic: 'chat:cluster', payload: { hello: 1 } })).toMatchObject({ ok: true, seq: 1 });
    expect(await ack(logged[1] as Socket, 'publish', { topic: 'chat:cluster', payload: { hello: 2 } })).toMatchObject({ ok: true, seq: 2 });
    for (const events of chat)
      await until(() => events.filter((e) => e.topic === 'chat:cluster').length === 2, 20_000, 'both chat messages');
  });
});
