import { createConnection } from 'node:net';
import type { IClientOptions, MqttClient } from 'mqtt';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MqttBridge } from '../src/gateway/mqtt-bridge.ts';
import type { Gateway } from '../src/gateway/service.ts';
import type { TopicEvent } from '../src/gateway/types.ts';
import { startTestNode, type TestNode } from '../src/testing.ts';
import { nodeClient } from './helpers/client.ts';
import { emitAck, gatewayApiKey, gatewayTopicRules, socketClient } from './helpers/gateway-login.ts';
import { connectMqtt, idOf, useMqttTestNode } from './helpers/mqtt-node.ts';
import { reachable } from './helpers/reachable.ts';
import { until } from './helpers/until.ts';
import { randomSigner, type Signer } from './helpers/wallet.ts';

/** The MQTT protocol of the gateway: the embedded broker against the hub and Socket.io, and the bridge to Mosquitto. */

const MOSQUITTO = { host: '127.0.0.1', port: 1883 };

function waitFor<T>(what: string, setup: (resolve: (value: T) => void) => void, timeoutMs = 10_000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs);
    setup((value) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}

/** The error a refused MQTT connection ends with. */
async function refusedConnect(url: string, options: IClientOptions): Promise<Error & { code?: number }> {
  try {
    const client = await connectMqtt(url, options);
    await client.endAsync();
  } catch (error) {
    return error as Error & { code?: number };
  }
  throw new Error('expected the connection to be refused');
}

/** The SUBACK return code of each filter (128 = refused); mqtt.js rejects a SUBACK holding a failure. */
async function subackCodes(client: MqttClient, filters: string[]): Promise<number[]> {
  try {
    return (await client.subscribeAsync(filters)).map((granted) => granted.qos);
  } catch (error) {
    const packet = (error as { packet?: { granted?: number[] } }).packet;
    if (!packet?.granted) throw error;
    return packet.granted;
  }
}

