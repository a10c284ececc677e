import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
// Test-only: the node's own helper for running it as an operator does (no package exports it).
import { ChildNode, type ChildNodeEnv } from '../../../apps/node/test/helpers/child-node.ts';
import { connectRealtime, type Realtime, type RealtimeGap, type RealtimeSubscription } from './realtime.ts';
import { until } from './testing/until.ts';
import { Wallet } from './wallet.ts';

/**
 * The reconnect storm: many clients on one topic lose their transports in waves while a publisher goes on, and
 * the node itself is killed (SIGKILL) and later stopped (SIGTERM) and restarted on its data and port mid-storm.
 * Nothing is lost silently: each client gets each numbering without hole or repeat, a restart is reported as a
 * gap where the new numbering starts, and every event published after the last restart reaches every client.
 */

/** Clients in the storm (the machine is shared: fewer than a production storm, same paths). */
const CLIENTS = 600;
const CONNECT_BATCH = 100;
/** Each wave drops the transports of one tenth of the clients. */
const WAVE_INTERVAL_MS = 200;
const WAVES_PER_PHASE = 10;
/** Published after every client is back on the last numbering: these must reach everyone. */
const FINAL_EVENTS = 20;
const PUBLISH_INTERVAL_MS = 20;
/** Checks over every client are not cheap: look less often than a test of one client does. */
const STORM_POLL_MS = 50;
const TOPIC = 'chat:storm';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Quiet chain, and bounds that fit one test process holding every client on one address. */
function nodeEnv(dataDir: string): ChildNodeEnv {
  const env: ChildNodeEnv & Record<string, string> = {
    DATA_DIR: dataDir,
    BLOCK_INTERVAL_MS: '60000',
    GATEWAY_SUBSCRIPTIONS_PER_IP_MAX: '100000',
    GATEWAY_CONNECTION_RATE_PER_SEC: '1000',
    GATEWAY_CONNECTION_BURST: '1000',
  };
  return env;
}

interface StormClient {
  realtime: Realtime;
  subscription: RealtimeSubscription;
  events: { epoch: string; seq: number }[];
  gaps: RealtimeGap[];
}

/** Why a client's deliveries break the promise, or null. */
function brokenPromise(client: StormClient, finalEpoch: string, finalSeqs: number[]): string | null {
  const segments: { epoch: string; seqs: number[] }[] = [];
  for (const { epoch, seq } of client.events) {
    const last = segments.at(-1);
    if (last?.epoch === epoch) last.seqs.push(seq);
    else if (segments.some((segment) => segment.epoch === epoch)) return `went back to numbering ${epoch}`;
    else segments.push({ epoch, seqs: [seq] });
  }
  if (segments[0]?.seqs[0] !== 1) return `did not start at seq 1: ${segments[0]?.seqs[0]}`;
  for (const { epoch, seqs } of segments)
    if (seqs.some((seq, i) => i > 0 && seq !== (seqs[i - 1] as number) + 1)) return `a hole or repeat in ${epoch}: ${seqs.join(',')}`;
  // Every switch to a new numbering was told, with the seq delivery went on from.
  const restarts = client.gaps.filter((gap) => gap.reason === 'RESTARTED');
  if (client.gaps.length !== restarts.length) return `unexpected gaps: ${JSON.stringify(client.gaps)}`;
  for (const segment of segments.slice(1))
    if (!restarts.some((gap) => gap.resumeFromSeq === segment.seqs[0]))
      return `numbering ${segment.epoch} began untold at ${segment.seqs[0]}`;
  const final = segments.find((segment) => segment.epoch === finalEpoch)?.seqs ?? [];
  const missing = finalSeqs.filter((seq) => !final.includes(seq));
  return missing.length === 0 ? null : `missed ${missing.length} events of the last numbering, first ${missing[0]}`;
}

