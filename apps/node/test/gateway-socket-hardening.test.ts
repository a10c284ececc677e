import { createClient } from 'redis';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TopicEvent } from '../src/gateway/types.ts';
import { startTestNode, type TestNode } from '../src/testing.ts';
import { type NodeClient, nodeClient } from './helpers/client.ts';
import { RawSocketIo } from './helpers/engine-io.ts';
import { gatewayLogin } from './helpers/gateway-login.ts';
import { redisUrl } from './helpers/reachable.ts';
import { ack, collect, connected, nodePublish, rawSocket, until } from './helpers/realtime.ts';
import { randomSigner } from './helpers/wallet.ts';

/** A burst well above what one test sends in a batch, so the connection's rate limit is not what refuses. */
const BURST = 1000;
const SUBSCRIPTIONS_PER_IP_MAX = 150;
const PIPELINED_SUBSCRIBES = 300;
const SPAM_EVENTS = 3000;
/** Subscribers of the replay-and-live tests (each its own socket; all from one address, under its budget). */
const SUBSCRIBERS_MAX = 40;

let node: TestNode;
let client: NodeClient;
const sockets: Socket[] = [];
const raws: RawSocketIo[] = [];

async function open(token?: string): Promise<Socket> {
  const socket = rawSocket(node.url, token, { reconnection: false });
  sockets.push(socket);
  return connected(socket);
}

async function openRaw(): Promise<RawSocketIo> {
  const raw = await RawSocketIo.connect(node.url);
  raws.push(raw);
  return raw;
}

beforeAll(async () => {
  node = await startTestNode({
    gateway: { limits: { connectionBurst: BURST, subscriptionsPerIpMax: SUBSCRIPTIONS_PER_IP_MAX } },
  });
  client = nodeClient(node.url);
});

afterAll(async () => {
  for (const socket of sockets) socket.close();
  for (const raw of raws) raw.close();
  await node?.stop();
});

/** JSON text of `levels` nested arrays (written as text: no client library can encode it). */
function deepJson(levels: number): string {
  return `${'['.repeat(levels)}"leaf"${']'.repeat(levels)}`;
}

describe('gateway Socket.io: nesting', () => {
  it('answers a payload nested deeper than the JSON bound with BAD_PAYLOAD, before anything stringifies it', async () => {
    const raw = await RawSocketIo.connect(node.url, { token: await gatewayLogin(client, randomSigner()) });
    raws.push(raw);
    let id = 0;
    // 60,000 levels is 120 KB: within engine.io's frame bound (twice messageBytesMax); past it engine.io closes.
    for (const levels of [100, 3000, 10_000, 60_000]) {
      raw.sendBatch([
        `42${++id}["publish",{"topic":"chat:deep","payload":${deepJson(levels)}}]`,
        `42${++id}["subscribe",${deepJson(levels)}]`,
        `42["publish",${deepJson(levels)}]`,
      ]);
      await until(() => raw.acks.has(id), 10_000, `the answers at ${levels} levels`);
      expect(raw.acks.get(id - 1)).toMatchObject({ ok: false, code: 'BAD_PAYLOAD' });
      expect(raw.acks.get(id)).toMatchObject({ ok: false, code: 'BAD_PAYLOAD' });
    }
    expect(node.services.gateway?.hub.currentSeq('chat:deep')).toBe(0);
    raw.sendBatch([`42${++id}["publish",{"topic":"chat:deep","payload":${deepJson(10)}}]`]);
    await until(() => raw.acks.has(id));
    expect(raw.acks.get(id)).toMatchObject({ ok: true, seq: 1 });
    expect(raw.closed).toBe(false);
  });
});

describe('gateway Socket.io: unknown-event spam', () => {
  it('keeps nothing per socket for recovery and rate-limits unknown events like known ones', async () => {
    const spammer = await openRaw();
    const before = spammer.frames.length;
    spammer.sendBatch(Array.from({ length: SPAM_EVENTS }, (_, i) => `42${JSON.stringify(['no-such-event', i])}`));
    const errors = () => spammer.frames.slice(before).filter((f) => f.startsWith('42["error"'));
    await until(() => errors().some((f) => f.includes('RATE_LIMITED')), 20_000, 'RATE_LIMITED');
    // Refused spam costs no reply per message: the bucket's answers, then one RATE_LIMITED per refill let through.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(errors().length).toBeLessThan(SPAM_EVENTS / 2);
    expect(errors().filter((f) => f.includes('RATE_LIMITED')).length).toBeLessThan(SPAM_EVENTS / 50);
    // Connection-state recovery is off: the adapter keeps no packets for sessions to recover.
    const adapter = node.services.gateway?.socket.io.of('/').adapter as unknown as { packets?: unknown[] };
    expect(adapter.packets ?? []).toHaveLength(0);
    expect(spammer.closed).toBe(false);
  });
});

