import type { MqttClient } from 'mqtt';
import type { Packet } from 'mqtt-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttGateway } from '../src/gateway/mqtt.ts';
import type { TopicEvent } from '../src/gateway/types.ts';
import { startTestNode, type TestNode } from '../src/testing.ts';
import { nodeClient } from './helpers/client.ts';
import { emitAck, gatewayLogin, socketClient } from './helpers/gateway-login.ts';
import { connectMqtt, idOf, useMqttTestNode } from './helpers/mqtt-node.ts';
import { connectPacket, publishPacket, RawMqtt, subscribePacket } from './helpers/mqtt-raw.ts';
import { randomSigner, type Signer } from './helpers/wallet.ts';

/**
 * The embedded MQTT broker as MQTT users expect it: honest SUBACKs, QoS 2 exactly once, payloads as opaque bytes,
 * MQTT over WebSockets, retained messages, a clear refusal of MQTT 5, malformed filters refused per filter, client
 * ids that cannot be taken over by someone else, and subscription limits that hold against pipelining.
 */

const unique = () => Math.random().toString(36).slice(2, 10);

/** The next message a client receives (topic, bytes, retain flag). */
function nextMessage(client: MqttClient, match: (topic: string) => boolean = () => true, timeoutMs = 10_000) {
  return new Promise<{ topic: string; payload: Buffer; retain: boolean }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timed out waiting for an MQTT message')), timeoutMs);
    const listener = (topic: string, payload: Buffer, packet: { retain?: boolean }) => {
      if (!match(topic)) return;
      clearTimeout(timer);
      client.off('message', listener);
      resolve({ topic, payload, retain: packet.retain === true });
    };
    client.on('message', listener);
  });
}

const granted = (packet: Packet) => (packet as { granted: number[] }).granted;

