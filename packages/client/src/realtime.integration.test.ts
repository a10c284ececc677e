import { startTestNode, type TestNode } from '@arc/node/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from './client.ts';
import { ClientError } from './errors.ts';
import { connectRealtime, type Realtime, type RealtimeEvent, type RealtimeGap } from './realtime.ts';
import { Wallet } from './wallet.ts';

let node: TestNode;
const opened: Realtime[] = [];

beforeAll(async () => {
  node = await startTestNode({ blockIntervalMs: 250 });
}, 60_000);

afterAll(async () => {
  for (const realtime of opened) realtime.close();
  await node?.stop();
});

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function publishAsNode(target: TestNode, topic: string, payload: unknown) {
  const gateway = target.services.gateway;
  if (!gateway) throw new Error('the node has no gateway');
  return gateway.hub.publishAs(topic, payload, null);
}

describe('connectRealtime', () => {
  it('logs a wallet in, hears its account and publishes as it', async () => {
    const funded = Wallet.fromSecretKey(node.funded.secretKey);
    const bob = Wallet.generate();
    const realtime = await connectRealtime(node.url, { wallet: bob });
    opened.push(realtime);
    const heard: RealtimeEvent<{ hash: string; type: string; height: number }>[] = [];
    await realtime.subscribe(`account:${bob.did}`, (event) => heard.push(event));
    const sent = await createClient({ url: node.url }).transfer({ wallet: funded, to: bob.did, amount: 10n ** 18n });
    await until(() => heard.length === 1, 20_000, 'the account event');
    expect(heard[0]?.payload).toMatchObject({ hash: sent.hash, type: 'transfer' });
    const mine: RealtimeEvent[] = [];
    await realtime.subscribe('chat:lobby', (event) => mine.push(event));
    expect(await realtime.publish('chat:lobby', { text: 'hi' })).toMatchObject({ seq: 1 });
    await until(() => mine.length === 1, 5_000, 'the own message');
    expect(mine[0]).toMatchObject({ from: bob.did, payload: { text: 'hi' } });

    const anonymous = await connectRealtime(node.url);
    opened.push(anonymous);
    await expect(anonymous.publish('chat:lobby', 'x')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(anonymous.subscribe(`inbox:${bob.did}`, () => undefined)).rejects.toBeInstanceOf(ClientError);
  });

  describe('on a node with a short recovery window and short sessions', () => {
    let strict: TestNode;
    beforeAll(async () => {
      strict = await startTestNode({ gateway: { limits: { recoveryWindowMs: 50, sessionTtlMs: 2000 } } });
    }, 60_000);
    afterAll(() => strict?.stop());

    it('resumes with the last seq when the node could not recover the session', async () => {
      const realtime = await connectRealtime(strict.url, { transports: ['websocket'] });
      opened.push(realtime);
      const seqs: number[] = [];
      await realtime.subscribe('chat:resume', (event) => seqs.push(event.seq));
      for (let i = 0; i < 3; i++) await publishAsNode(strict, 'chat:resume', i);
      await until(() => seqs.length === 3, 5_000, 'the first events');
      realtime.socket.io.engine.close();
      await until(() => !realtime.socket.connected, 5_000, 'the disconnect');
      for (let i = 3; i < 9; i++) await publishAsNode(strict, 'chat:resume', i);
      await until(() => seqs.length === 9, 10_000, 'the missed events');
      expect(realtime.socket.recovered).toBe(false);
      await publishAsNode(strict, 'chat:resume', 9);
      await until(() => seqs.length === 10, 5_000, 'the next event');
      expect(seqs).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    });

    it('logs in again when the node drops an expired session, and misses nothing', async () => {
      const realtime = await connectRealtime(strict.url, { wallet: Wallet.generate(), transports: ['websocket'] });
      opened.push(realtime);
      const seqs: number[] = [];
      await realtime.subscribe('chat:relogin', (event) => seqs.push(event.seq));
      await publishAsNode(strict, 'chat:relogin', 1);
      await until(() => !realtime.socket.connected, 10_000, 'the session to expire');
      await publishAsNode(strict, 'chat:relogin', 2);
      await until(() => realtime.socket.connected, 10_000, 'the new login');
      await until(() => seqs.length === 2, 10_000, 'the event published while logged out');
      await publishAsNode(strict, 'chat:relogin', 3);
      await until(() => seqs.length === 3, 10_000, 'the next event');
      expect(seqs).toEqual([1, 2, 3]);
    });
  });

  describe('on a node that keeps few events per topic', () => {
    let few: TestNode;
    beforeAll(async () => {
      few = await startTestNode({ gateway: { limits: { recoveryWindowMs: 50, retainedPerTopicMax: 4 } } });
    }, 60_000);
    afterAll(() => few?.stop());

    it('tells the application which events it missed for good when it resumes after the node dropped them', async () => {
      const gaps: RealtimeGap[] = [];
      const realtime = await connectRealtime(few.url, { transports: ['websocket'], onGap: (gap) => gaps.push(gap) });
      opened.push(realtime);
      const seqs: number[] = [];
      await realtime.subscribe('chat:gap', (event) => seqs.push(event.seq));
      for (let i = 0; i < 3; i++) await publishAsNode(few, 'chat:gap', i);
      await until(() => seqs.length === 3, 5_000, 'the first events');
      realtime.socket.io.engine.close();
      await until(() => !realtime.socket.connected, 5_000, 'the disconnect');
      // The node keeps 4 events per topic: 4 and 5 are gone by the time the client is back.
      for (let i = 3; i < 9; i++) await publishAsNode(few, 'chat:gap', i);
      await until(() => seqs.length === 7, 10_000, 'the retained events');
      expect(seqs).toEqual([1, 2, 3, 6, 7, 8, 9]);
      expect(gaps).toEqual([{ topic: 'chat:gap', reason: 'EVICTED', resumeFromSeq: 6 }]);
    });
  });

  it('reconnect storm: 1,000 clients drop and reconnect while messages are published, none lost', async () => {
    const CLIENTS = 1000;
    const MESSAGES = 150;
    const clients: { realtime: Realtime; seqs: number[] }[] = [];
    for (let batch = 0; batch < CLIENTS; batch += 100) {
      const started = await Promise.all(
        Array.from({ length: Math.min(100, CLIENTS - batch) }, async () => {
          const realtime = await connectRealtime(node.url, { transports: ['websocket'] });
          const seqs: number[] = [];
          await realtime.subscribe('chat:storm', (event) => seqs.push(event.seq));
          return { realtime, seqs };
        }),
      );
      clients.push(...started);
    }
    try {
      let published = 0;
      const publishing = (async () => {
        while (published < MESSAGES) {
          await publishAsNode(node, 'chat:storm', { n: published });
          published += 1;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      })();
      // Every 200 ms a tenth of the clients lose their transport.
      for (let wave = 0; wave < 12; wave++) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        for (let i = (wave % 10) * 100; i < ((wave % 10) + 1) * 100; i++) clients[i]?.realtime.socket.io.engine?.close();
      }
      await publishing;
      await until(() => clients.every((c) => c.seqs.length >= MESSAGES), 40_000, 'every client to have every message');
      const expected = Array.from({ length: MESSAGES }, (_, i) => i + 1);
      const broken = clients.filter((c) => c.seqs.length !== MESSAGES || c.seqs.some((seq, i) => seq !== expected[i]));
      expect(broken.length, `first broken client's seqs: ${broken[0]?.seqs.join(',')}`).toBe(0);
    } finally {
      for (const c of clients) c.realtime.close();
    }
  }, 60_000);
});