describe('MQTT gateway', () => {
  const ctx = useMqttTestNode();
  const track$ = (s: Socket) => ctx.track({ end: () => s.disconnect() }) && s;

  it('logs a DID in with its session token and carries its MQTT publish to a Socket.io subscriber', async () => {
    const viewer = track$(await socketClient(ctx.node.url, ctx.bobToken));
    const topic = `app:${ctx.app.did}:scores`;
    expect(await emitAck(viewer, 'subscribe', { topic })).toMatchObject({ ok: true });
    const received = waitFor<TopicEvent>('the socket event', (resolve) =>
      viewer.on('event', (event: TopicEvent) => event.topic === topic && resolve(event)),
    );
    const publisher = ctx.track(await connectMqtt(ctx.broker.url, { username: ctx.app.did, password: ctx.appToken }));
    await publisher.publishAsync(`app/${idOf(ctx.app.did)}/scores`, JSON.stringify({ points: 7 }), { qos: 1 });
    const event = await received;
    expect(event).toMatchObject({ topic, payload: { points: 7 }, from: ctx.app.did });
    expect(event.seq).toBeGreaterThan(0);
  });

  it('delivers a Socket.io publish to an MQTT subscriber of a wildcard filter, as the JSON of the payload', async () => {
    // A wildcard below an application is a pattern, which only the application itself may subscribe to.
    const subscriber = ctx.track(await connectMqtt(ctx.broker.url, { username: ctx.app.did, password: ctx.appToken }));
    expect(await subackCodes(subscriber, [`app/${idOf(ctx.app.did)}/+`])).toEqual([0]);
    const received = waitFor<{ topic: string; text: string }>('the MQTT message', (resolve) =>
      subscriber.on('message', (topic, payload) => resolve({ topic, text: payload.toString('utf8') })),
    );
    const publisher = track$(await socketClient(ctx.node.url, ctx.appToken));
    expect(await emitAck(publisher, 'publish', { topic: `app:${ctx.app.did}:moves`, payload: { move: 'e4' } })).toMatchObject({ ok: true });
    expect(await received).toEqual({ topic: `app/${idOf(ctx.app.did)}/moves`, text: '{"move":"e4"}' });
  });

  it('lets an application connect with its API key as app:<appDid>', async () => {
    const apiKey = await gatewayApiKey(ctx.client, ctx.app, `mqtt-${Date.now()}`);
    const server = ctx.track(await connectMqtt(ctx.broker.url, { username: `app:${ctx.app.did}`, password: apiKey }));
    const received = waitFor<TopicEvent>('the hub event', (resolve) => {
      void ctx.gateway.hub.subscribe(
        { kind: 'did', did: ctx.app.did, sessionId: 'test', expiresAtMs: Date.now() + 60_000 },
        `app:${ctx.app.did}:private`,
        resolve,
        { ip: '' },
      );
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await server.publishAsync(`app/${idOf(ctx.app.did)}/private`, 'plain text', { qos: 1 });
    expect(await received).toMatchObject({ payload: 'plain text', from: ctx.app.did });
  });

  it('refuses a wrong password, a forged username and a password without username', async () => {
    expect((await refusedConnect(ctx.broker.url, { username: ctx.alice.did, password: 'st_not-a-session' })).code).toBe(4);
    expect((await refusedConnect(ctx.broker.url, { username: ctx.alice.did, password: ctx.bobToken })).code).toBe(5);
    expect((await refusedConnect(ctx.broker.url, { username: `app:${ctx.alice.did}`, password: 'ak_nope.nope' })).code).toBe(4);
    expect((await refusedConnect(ctx.broker.url, { username: ctx.alice.did })).code).toBe(4);
  });

  it('answers a SUBACK failure for topics the rules keep from the subscriber, and keeps the connection', async () => {
    const subscriber = ctx.track(await connectMqtt(ctx.broker.url, { username: ctx.alice.did, password: ctx.aliceToken }));
    const appId = idOf(ctx.app.did);
    const filters = [
      `app/${appId}/private`,
      `inbox/${idOf(ctx.bob.did)}`,
      `app/${appId}/#`,
      '#',
      `app/${appId}/open`,
      `inbox/${idOf(ctx.alice.did)}`,
    ];
    expect(await subackCodes(subscriber, filters)).toEqual([128, 128, 128, 128, 0, 0]);
    const anonymous = ctx.track(await connectMqtt(ctx.broker.url));
    expect(await subackCodes(anonymous, [`app/${appId}/scores`, 'chain/blocks'])).toEqual([128, 0]);
    expect(subscriber.connected).toBe(true);
  });

  // Bytes that are not text are no reason: payloads are opaque bytes (gateway-mqtt-hardening.test.ts).
  it('closes the connection of a client that publishes where it may not, or too many bytes', async () => {
    for (const [topic, payload] of [
      [`app/${idOf(ctx.app.did)}/private`, '{}'],
      ['chain/blocks', '{}'],
      [`chat/a:b`, '{}'],
      [`app/${idOf(ctx.app.did)}/open`, JSON.stringify('x'.repeat(ctx.gateway.hub.deps.limits.messageBytesMax + 1))],
    ] as const) {
      const publisher = await connectMqtt(ctx.broker.url, { username: ctx.alice.did, password: ctx.aliceToken });
      const closed = waitFor('the close', (resolve) => publisher.once('close', () => resolve(undefined)));
      publisher.publish(topic, payload as string | Buffer, { qos: 1 });
      await closed;
      publisher.end(true);
    }
    // The broker lives on: a well-formed publish on the same topic goes through.
    const publisher = ctx.track(await connectMqtt(ctx.broker.url, { username: ctx.alice.did, password: ctx.aliceToken }));
    await publisher.publishAsync(`app/${idOf(ctx.app.did)}/open`, '{"fine":true}', { qos: 1 });
    expect(publisher.connected).toBe(true);
  });

  it('survives raw garbage on the socket', async () => {
    const socket = createConnection({ host: '127.0.0.1', port: ctx.broker.port });
    await waitFor('the connect', (resolve) => socket.once('connect', () => resolve(undefined)));
    const closed = waitFor('the close', (resolve) => socket.once('close', () => resolve(undefined)));
    socket.on('error', () => undefined);
    socket.write(Buffer.from('GET / HTTP/1.1\r\n\r\n\x00\xff\xff\xff\xff\x7f'));
    await closed;
    const again = ctx.track(await connectMqtt(ctx.broker.url));
    expect(again.connected).toBe(true);
  });
});

describe('MQTT bridge to Mosquitto', async () => {
  const up = await reachable(MOSQUITTO.host, MOSQUITTO.port);
  let node: TestNode;
  let bridge: MqttBridge;
  let app: Signer;
  const external: MqttClient[] = [];
  const url = `mqtt://${MOSQUITTO.host}:${MOSQUITTO.port}`;

  beforeAll(async () => {
    if (!up) return;
    node = await startTestNode();
    const gateway = node.services.gateway as Gateway;
    app = randomSigner();
    // Imports come in as the bridge, which the rules count as authenticated (never as the application).
    await gatewayTopicRules(nodeClient(node.url), app, [{ name: 'sensor', publish: 'authenticated', subscribe: 'authenticated' }]);
    bridge = await MqttBridge.start({
      url,
      filters: [`app/${idOf(app.did)}/#`],
      principal: { kind: 'app', appDid: app.did, keyId: 'bridge-test' },
      hub: gateway.hub,
      limits: gateway.hub.deps.limits,
      originId: `test-${process.pid}-${Date.now()}`,
      now: Date.now,
      log: () => undefined,
    });
    await bridge.subscribed();
  }, 120_000);

  afterAll(async () => {
    for (const c of external) await c.endAsync();
    await bridge?.close();
    await node?.stop();
  });

  it.skipIf(!up)('carries a Mosquitto message on a bridged topic to a hub subscriber, once', async () => {
    const gateway = node.services.gateway as Gateway;
    const topic = `app:${app.did}:sensor`;
    const events: TopicEvent[] = [];
    await gateway.hub.subscribe({ kind: 'app', appDid: app.did, keyId: 'watcher' }, topic, (event) => events.push(event), { ip: '' });
    const watcher = await connectMqtt(url, { protocolVersion: 5 });
    external.push(watcher);
    await watcher.subscribeAsync(`app/${idOf(app.did)}/sensor`);
    const seen: string[] = [];
    watcher.on('message', (_topic, payload) => seen.push(payload.toString('utf8')));
    const sender = await connectMqtt(url, { protocolVersion: 5 });
    external.push(sender);
    await sender.publishAsync(`app/${idOf(app.did)}/sensor`, '{"celsius":21.5}');
    await until('the hub event', () => events[0]);
    expect(events[0]).toMatchObject({ topic, payload: { celsius: 21.5 }, from: `mqtt-bridge:${app.did}` });
    // The hub's echo of an import does not go back out: the watcher sees the sender's message only.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(seen).toEqual(['{"celsius":21.5}']);
    expect(bridge.stats.exported).toBe(0);
  });

  it.skipIf(!up)('carries a hub event on a bridged topic out to Mosquitto, marked with its origin', async () => {
    const gateway = node.services.gateway as Gateway;
    const watcher = await connectMqtt(url, { protocolVersion: 5 });
    external.push(watcher);
    await watcher.subscribeAsync(`app/${idOf(app.did)}/commands`);
    const received = waitFor<{ text: string; origin: unknown; seq: unknown }>('the Mosquitto message', (resolve) =>
      watcher.on('message', (_topic, payload, packet) =>
        resolve({
          text: payload.toString('utf8'),
          origin: packet.properties?.userProperties?.['arc-origin'],
          seq: packet.properties?.userProperties?.['arc-seq'],
        }),
      ),
    );
    const event = await gateway.hub.publish({ kind: 'app', appDid: app.did, keyId: 'server' }, `app:${app.did}:commands`, { open: true });
    const message = await received;
    expect(message.text).toBe('{"open":true}');
    expect(message.origin).toBe(bridge.options.originId);
    expect(message.seq).toBe(String(event.seq));
  });
});