describe('MQTT broker hardening', () => {
  const ctx = useMqttTestNode();

  it('grants QoS 0 in the SUBACK when QoS 1 or 2 is asked, since it delivers QoS 0', async () => {
    const raw = ctx.track(await RawMqtt.connect(ctx.broker.port));
    raw.send(
      subscribePacket(1, [
        { topic: 'chain/blocks', qos: 1 },
        { topic: `chat/${unique()}`, qos: 2 },
        { topic: `chat/${unique()}`, qos: 0 },
      ]),
    );
    expect(granted(await raw.next((p) => p.cmd === 'suback'))).toEqual([0, 0, 0]);
    const subscriber = ctx.track(await connectMqtt(ctx.broker.url));
    expect((await subscriber.subscribeAsync('chain/blocks', { qos: 2 })).map((g) => g.qos)).toEqual([0]);
  });

  it('publishes a QoS 2 message once however often it is retransmitted before PUBREL', async () => {
    const topic = `chat:${unique()}`;
    const events: TopicEvent[] = [];
    await ctx.gateway.hub.subscribe({ kind: 'anonymous' }, topic, (event) => events.push(event), { ip: '' });
    const raw = ctx.track(await RawMqtt.connect(ctx.broker.port, { username: ctx.alice.did, password: ctx.aliceToken }));
    const mqttTopic = topic.replace(':', '/');
    // One packet id retransmitted with DUP, each after the PUBREC of the one before (the sender missed them).
    raw.send(publishPacket(mqttTopic, '{"n":1}', { qos: 2, messageId: 7 }));
    await raw.next((p) => p.cmd === 'pubrec');
    raw.send(publishPacket(mqttTopic, '{"n":1}', { qos: 2, messageId: 7, dup: true }));
    await raw.next((p) => p.cmd === 'pubrec');
    raw.send(publishPacket(mqttTopic, '{"n":1}', { qos: 2, messageId: 7, dup: true }));
    await raw.next((p) => p.cmd === 'pubrec');
    raw.send({ cmd: 'pubrel', messageId: 7 } as Packet);
    await raw.next((p) => p.cmd === 'pubcomp');
    // The same id in one write, the retransmissions before the first was answered; then the id is reused.
    raw.send(
      publishPacket(mqttTopic, '{"n":2}', { qos: 2, messageId: 8 }),
      publishPacket(mqttTopic, '{"n":2}', { qos: 2, messageId: 8, dup: true }),
      publishPacket(mqttTopic, '{"n":2}', { qos: 2, messageId: 8, dup: true }),
    );
    await raw.next((p) => p.cmd === 'pubrec');
    raw.send({ cmd: 'pubrel', messageId: 8 } as Packet);
    await raw.next((p) => p.cmd === 'pubcomp');
    raw.send(publishPacket(mqttTopic, '{"n":3}', { qos: 2, messageId: 7 }));
    await raw.next((p) => p.cmd === 'pubrec');
    raw.send({ cmd: 'pubrel', messageId: 7 } as Packet);
    await raw.next((p) => p.cmd === 'pubcomp');
    expect(events.map((event) => [event.payload, event.seq])).toEqual([
      [{ n: 1 }, 1],
      [{ n: 2 }, 2],
      [{ n: 3 }, 3],
    ]);
  });

  it('carries payloads as opaque bytes MQTT to MQTT, and as their JSON view to Socket.io', async () => {
    const topic = `app/${idOf(ctx.app.did)}/open`;
    const subscriber = ctx.track(await connectMqtt(ctx.broker.url, { username: ctx.bob.did, password: ctx.bobToken }));
    await subscriber.subscribeAsync(topic);
    const viewer = await socketClient(ctx.node.url, ctx.bobToken);
    ctx.track({ end: () => viewer.disconnect() });
    expect(await emitAck(viewer, 'subscribe', { topic: `app:${ctx.app.did}:open` })).toMatchObject({ ok: true });
    const views: unknown[] = [];
    viewer.on('event', (event: TopicEvent) => views.push(event.payload));
    const publisher = ctx.track(await connectMqtt(ctx.broker.url, { username: ctx.alice.did, password: ctx.aliceToken }));
    const allBytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    const payloads: Buffer[] = [
      Buffer.from('hello world'),
      Buffer.from('12345678901234567890'),
      allBytes,
      Buffer.from('{ "a" : 1,\n"b": [1, 2] }'),
      Buffer.from(deep),
      Buffer.alloc(0),
    ];
    for (const payload of payloads) {
      const received = nextMessage(subscriber);
      await publisher.publishAsync(topic, payload, { qos: 1 });
      expect((await received).payload.equals(payload)).toBe(true);
    }
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (views.length < payloads.length) return;
        clearInterval(check);
        resolve();
      }, 20);
    });
    expect(views).toEqual([
      'hello world',
      Number('12345678901234567890'), // the JSON view rounds; MQTT got the bytes
      { $binary: allBytes.toString('base64') },
      { a: 1, b: [1, 2] },
      deep,
      '',
    ]);
    // What a JSON protocol publishes reaches MQTT as its JSON text.
    const received = nextMessage(subscriber);
    const appSocket = await socketClient(ctx.node.url, ctx.appToken);
    ctx.track({ end: () => appSocket.disconnect() });
    expect(await emitAck(appSocket, 'publish', { topic: `app:${ctx.app.did}:open`, payload: 'plain' })).toMatchObject({ ok: true });
    expect((await received).payload.toString('utf8')).toBe('"plain"');
  });

  it('serves MQTT over WebSockets at /mqtt on the HTTP port, beside Socket.io and DDP', async () => {
    const wsUrl = `${ctx.node.url.replace(/^http/, 'ws')}/mqtt`;
    const subscriber = ctx.track(await connectMqtt(wsUrl));
    const topic = `chat/${unique()}`;
    expect((await subscriber.subscribeAsync(topic)).map((g) => g.qos)).toEqual([0]);
    const received = nextMessage(subscriber);
    const publisher = ctx.track(await connectMqtt(wsUrl, { username: ctx.alice.did, password: ctx.aliceToken }));
    await publisher.publishAsync(topic, 'over ws', { qos: 1 });
    expect((await received).payload.toString('utf8')).toBe('over ws');
    // Socket.io still upgrades on the same server.
    const socket = await socketClient(ctx.node.url);
    ctx.track({ end: () => socket.disconnect() });
    expect(socket.connected).toBe(true);
  });

  it('keeps the last retained message per topic for new subscribers, and clears it with an empty one', async () => {
    const level = unique();
    const publisher = ctx.track(await connectMqtt(ctx.broker.url, { username: ctx.alice.did, password: ctx.aliceToken }));
    await publisher.publishAsync(`chat/${level}/a`, 'first', { qos: 1, retain: true });
    await publisher.publishAsync(`chat/${level}/a`, 'second', { qos: 1, retain: true });
    await publisher.publishAsync(`chat/${level}/b`, 'other', { qos: 1, retain: true });
    const subscriber = ctx.track(await connectMqtt(ctx.broker.url));
    const got: { topic: string; text: string; retain: boolean }[] = [];
    subscriber.on('message', (topic, payload, packet) => got.push({ topic, text: payload.toString('utf8'), retain: packet.retain }));
    await subscriber.subscribeAsync(`chat/${level}/+`);
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (got.length < 2) return;
        clearInterval(check);
        resolve();
      }, 20);
    });
    expect(got.sort((x, y) => x.topic.localeCompare(y.topic))).toEqual([
      { topic: `chat/${level}/a`, text: 'second', retain: true },
      { topic: `chat/${level}/b`, text: 'other', retain: true },
    ]);
    // A live message is not flagged retained; an empty retained payload clears the topic.
    const live = nextMessage(subscriber);
    await publisher.publishAsync(`chat/${level}/a`, '', { qos: 1, retain: true });
    expect(await live).toMatchObject({ retain: false });
    expect(ctx.broker.retained.has(`chat/${level}/a`)).toBe(false);
    expect(ctx.broker.retained.has(`chat/${level}/b`)).toBe(true);
    // Retained messages are only for subscribers the rules let in.
    const appClient = ctx.track(await connectMqtt(ctx.broker.url, { username: ctx.app.did, password: ctx.appToken }));
    await appClient.publishAsync(`app/${idOf(ctx.app.did)}/private`, 'secret', { qos: 1, retain: true });
    const outsider = ctx.track(await connectMqtt(ctx.broker.url, { username: ctx.bob.did, password: ctx.bobToken }));
    const leaked: string[] = [];
    outsider.on('message', (topic) => leaked.push(topic));
    await outsider.subscribeAsync(`app/${idOf(ctx.app.did)}/private`).catch(() => undefined);
    const marker = nextMessage(outsider);
    await outsider.subscribeAsync(`chat/${level}/b`);
    expect((await marker).topic).toBe(`chat/${level}/b`);
    expect(leaked).toEqual([`chat/${level}/b`]);
  });

  it('refuses an MQTT 5 client with CONNACK "unsupported protocol version"', async () => {
    const error = await connectMqtt(ctx.broker.url, { protocolVersion: 5 }).then(
      (c) => {
        c.end(true);
        return null;
      },
      (e: Error & { code?: number }) => e,
    );
    expect(error?.code).toBe(132);
    expect(error?.message).toMatch(/protocol version/i);
  });

  it('answers 0x80 for each malformed filter and keeps the connection', async () => {
    const raw = ctx.track(await RawMqtt.connect(ctx.broker.port));
    raw.send(
      subscribePacket(3, [
        { topic: 'chat/#/b', qos: 0 },
        { topic: 'chat+', qos: 0 },
        { topic: '', qos: 0 },
        { topic: `chat/${'x'.repeat(5000)}`, qos: 0 },
        { topic: 'chat/a\u0000b', qos: 0 },
        { topic: Array.from({ length: 150 }, () => 'l').join('/'), qos: 0 },
        { topic: 'chain/blocks', qos: 0 },
      ]),
    );
    expect(granted(await raw.next((p) => p.cmd === 'suback'))).toEqual([128, 128, 128, 128, 128, 128, 0]);
    raw.send({ cmd: 'pingreq' } as Packet);
    await raw.next((p) => p.cmd === 'pingresp');
  });

  it('refuses a client id in use by someone else with CONNACK 2, and lets its owner take it over', async () => {
    const clientId = `shared-${unique()}`;
    const first = ctx.track(await connectMqtt(ctx.broker.url, { clientId, username: ctx.alice.did, password: ctx.aliceToken }));
    const refused = await connectMqtt(ctx.broker.url, { clientId, username: ctx.bob.did, password: ctx.bobToken }).then(
      () => null,
      (e: Error & { code?: number }) => e,
    );
    expect(refused?.code).toBe(2);
    const anonymous = await connectMqtt(ctx.broker.url, { clientId }).then(
      () => null,
      (e: Error & { code?: number }) => e,
    );
    expect(anonymous?.code).toBe(2);
    expect(first.connected).toBe(true);
    // The same DID takes its id over (MQTT's session takeover): the old connection is closed.
    const closed = new Promise<void>((resolve) => first.once('close', () => resolve()));
    const second = ctx.track(await connectMqtt(ctx.broker.url, { clientId, username: ctx.alice.did, password: ctx.aliceToken }));
    await closed;
    expect(second.connected).toBe(true);
    // Anonymous ids: taken over only from the same client address.
    const anonId = `anon-${unique()}`;
    const local = ctx.track(await RawMqtt.connect(ctx.broker.port, { clientId: anonId }));
    const other = ctx.track(await RawMqtt.open(ctx.broker.port, 4, '127.0.0.2'));
    other.send(connectPacket({ clientId: anonId }));
    expect(await other.next((p) => p.cmd === 'connack')).toMatchObject({ returnCode: 2 });
    const same = ctx.track(await RawMqtt.connect(ctx.broker.port, { clientId: anonId }));
    await local.closed;
    expect(same.socket.destroyed).toBe(false);
  });

  it('grants at most subscriptionsPerConnectionMax of 1,000 subscribes pipelined in one write', async () => {
    const raw = ctx.track(await RawMqtt.connect(ctx.broker.port));
    const prefix = unique();
    raw.send(...Array.from({ length: 1000 }, (_, i) => subscribePacket(i + 1, [{ topic: `chat/${prefix}/${i}`, qos: 0 }])));
    const codes: number[] = [];
    for (let i = 0; i < 1000; i++) codes.push(...granted(await raw.next((p) => p.cmd === 'suback')));
    expect(codes.filter((code) => code === 0).length).toBe(ctx.gateway.hub.deps.limits.subscriptionsPerConnectionMax);
    raw.end();
    await raw.closed;
  });
});