it('reconnect storm: transports dropped in waves, the node killed and stopped mid-storm, nothing lost silently', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'arc-realtime-storm-'));
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  const start = async (port?: number) => {
    const started = await ChildNode.spawn(nodeEnv(dataDir), port === undefined ? {} : { port });
    cleanups.push(() => started.kill());
    return started.ready();
  };
  let node = await start();

  const clients: StormClient[] = [];
  cleanups.push(async () => {
    for (const client of clients) client.realtime.close();
  });
  for (let batch = 0; batch < CLIENTS; batch += CONNECT_BATCH) {
    const started = await Promise.all(
      Array.from({ length: Math.min(CONNECT_BATCH, CLIENTS - batch) }, async () => {
        const gaps: RealtimeGap[] = [];
        const realtime = await connectRealtime(node.url, { transports: ['websocket'], onGap: (gap) => gaps.push(gap) });
        const events: StormClient['events'] = [];
        const subscription = await realtime.subscribe(TOPIC, (event) => events.push({ epoch: event.epoch ?? '?', seq: event.seq }));
        return { realtime, subscription, events, gaps };
      }),
    );
    clients.push(...started);
  }

  const publisher = await connectRealtime(node.url, { wallet: Wallet.generate(), transports: ['websocket'] });
  cleanups.push(async () => publisher.close());
  const acked: { epoch: string; seq: number }[] = [];
  let unanswered = 0;
  let publishing = true;
  const publishLoop = (async () => {
    for (let n = 0; publishing; n++) {
      try {
        const { id, seq } = await publisher.publish(TOPIC, { n });
        acked.push({ epoch: id.slice(0, id.indexOf('/')), seq });
      } catch (error) {
        // The node went down under this publish: it may or may not have gone out, so nothing is expected of it.
        expect((error as { code?: string }).code).toBe('TIMEOUT');
        unanswered += 1;
      }
      await sleep(PUBLISH_INTERVAL_MS);
    }
  })();
  const waves = async () => {
    for (let wave = 0; wave < WAVES_PER_PHASE; wave++) {
      await sleep(WAVE_INTERVAL_MS);
      const tenth = CLIENTS / 10;
      for (let i = wave * tenth; i < (wave + 1) * tenth; i++) clients[i]?.realtime.socket.io.engine?.close();
    }
  };

  await waves();
  for (const signal of ['SIGKILL', 'SIGTERM'] as const) {
    const epoch = acked.at(-1)?.epoch;
    await node.kill(signal);
    node = await start(node.port);
    // Published on the new numbering before anything else happens to it.
    await until(
      () => acked.at(-1)?.epoch !== epoch,
      30_000,
      () => `a publish after the ${signal}`,
      STORM_POLL_MS,
    );
    await waves();
  }

  // Everyone back on the last numbering; what is published from now on must reach every one of them.
  await until(
    () => acked.length > 0 && clients.every((client) => client.subscription.epoch === acked.at(-1)?.epoch),
    60_000,
    () => `every client to resubscribe (${clients.filter((c) => c.subscription.epoch === acked.at(-1)?.epoch).length} of ${CLIENTS})`,
    STORM_POLL_MS,
  );
  const finalEpoch = acked.at(-1)?.epoch as string;
  const before = acked.length;
  await until(
    () => acked.length >= before + FINAL_EVENTS,
    30_000,
    () => 'the final events',
    STORM_POLL_MS,
  );
  publishing = false;
  await publishLoop;

  const finalSeqs = acked.filter((event) => event.epoch === finalEpoch).map((event) => event.seq);
  const lastSeq = finalSeqs.at(-1) as number;
  await until(
    () => clients.every((client) => client.events.some((event) => event.epoch === finalEpoch && event.seq === lastSeq)),
    60_000,
    () =>
      `every client to have the last event (${clients.filter((c) => c.events.some((e) => e.epoch === finalEpoch && e.seq === lastSeq)).length} of ${CLIENTS})`,
    STORM_POLL_MS,
  );
  const broken = clients.map((client) => brokenPromise(client, finalEpoch, finalSeqs)).filter((why) => why !== null);
  expect(broken.length, `first broken client: ${broken[0]}`).toBe(0);
  expect(new Set(acked.map((event) => event.epoch)).size, 'three numberings published on').toBe(3);
  // Unanswered publishes only around the two restarts (a few each).
  expect(unanswered).toBeLessThan(20);
}, 240_000);
