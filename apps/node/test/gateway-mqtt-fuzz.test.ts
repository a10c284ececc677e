import { createConnection } from 'node:net';
import mqtt, { type MqttClient } from 'mqtt';
import mqttPacket, { type Packet } from 'mqtt-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttGateway } from '../src/gateway/mqtt.ts';
import type { TopicEvent } from '../src/gateway/types.ts';
import { startTestNode, type TestNode } from '../src/testing.ts';
import { nodeClient } from './helpers/client.ts';
import { gatewayLogin, socketClient } from './helpers/gateway-login.ts';
import { connectPacket, publishPacket, RawMqtt, subscribePacket } from './helpers/mqtt-raw.ts';
import { between, seededRandom, testSeed } from './helpers/random.ts';
import { randomSigner } from './helpers/wallet.ts';

/**
 * No MQTT frame ends the node: random bytes, truncated packets, huge remaining-length headers, deeply nested JSON
 * payloads and invalid UTF-8 topics, over raw TCP. After each batch /health answers 200 and a normal client still
 * publishes and receives. The seed is printed (MQTT_FUZZ_SEED replays a run).
 */

/** Sends bytes on a fresh TCP connection and waits until the broker closes it or a short while passes. */
function sendRaw(port: number, chunks: Buffer[], waitMs = 300): Promise<void> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.on('error', () => undefined);
    socket.on('data', () => undefined);
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve();
    };
    const timer = setTimeout(done, waitMs);
    socket.once('close', done);
    socket.once('connect', () => {
      for (const chunk of chunks) socket.write(chunk);
    });
  });
}

const generate = (packet: Packet) => mqttPacket.generate(packet);

/** An MQTT string (2-byte length, then the bytes as given: not necessarily UTF-8). */
function mqttString(bytes: Buffer): Buffer {
  const length = Buffer.alloc(2);
  length.writeUInt16BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

/** A PUBLISH (QoS 0) whose topic is the given bytes, hand-encoded so they need not be UTF-8. */
function publishWithTopicBytes(topic: Buffer, payload: Buffer): Buffer {
  const body = Buffer.concat([mqttString(topic), payload]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}

/** A SUBSCRIBE whose filter is the given bytes. */
function subscribeWithFilterBytes(filter: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from([0x00, 0x01]), mqttString(filter), Buffer.from([0x00])]);
  return Buffer.concat([Buffer.from([0x82, body.length]), body]);
}

describe('MQTT broker fuzz', () => {
  let node: TestNode;
  let broker: MqttGateway;
  let token: string;
  let did: string;
  const seed = testSeed('MQTT_FUZZ_SEED');
  const random = seededRandom(seed);
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => between(random, 0, 255)));

  beforeAll(async () => {
    node = await startTestNode({ protocols: { mqtt: { host: '127.0.0.1', port: 0 } } });
    broker = node.services.protocols?.mqtt as MqttGateway;
    const signer = randomSigner();
    did = signer.did;
    token = await gatewayLogin(nodeClient(node.url), signer);
  }, 120_000);

  afterAll(() => node?.stop());

  /** The node answers /health and a normal client still publishes and receives. */
  async function stillServes(): Promise<void> {
    expect((await fetch(`${node.url}/health`)).status).toBe(200);
    const connect = () => mqtt.connectAsync(broker.url, { reconnectPeriod: 0, connectTimeout: 5000, username: did, password: token });
    const subscriber: MqttClient = await connect();
    const publisher: MqttClient = await connect();
    try {
      const topic = `chat/fuzz${between(random, 0, 1e9)}`;
      await subscriber.subscribeAsync(topic);
      const received = new Promise<string>((resolve) => subscriber.once('message', (_t, payload) => resolve(payload.toString())));
      await publisher.publishAsync(topic, 'still here', { qos: 1 });
      expect(await received).toBe('still here');
    } finally {
      subscriber.end(true);
      publisher.end(true);
    }
  }

  it('survives random bytes, with and without a CONNECT before them', async () => {
    const connect = generate(connectPacket());
    await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        sendRaw(broker.port, i % 2 === 0 ? [bytes(between(random, 1, 2000))] : [connect, bytes(between(random, 1, 2000))]),
      ),
    );
    await stillServes();
  });

  it('survives truncated packets and packets of every type with random flags and bodies', async () => {
    const packets = [
      generate(connectPacket({ username: did, password: token })),
      generate(subscribePacket(1, [{ topic: 'chat/a/+', qos: 1 }])),
      generate(publishPacket('chat/a', '{"x":1}', { qos: 2, messageId: 9 })),
    ];
    const batches: Buffer[][] = [];
    for (let i = 0; i < 40; i++) {
      const packet = packets[i % packets.length] as Buffer;
      batches.push([generate(connectPacket()), packet.subarray(0, between(random, 1, packet.length - 1))]);
    }
    for (let i = 0; i < 40; i++) {
      const body = bytes(between(random, 0, 100));
      const header = Buffer.from([between(random, 0, 255), body.length]);
      batches.push([generate(connectPacket()), Buffer.concat([header, body])]);
    }
    await Promise.all(batches.map((chunks) => sendRaw(broker.port, chunks)));
    await stillServes();
  });

  it('closes a connection whose packet declares a huge remaining length, without buffering it', async () => {
    const raw = await RawMqtt.connect(broker.port);
    // PUBLISH with remaining length 268,435,455 (the MQTT maximum), then a first slice of it.
    raw.socket.write(Buffer.concat([Buffer.from([0x30, 0xff, 0xff, 0xff, 0x7f]), Buffer.alloc(1024)]));
    await raw.closed;
    // Before CONNECT too, and as a CONNECT.
    await sendRaw(broker.port, [Buffer.from([0x10, 0xff, 0xff, 0xff, 0x7f]), Buffer.alloc(1024)], 5000);
    await stillServes();
  });

  it('carries deeply nested JSON payloads as text and refuses invalid UTF-8 topics and filters', async () => {
    const viewer = await socketClient(node.url);
    const views: unknown[] = [];
    const topic = `chat:deep${between(random, 0, 1e9)}`;
    await viewer.timeout(5000).emitWithAck('subscribe', { topic });
    viewer.on('event', (event: TopicEvent) => views.push(event.payload));
    const raw = await RawMqtt.connect(broker.port, { username: did, password: token });
    const deepArray = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    const deepObject = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`;
    raw.send(publishPacket(topic.replace(':', '/'), deepArray, { qos: 1, messageId: 1 }));
    raw.send(publishPacket(topic.replace(':', '/'), deepObject, { qos: 1, messageId: 2 }));
    await raw.next((p) => p.cmd === 'puback' && p.messageId === 2);
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (views.length < 2) return;
        clearInterval(check);
        resolve();
      }, 20);
    });
    expect(views).toEqual([deepArray, deepObject]);
    viewer.disconnect();
    raw.end();
    const invalidUtf8 = Buffer.from([0x63, 0x68, 0x61, 0x74, 0x2f, 0xff, 0xfe, 0xc3]);
    await Promise.all([
      sendRaw(broker.port, [
        generate(connectPacket({ username: did, password: token })),
        publishWithTopicBytes(invalidUtf8, Buffer.from('x')),
      ]),
      sendRaw(broker.port, [generate(connectPacket()), subscribeWithFilterBytes(invalidUtf8)]),
      sendRaw(broker.port, [generate(connectPacket()), subscribeWithFilterBytes(Buffer.from([0x63, 0x00, 0x2f, 0x23]))]),
    ]);
    await stillServes();
  });
});