describe('MQTT subscription budgets', () => {
  let node: TestNode;
  let broker: MqttGateway;
  let aliceToken: string;
  let alice: Signer;
  const open: { end(): unknown }[] = [];

  beforeAll(async () => {
    node = await startTestNode({
      protocols: { mqtt: { host: '127.0.0.1', port: 0 } },
      gateway: { limits: { anonymousSubscriptionsMax: 50, subscriptionsPerIpMax: 400 } },
    });
    broker = node.services.protocols?.mqtt as MqttGateway;
    alice = randomSigner();
    aliceToken = await gatewayLogin(nodeClient(node.url), alice);
  }, 120_000);

  afterAll(async () => {
    for (const c of open) c.end();
    await node?.stop();
  });

  it('keeps 30 anonymous connections from taking every subscription, and logged-in users can still subscribe', async () => {
    let grantedCount = 0;
    for (let c = 0; c < 30; c++) {
      const raw = await RawMqtt.connect(broker.port);
      open.push(raw);
      raw.send(
        subscribePacket(
          1,
          Array.from({ length: 10 }, (_, i) => ({ topic: `chat/anon${c}/${i}`, qos: 0 as const })),
        ),
      );
      grantedCount += granted(await raw.next((p) => p.cmd === 'suback')).filter((code) => code === 0).length;
    }
    expect(grantedCount).toBe(50);
    const user = await RawMqtt.connect(broker.port, { username: alice.did, password: aliceToken });
    open.push(user);
    user.send(subscribePacket(1, [{ topic: 'chain/blocks', qos: 0 }]));
    expect(granted(await user.next((p) => p.cmd === 'suback'))).toEqual([0]);
  });
});
