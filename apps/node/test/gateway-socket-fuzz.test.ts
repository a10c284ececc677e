import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestNode, type TestNode } from '../src/testing.ts';
import { httpRequest, pollingSession } from './helpers/engine-io.ts';
import { ack, collect, connected, nodePublish, rawSocket, until } from './helpers/realtime.ts';

/** fast-check runs per transport; each opens one connection and sends one batch of frames. */
const RUNS = 60;
/** How long a batch may take to be answered before the node's health is checked. */
const SETTLE_MS = 30;

let node: TestNode;

beforeAll(async () => {
  // A small message bound, so "huge" frames are cheap to make and engine.io's frame limit is reached too.
  node = await startTestNode({ gateway: { limits: { messageBytesMax: 4096 } } });
});

afterAll(() => node?.stop());

const nested = fc.tuple(fc.integer({ min: 1, max: 30_000 }), fc.constantFrom('[', '{"a":'), fc.boolean()).map(([levels, open, closed]) => {
  const close = open === '[' ? ']' : '}';
  return `${open.repeat(levels)}1${closed ? close.repeat(levels) : ''}`;
});
const json = fc.oneof(nested, fc.json(), fc.constant('{"topic":"chat:fuzz","payload":{"kind":"well-formed","num":0}}'));
/** Socket.io and engine.io text frames: well-formed, nested, truncated, unknown types, garbage. */
const textFrame = fc.oneof(
  json.map((value) => `42["subscribe",${value}]`),
  json.map((value) => `42["publish",{"topic":"chat:fuzz","payload":${value}}]`),
  json.map((value) => `427${JSON.stringify(['publish', value]).slice(0, 2000)}`),
  json.map((value) => `42${value}`),
  fc.tuple(fc.constantFrom('0', '1', '3', '4', '5', '6'), json).map(([type, value]) => `4${type}${value}`),
  json.map((value) => `451-["publish",{"topic":"chat:fuzz","payload":${value}}]`),
  json.map((value) => `40${value}`),
  fc.string({ maxLength: 200 }).map((text) => `42["${text}"]`),
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.constantFrom('2', '3', '5', '6', '1', '', '4', '42', '43', '431[]', '42[]', '42[1]', '42[null]', '42["subscribe"'),
  fc.integer({ min: 5_000, max: 20_000 }).map((size) => `42["publish",{"topic":"chat:fuzz","payload":"${'x'.repeat(size)}"}]`),
  json
    .map((value) => `42["publish",{"topic":"chat:fuzz","payload":${value}}]`)
    .map((frame) => frame.slice(0, Math.max(1, frame.length >> 1))),
);
const binaryFrame = fc.uint8Array({ maxLength: 2000 });
const frames = fc.array(fc.oneof({ weight: 4, arbitrary: textFrame }, { weight: 1, arbitrary: binaryFrame }), {
  minLength: 1,
  maxLength: 12,
});

async function healthy(): Promise<void> {
  expect((await httpRequest('GET', `${node.url}/health`)).status).toBe(200);
}

/** A normal client still connects, subscribes and receives. */
async function servesNormalClient(topic: string): Promise<void> {
  const socket = rawSocket(node.url, undefined, { reconnection: false });
  try {
    await connected(socket);
    const events = collect(socket);
    expect(await ack(socket, 'subscribe', { topic })).toMatchObject({ ok: true });
    await nodePublish(node, topic, { alive: true });
    await until(() => events.length === 1, 10_000, 'the event');
  } finally {
    socket.close();
  }
}

describe('gateway Socket.io fuzz: no frame ends the node', () => {
  it('over raw websockets: nested, huge, truncated and binary frames before and after CONNECT', async () => {
    const { host } = new URL(node.url);
    await fc.assert(
      fc.asyncProperty(fc.boolean(), frames, async (connectFirst, batch) => {
        const ws = new WebSocket(`ws://${host}/socket.io/?EIO=4&transport=websocket`);
        const closed = new Promise<void>((resolve) => {
          ws.once('close', () => resolve());
          ws.once('error', () => resolve());
        });
        await new Promise<void>((resolve) => {
          ws.once('message', () => resolve()); // the engine.io open packet
          ws.once('close', () => resolve());
        });
        if (ws.readyState === WebSocket.OPEN) {
          if (connectFirst) ws.send('40');
          for (const frame of batch) if (ws.readyState === WebSocket.OPEN) ws.send(frame);
        }
        await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, SETTLE_MS))]);
        ws.terminate();
        await healthy();
      }),
      { numRuns: RUNS },
    );
    await servesNormalClient('chat:after-ws-fuzz');
  });

  it('over HTTP long-polling: the same frames posted as payloads, with good, unknown and no session ids', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('session', 'unknown', 'none'), frames, async (sidKind, batch) => {
        const sid = sidKind === 'session' ? await pollingSession(node.url) : sidKind === 'unknown' ? 'AAAAAAAAAAAAAAAAAAAA' : null;
        const target = `${node.url}/socket.io/?EIO=4&transport=polling${sid ? `&sid=${sid}` : ''}`;
        const text = batch.filter((frame): frame is string => typeof frame === 'string');
        const binary = batch.filter((frame) => typeof frame !== 'string');
        // Text packets are separated by the record separator in one body; a binary body is posted on its own.
        const answers = [await httpRequest('POST', target, text.join('\x1e'))];
        for (const bytes of binary) answers.push(await httpRequest('POST', target, Buffer.from(bytes), 'application/octet-stream'));
        for (const answer of answers) expect(answer.status).toBeLessThan(500);
        await healthy();
      }),
      { numRuns: RUNS },
    );
    await servesNormalClient('chat:after-polling-fuzz');
  });
});