describe('gateway Socket.io: subscription limits under pipelining', () => {
  it('grants exactly the per-connection limit to subscribes sent in one write, and the per-address limit across sockets', async () => {
    const budget = node.services.gateway?.hub.budget;
    if (!budget) throw new Error('the node has no gateway');
    const start = budget.stats().total;
    const first = await openRaw();
    first.sendBatch(Array.from({ length: PIPELINED_SUBSCRIBES }, (_, i) => RawSocketIo.event(i, 'subscribe', { topic: `chat:pipe${i}` })));
    await until(() => first.acks.size === PIPELINED_SUBSCRIBES, 20_000, 'every ack');
    const replies = [...first.acks.values()] as { ok: boolean; code?: string }[];
    expect(replies.filter((r) => r.ok)).toHaveLength(100);
    expect(replies.filter((r) => !r.ok).every((r) => r.code === 'TOO_MANY_SUBSCRIPTIONS')).toBe(true);
    expect(budget.stats().total).toBe(start + 100);

    // A second anonymous socket from the same address gets what is left of the address's budget.
    const second = await openRaw();
    second.sendBatch(Array.from({ length: 100 }, (_, i) => RawSocketIo.event(i, 'subscribe', { topic: `chat:pipe${i}` })));
    await until(() => second.acks.size === 100, 20_000, 'every ack of the second socket');
    const granted = [...second.acks.values()].filter((r) => (r as { ok: boolean }).ok).length;
    expect(granted).toBe(SUBSCRIPTIONS_PER_IP_MAX - 100);
    expect(budget.stats().total).toBe(start + SUBSCRIPTIONS_PER_IP_MAX);

    // Unsubscribing (twice) and disconnecting give the budget back exactly once.
    second.sendBatch([
      RawSocketIo.event(500, 'unsubscribe', { topic: 'chat:pipe0' }),
      RawSocketIo.event(501, 'unsubscribe', { topic: 'chat:pipe0' }),
    ]);
    await until(() => second.acks.has(501));
    expect(budget.stats().total).toBe(start + SUBSCRIPTIONS_PER_IP_MAX - 1);
    first.close();
    await until(() => budget.stats().total === start + SUBSCRIPTIONS_PER_IP_MAX - 101, 10_000, 'the first socket released');
    second.close();
    await until(() => budget.stats().total === start, 10_000, 'everything released');
  });

  it('counts a subscribe waiting for the rules, and an unsubscribe sent behind it wins', async () => {
    const raw = await openRaw();
    const topic = `inbox:${randomSigner().did}`; // refused after the rule check's await
    raw.sendBatch([
      RawSocketIo.event(1, 'subscribe', { topic: 'chat:behind' }),
      RawSocketIo.event(2, 'unsubscribe', { topic: 'chat:behind' }),
      RawSocketIo.event(3, 'subscribe', { topic }),
      RawSocketIo.event(4, 'subscriptions', null),
    ]);
    await until(() => raw.acks.size === 4);
    expect(raw.acks.get(1)).toMatchObject({ ok: false, code: 'NOT_FOUND' });
    expect(raw.acks.get(3)).toMatchObject({ ok: false, code: 'UNAUTHORIZED' });
    expect(raw.acks.get(4)).toEqual({ ok: true, topics: [] });
    raw.sendBatch([RawSocketIo.event(5, 'subscribe', { topic: 'chat:behind' })]);
    await until(() => raw.acks.has(5));
    expect(raw.acks.get(5)).toMatchObject({ ok: true, topic: 'chat:behind' });
    raw.sendBatch([RawSocketIo.event(6, 'subscriptions', null)]);
    await until(() => raw.acks.has(6));
    expect(raw.acks.get(6)).toMatchObject({ ok: true, topics: [{ topic: 'chat:behind', seq: 0 }] });
  });
});

