import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signAdmin } from '@arc/core';
import mqtt, { type IClientPublishOptions, type MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/client.ts';
import { GatewayAuthService, type TopicRule } from '../src/gateway/auth.ts';
import { MqttBridge } from '../src/gateway/mqtt-bridge.ts';
import type { Gateway } from '../src/gateway/service.ts';
import { DEFAULT_GATEWAY_LIMITS, type TopicEvent } from '../src/gateway/types.ts';
import { startTestNode, type TestNode } from '../src/testing.ts';
import { ChildNode, type ChildNodeEnv } from './helpers/child-node.ts';
import { nodeClient } from './helpers/client.ts';
import { emitAck, gatewayTopicRules, socketClient } from './helpers/gateway-login.ts';
import { idOf } from './helpers/mqtt-node.ts';
import { reachable } from './helpers/reachable.ts';
import { until } from './helpers/until.ts';
import { randomSigner, type Signer } from './helpers/wallet.ts';

/**
 * The MQTT bridge against a real external broker (Mosquitto at 127.0.0.1:1883; skipped when it does not answer):
 * nothing a message on the broker carries can end the node, bridged messages are not the application's own, and
 * payload bytes cross it unchanged both ways.
 */

const MOSQUITTO = { host: '127.0.0.1', port: 1883 };
const BROKER_URL = `mqtt://${MOSQUITTO.host}:${MOSQUITTO.port}`;
/** Array nesting of the poisonous message: far past JSON_BOUNDS.depthMax, and past what JSON.stringify survives. */
const NESTING_DEPTH = 10_000;
const NESTED = `${'['.repeat(NESTING_DEPTH)}${']'.repeat(NESTING_DEPTH)}`;

const up = await reachable(MOSQUITTO.host, MOSQUITTO.port);

async function externalClient(): Promise<MqttClient> {
  return mqtt.connectAsync(BROKER_URL, { protocolVersion: 5, reconnectPeriod: 0, connectTimeout: 10_000 });
}

describe.skipIf(!up)('the MQTT bridge in a node', () => {
  let node: TestNode;
  let gateway: Gateway;
  let app: Signer;
  let sender: MqttClient;
  /** What one test opened (bridges, clients, hub subscriptions): closed after it, so tests do not hear each other. */
  const open: { close(): Promise<unknown> }[] = [];

  beforeAll(async () => {
    node = await startTestNode();
    gateway = node.services.gateway as Gateway;
    app = randomSigner();
    await gatewayTopicRules(nodeClient(node.url), app, [
      { name: 'private', publish: 'owner', subscribe: 'owner' },
      { name: 'open', publish: 'authenticated', subscribe: 'authenticated' },
      { name: 'deep', publish: 'authenticated', subscribe: 'authenticated' },
    ]);
    sender = await externalClient();
  }, 120_000);

  afterEach(async () => {
    for (const item of open.splice(0).reverse()) await item.close();
  });

  afterAll(async () => {
    await sender?.endAsync();
    await node?.stop();
  });

  async function bridge(options: { importAs?: 'bridge' | 'owner'; filters?: string[] } = {}): Promise<MqttBridge> {
    const started = await MqttBridge.start({
      url: BROKER_URL,
      filters: options.filters ?? [`app/${idOf(app.did)}/#`],
      principal: { kind: 'app', appDid: app.did, keyId: 'bridge' },
      ...(options.importAs ? { importAs: options.importAs } : {}),
      hub: gateway.hub,
      limits: gateway.hub.deps.limits,
      originId: `test-${process.pid}-${Math.random()}`,
      now: Date.now,
      log: () => undefined,
    });
    open.push({ close: () => started.close() });
    await started.subscribed();
    return started;
  }

  /** Every hub event of `app:<app>:<name>`, as the application itself reads them. */
  async function watch(name: string): Promise<TopicEvent[]> {
    const events: TopicEvent[] = [];
    const principal = { kind: 'app', appDid: app.did, keyId: 'watcher' } as const;
    const unsubscribe = await gateway.hub.subscribe(principal, `app:${app.did}:${name}`, (event) => events.push(event), { ip: '' });
    open.push({ close: async () => unsubscribe() });
    return events;
  }

  const mqttTopic = (name: string) => `app/${idOf(app.did)}/${name}`;

  it('drops a message nested 10,000 deep without ending the node, and goes on bridging', async () => {
    const bridged = await bridge({ filters: [mqttTopic('deep')] });
    const events = await watch('deep');
    await sender.publishAsync(mqttTopic('deep'), NESTED);
    await sender.publishAsync(mqttTopic('deep'), '{"after":true}');
    await until('both messages in the hub', () => (events.length >= 2 ? true : undefined));
    // Past the depth bound the bytes are carried as sent and JSON protocols see their text, never a parsed value.
    expect(events[0]?.payload).toBe(NESTED);
    expect(Buffer.from(events[0]?.raw?.bytes ?? []).toString()).toBe(NESTED);
    expect(events[1]?.payload).toEqual({ after: true });
    expect(bridged.stats.imported).toBe(2);
    expect((await fetch(`${node.url}/health`)).status).toBe(200);
  });

  it('publishes imports as the bridge: never on an owner-only topic, and not in the name of the application', async () => {
    const bridged = await bridge();
    const [mine, shared] = await Promise.all([watch('private'), watch('open')]);
    await sender.publishAsync(mqttTopic('private'), '{"unlock":true}');
    await sender.publishAsync(mqttTopic('open'), '{"reading":1}');
    await until('the import on the open topic', () => (shared.length === 1 ? true : undefined));
    await until('the refusal on the owner-only topic', () => bridged.stats.dropped.FORBIDDEN);
    expect(mine).toEqual([]);
    expect(bridged.stats.dropped).toEqual({ FORBIDDEN: 1 });
    expect(shared[0]).toMatchObject({ payload: { reading: 1 }, from: `mqtt-bridge:${app.did}` });
    expect(shared[0]?.from).not.toBe(app.did);
  });

  it('publishes imports as the application only when the operator opts in (importAs owner)', async () => {
    await bridge({ importAs: 'owner', filters: [mqttTopic('private')] });
    const mine = await watch('private');
    await sender.publishAsync(mqttTopic('private'), '{"unlock":true}');
    await until('the import on the owner-only topic', () => (mine.length === 1 ? true : undefined));
    expect(mine[0]).toMatchObject({ payload: { unlock: true }, from: app.did });
  });

  it('carries payload bytes in unchanged, with the MQTT 5 content type, and JSON protocols a view of them', async () => {
    await bridge({ filters: [mqttTopic('open')] });
    const events = await watch('open');
    const binary = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const sent: [Buffer, IClientPublishOptions][] = [
      [Buffer.from('hello'), {}],
      [Buffer.from('12345678901234567890'), {}],
      [binary, { properties: { contentType: 'application/octet-stream' } }],
    ];
    for (const [bytes, options] of sent) await sender.publishAsync(mqttTopic('open'), bytes, options);
    await until('three imports', () => (events.length === 3 ? true : undefined));
    expect(events.map((event) => Buffer.from(event.raw?.bytes ?? []))).toEqual(sent.map(([bytes]) => bytes));
    expect(events.map((event) => event.raw?.contentType)).toEqual([undefined, undefined, 'application/octet-stream']);
    expect(events[0]?.payload).toBe('hello');
    expect(events[2]?.payload).toEqual({ $binary: binary.toString('base64') });
  });

  it('sends raw bytes out unchanged with their content type, and JSON payloads as their JSON', async () => {
    await bridge({ filters: [mqttTopic('out')] });
    const watcher = await externalClient();
    open.push({ close: () => watcher.endAsync() });
    const received: { bytes: Buffer; contentType: string | undefined }[] = [];
    watcher.on('message', (_topic, bytes, packet) => received.push({ bytes, contentType: packet.properties?.contentType }));
    await watcher.subscribeAsync(mqttTopic('out'));
    const owner = { kind: 'app', appDid: app.did, keyId: 'server' } as const;
    const binary = new Uint8Array([0, 255, 34, 123, 10]);
    await gateway.hub.publish(owner, `app:${app.did}:out`, { $binary: 'AP8iewo=' }, { bytes: binary, contentType: 'application/x-demo' });
    await gateway.hub.publish(owner, `app:${app.did}:out`, { open: true });
    await until('both messages at Mosquitto', () => (received.length === 2 ? true : undefined));
    expect(received[0]).toEqual({ bytes: Buffer.from(binary), contentType: 'application/x-demo' });
    expect(received[1]).toEqual({ bytes: Buffer.from('{"open":true}'), contentType: undefined });
  });
});

describe.skipIf(!up)('a node whose bridged topic holds a poisonous retained message', () => {
  let dataDir: string;
  let app: Signer;
  let apiKey: string;
  let child: ChildNode | undefined;
  const retainedTopics: string[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'arc-bridge-'));
    app = randomSigner();
    // The application's key and rules, written before the node starts (the bridge resolves its key at start).
    const db = await openDatabase({ kind: 'pglite', dataDir: join(dataDir, 'pglite') }, () => undefined);
    try {
      const auth = new GatewayAuthService({ db, limits: DEFAULT_GATEWAY_LIMITS, now: Date.now, blockletOwner: async () => null });
      const keyId = `bridge-${idOf(app.did).slice(-8)}`;
      ({ apiKey } = await auth.createApiKey({
        appDid: app.did,
        keyId,
        auth: signAdmin(app, 'gateway.createApiKey', app.did, { keyId }, Date.now()),
      }));
      const rules: TopicRule[] = [{ name: 'deep', publish: 'authenticated', subscribe: 'anyone' }];
      await auth.setTopicRules({ appDid: app.did, rules, auth: signAdmin(app, 'gateway.setTopicRules', app.did, { rules }, Date.now()) });
    } finally {
      await db.close();
    }
    // Retained at the broker: every (re)start of the bridge receives it first thing. One where the bridge may
    // publish (the hub takes it), one owner-only (refused and counted).
    const publisher = await externalClient();
    for (const name of ['deep', 'private']) {
      const topic = `app/${idOf(app.did)}/${name}`;
      retainedTopics.push(topic);
      await publisher.publishAsync(topic, NESTED, { retain: true, qos: 1 });
    }
    await publisher.endAsync();
  }, 120_000);

  afterAll(async () => {
    await child?.kill();
    // An empty retained message clears the broker's retained one.
    const publisher = await externalClient();
    for (const topic of retainedTopics) await publisher.publishAsync(topic, '', { retain: true, qos: 1 });
    await publisher.endAsync();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function start(): Promise<ChildNode> {
    const env = {
      DATA_DIR: dataDir,
      MQTT_BRIDGE_URL: BROKER_URL,
      MQTT_BRIDGE_TOPICS: `app/${idOf(app.did)}/#`,
      MQTT_BRIDGE_API_KEY: apiKey,
    };
    child = await (await ChildNode.spawn(env as ChildNodeEnv)).ready();
    return child;
  }

  /** Waits for the bridge to have taken both retained messages in, then checks the node answers and kept them. */
  async function checkSurvived(node: ChildNode): Promise<void> {
    await until('the refusal of the owner-only message in the log', () => {
      if (node.child.exitCode !== null || node.child.signalCode !== null)
        throw new Error(`the node ended (${node.child.exitCode ?? node.child.signalCode}):\n${node.output.slice(-2000)}`);
      return node.output.includes('mqtt bridge: dropped 1 message(s): FORBIDDEN') ? true : undefined;
    });
    const socket = await socketClient(node.url);
    try {
      const events: TopicEvent[] = [];
      socket.on('event', (event: TopicEvent) => events.push(event));
      const topic = `app:${app.did}:deep`;
      // Replayed when the bridge imported it already, delivered live when it does so next: one event either way.
      expect(await emitAck(socket, 'subscribe', { topic, afterSeq: 0 })).toMatchObject({ ok: true });
      await until('the retained import', () => (events.length === 1 ? true : undefined));
      expect(events[0]).toMatchObject({ topic, seq: 1, payload: NESTED, from: `mqtt-bridge:${app.did}` });
    } finally {
      socket.disconnect();
    }
    expect((await fetch(`${node.url}/health`)).status).toBe(200);
    expect(node.child.exitCode).toBeNull();
  }

  it('stays up when the bridge receives it at start, and again after a restart', async () => {
    await checkSurvived(await start());
    await child?.kill('SIGTERM');
    await checkSurvived(await start());
  }, 300_000);
});
