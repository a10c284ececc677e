import { startTestNode, type TestNode } from '@arc/node/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from './client.ts';
import { ClientError } from './errors.ts';
import { connectRealtime, type Realtime, type RealtimeEvent, type RealtimeGap } from './realtime.ts';
import { until } from './testing/until.ts';
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

  describe('on a node with short sessions', () => {
    let strict: TestNode;
    beforeAll(async () => {
      strict = await startTestNode({ gateway: { limits: { sessionTtlMs: 2000 } } });
    }, 60_000);
    afterAll(() => strict?.stop());

    it('resumes with the last seq after its transport dropped', async () => {
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
      few = await startTestNode({ gateway: { limits: { retainedPerTopicMax: 4 } } });
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

  it('comes back by itself when the node ends the connection (as older nodes do on a restart)', async () => {
    const realtime = await connectRealtime(node.url, { transports: ['websocket'] });
    opened.push(realtime);
    const seqs: number[] = [];
    await realtime.subscribe('chat:dropped-by-node', (event) => seqs.push(event.seq));
    await publishAsNode(node, 'chat:dropped-by-node', 1);
    await until(() => seqs.length === 1, 5_000, 'the first event');
    // "io server disconnect": Socket.io itself does not reconnect after it.
    node.services.gateway?.socket.io.disconnectSockets(true);
    await until(() => !realtime.socket.connected, 5_000, 'the disconnect');
    for (let n = 2; n <= 4; n++) await publishAsNode(node, 'chat:dropped-by-node', n);
    await until(() => seqs.length === 4, 15_000, 'the events published while it was away');
    expect(seqs).toEqual([1, 2, 3, 4]);
  });

  it('hands each event of a topic heard through a pattern and a topic subscription once to each', async () => {
    const realtime = await connectRealtime(node.url, { transports: ['websocket'] });
    opened.push(realtime);
    const viaPattern: string[] = [];
    const viaTopic: string[] = [];
    await realtime.subscribe('chat:*', (event) => viaPattern.push(`${event.topic}#${event.seq}`));
    await realtime.subscribe('chat:both', (event) => viaTopic.push(`${event.topic}#${event.seq}`));
    await publishAsNode(node, 'chat:both', 1);
    await publishAsNode(node, 'chat:other', 1);
    await until(() => viaPattern.length === 2 && viaTopic.length === 1, 5_000, 'the events');
    realtime.socket.io.engine.close();
    await until(() => !realtime.socket.connected, 5_000, 'the disconnect');
    await until(() => realtime.socket.connected, 10_000, 'the reconnect');
    await publishAsNode(node, 'chat:both', 2);
    await until(() => viaPattern.length === 3 && viaTopic.length === 2, 5_000, 'the next event');
    expect(viaTopic).toEqual(['chat:both#1', 'chat:both#2']);
    expect(viaPattern).toEqual(['chat:both#1', 'chat:other#1', 'chat:both#2']);
  });
});