describe('gateway Socket.io: replay and live meet once', () => {
  it('gives each resuming subscriber every event after its afterSeq exactly once, in order, while a publisher runs', async () => {
    const topic = 'chat:race';
    const total = 400;
    const subscribers: { events: TopicEvent[]; afterSeq: number }[] = [];
    let published = 0;
    const publisher = (async () => {
      for (; published < total; published++) {
        await nodePublish(node, topic, { i: published });
        if (published % 10 === 0) await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    while (published < total - 50 && subscribers.length < SUBSCRIBERS_MAX) {
      const socket = await open();
      const events = collect(socket);
      const afterSeq = Math.max(0, published - 5);
      const reply = await ack(socket, 'subscribe', { topic, afterSeq, epoch: node.services.gateway?.hub.epoch });
      expect(reply).toMatchObject({ ok: true });
      subscribers.push({ events, afterSeq });
    }
    await publisher;
    for (const { events, afterSeq } of subscribers) {
      await until(() => events.length >= total - afterSeq, 10_000, 'every event');
      expect(events.map((e) => e.seq)).toEqual(Array.from({ length: total - afterSeq }, (_, i) => afterSeq + i + 1));
    }
    expect(subscribers.length).toBeGreaterThan(3);
  });
});

const redis = await redisUrl();

describe.skipIf(redis === null)('gateway Socket.io: two nodes sharing Redis', () => {
  const keyPrefix = `arc-test-socket-${process.pid}-${Date.now()}`;
  let a: TestNode;
  let b: TestNode;
  beforeAll(async () => {
    const options = { gateway: { redis: { url: redis as string, keyPrefix } } };
    a = await startTestNode(options);
    b = await startTestNode(options);
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    const cleanup = createClient({ url: redis as string });
    await cleanup.connect();
    const keys: string[] = [];
    for await (const batch of cleanup.scanIterator({ MATCH: `${keyPrefix}*`, COUNT: 500 })) keys.push(...batch);
    if (keys.length > 0) await cleanup.del(keys);
    await cleanup.close();
  });

  it('gives each subscriber resuming on one node every event published on the other exactly once, in order', async () => {
    const topic = 'chat:cluster-race';
    const total = 300;
    let published = 0;
    const publisher = (async () => {
      for (; published < total; published++) await nodePublish(a, topic, { i: published });
    })();
    const subscribers: { events: TopicEvent[]; afterSeq: number }[] = [];
    while (published < total - 50 && subscribers.length < SUBSCRIBERS_MAX) {
      const socket = rawSocket(b.url, undefined, { reconnection: false });
      sockets.push(socket);
      await connected(socket);
      const events = collect(socket);
      // What node b has heard, not what a published: b delivers live what it has not heard yet.
      const afterSeq = Math.max(0, (b.services.gateway?.hub.currentSeq(topic) ?? 0) - 5);
      expect(await ack(socket, 'subscribe', { topic, afterSeq, epoch: b.services.gateway?.hub.clusterEpoch })).toMatchObject({ ok: true });
      subscribers.push({ events, afterSeq });
    }
    await publisher;
    for (const { events, afterSeq } of subscribers) {
      await until(() => events.length >= total - afterSeq, 20_000, 'every event').catch((error: Error) => {
        const seen = new Set(events.map((e) => e.seq));
        const missing = Array.from({ length: total - afterSeq }, (_, i) => afterSeq + i + 1).filter((seq) => !seen.has(seq));
        throw new Error(`${error.message}: a subscriber after seq ${afterSeq} lacks seqs ${missing.slice(0, 20).join(', ')}`);
      });
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(events.map((e) => e.seq)).toEqual(Array.from({ length: total - afterSeq }, (_, i) => afterSeq + i + 1));
    }
  });

  it('numbers anew under a new epoch when Redis loses its counters, and tells a resuming client', async () => {
    const topic = 'chat:epoch';
    const before: TopicEvent[] = [];
    for (let i = 0; i < 3; i++) before.push(await nodePublish(a, topic, { i }));
    const oldEpoch = before[0]?.epoch as string;
    expect(before.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(before.every((e) => e.epoch === oldEpoch)).toBe(true);
    // Redis restarts empty (it keeps nothing on disk here): every key of the cluster is gone.
    const admin = createClient({ url: redis as string });
    await admin.connect();
    const keys: string[] = [];
    for await (const batch of admin.scanIterator({ MATCH: `${keyPrefix}:gw:*`, COUNT: 500 })) keys.push(...batch);
    await admin.del(keys);
    await admin.close();
    const after = await nodePublish(a, topic, { i: 3 });
    expect(after.epoch).not.toBe(oldEpoch);
    expect(after.seq).toBe(1);
    await until(() => b.services.gateway?.hub.clusterEpoch === after.epoch, 10_000, 'node b to hear the new epoch');
    // A client of node b that saw seq 3 of the old numbering resumes: it is told, and gets the new event.
    const socket = rawSocket(b.url, undefined, { reconnection: false });
    sockets.push(socket);
    await connected(socket);
    const events = collect(socket);
    expect(await ack(socket, 'subscribe', { topic, afterSeq: 3, epoch: oldEpoch })).toMatchObject({
      ok: true,
      epoch: after.epoch,
      replayed: 1,
      gap: { reason: 'RESTARTED', resumeFromSeq: 1 },
    });
    await until(() => events.length === 1);
    expect(events[0]).toMatchObject({ seq: 1, epoch: after.epoch, payload: { i: 3 } });
  });
});
