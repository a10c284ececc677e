import { afterEach, describe, expect, it } from 'vitest';
import { GOSSIP_ERRORS } from './errors.ts';
import { isConnected, payload, rawHandshake, sleep, startNode, type TestNode, waitFor } from './gossip-testing.ts';
import { OPCODE, RawWsClient } from './raw-ws-client.ts';

/**
 * A stranger's client (RFC 6455 by hand on a TCP socket; Node 20 has no WebSocket client of its own and undici is
 * not installed) sends garbage; each time the node closes that socket, logs it, and keeps serving its real peer.
 */
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function node(options: Parameters<typeof startNode>[0] = {}): Promise<TestNode> {
  const started = await startNode(options);
  cleanups.push(() => started.node.stop());
  return started;
}

async function stranger(url: string): Promise<RawWsClient> {
  const client = await RawWsClient.connect(url);
  if (!(client instanceof RawWsClient)) throw new Error(`upgrade refused: ${client.status}`);
  cleanups.push(() => client.destroy());
  const hello = await client.nextFrame();
  expect(hello?.opcode).toBe(OPCODE.text);
  return client;
}

/** B with a real peer A connected; `stillServes` checks a payload still flows A → B. */
async function pair(limits: Parameters<typeof startNode>[0] = {}) {
  const b = await node(limits);
  const a = await node({ peers: [b.node.url as string] });
  await waitFor('A connected to B', () => isConnected(b.node, a.node.did));
  let sent = 0;
  const stillServes = async () => {
    sent += 1;
    a.node.broadcast(payload(`still here ${sent}`));
    const text = `still here ${sent}`;
    await waitFor(`B to receive message ${sent}`, () => b.received.some((m) => m.text === text && m.from === a.node.did));
    expect(isConnected(b.node, a.node.did)).toBe(true);
  };
  return { a, b, stillServes, url: b.node.url as string };
}

describe('gossip against a stranger', () => {
  it('closes a client that sends invalid JSON as its hello', async () => {
    const { b, stillServes, url } = await pair();
    const client = await stranger(url);
    client.sendText('{"type":"hello", not json');
    const close = await client.closed;
    expect(close.code).toBe(GOSSIP_ERRORS.BAD_HANDSHAKE.closeCode);
    expect(close.reason).toMatch(/not JSON/);
    expect(b.logs.some((line) => line.includes('not JSON'))).toBe(true);
    await stillServes();
  });

  it('closes a client whose hello does not match the schema', async () => {
    const { stillServes, url } = await pair();
    const client = await stranger(url);
    client.sendText(JSON.stringify({ type: 'hello', version: 1, chainId: 'x' }));
    const close = await client.closed;
    expect(close.code).toBe(GOSSIP_ERRORS.BAD_HANDSHAKE.closeCode);
    expect(close.reason).toMatch(/not a valid hello or auth/);
    await stillServes();
  });

  it('closes a client that sends a binary frame before the handshake', async () => {
    const { stillServes, url } = await pair();
    const client = await stranger(url);
    client.sendBinary(new Uint8Array([1, 2, 3]));
    expect((await client.closed).code).toBe(GOSSIP_ERRORS.BINARY_BEFORE_AUTH.closeCode);
    await stillServes();
  });

  it('closes a client announcing a frame larger than a hello before the handshake (1009, read no further)', async () => {
    const { b, stillServes, url } = await pair();
    const client = await stranger(url);
    client.sendHeaderOnly(OPCODE.text, 10_000);
    expect((await client.closed).code).toBe(1009);
    await waitFor('the log line', () => b.logs.some((line) => line.includes('2048-byte limit')));
    await stillServes();
  });

  it('closes an authenticated peer announcing a frame over messageBytesMax (1009)', async () => {
    const { b, stillServes, url } = await pair({ limits: { messageBytesMax: 64 * 1024 } });
    const { client, did } = await rawHandshake(url);
    cleanups.push(() => client.destroy());
    await waitFor('the stranger connected', () => isConnected(b.node, did));
    client.sendHeaderOnly(OPCODE.binary, 64 * 1024 + 1);
    expect((await client.closed).code).toBe(1009);
    await waitFor('the stranger gone', () => !isConnected(b.node, did));
    await stillServes();
  });

  it('closes an authenticated peer that sends a text frame', async () => {
    const { b, stillServes, url } = await pair();
    const { client, did } = await rawHandshake(url);
    cleanups.push(() => client.destroy());
    await waitFor('the stranger connected', () => isConnected(b.node, did));
    client.sendText('{"type":"hello"}');
    expect((await client.closed).code).toBe(GOSSIP_ERRORS.TEXT_AFTER_AUTH.closeCode);
    await stillServes();
  });

  it('closes a client that says nothing within the handshake timeout', async () => {
    const { stillServes, url } = await pair({ limits: { handshakeTimeoutMs: 300 } });
    const client = await stranger(url);
    const close = await client.closed;
    expect(close.code).toBe(GOSSIP_ERRORS.HANDSHAKE_TIMEOUT.closeCode);
    expect(close.reason).toMatch(/300 ms/);
    await stillServes();
  });

  it('survives clients that vanish mid-handshake and answers 503 past the pending-handshake bound', async () => {
    const { b, stillServes, url } = await pair({ limits: { handshakesPendingMax: 3 } });
    const vanished = await stranger(url);
    vanished.sendText('{"type":"hel');
    vanished.destroy();
    const waiting: RawWsClient[] = [];
    for (let i = 0; i < 3; i++) waiting.push(await stranger(url));
    const refused = await RawWsClient.connect(url);
    expect(refused).toEqual({ status: 'HTTP/1.1 503 Service Unavailable' });
    expect(b.logs.some((line) => line.includes('refused an upgrade'))).toBe(true);
    for (const client of waiting) client.destroy();
    await stillServes();
    // The closed ones no longer count: a new stranger gets its upgrade (once the node has seen the closes).
    let later = await RawWsClient.connect(url);
    for (let attempt = 0; !(later instanceof RawWsClient) && attempt < 40; attempt++) {
      await sleep(25);
      later = await RawWsClient.connect(url);
    }
    expect(later).toBeInstanceOf(RawWsClient);
    if (later instanceof RawWsClient) later.destroy();
  });

  it('drops an authenticated peer that stops answering pings past peerSilenceTimeoutMs', async () => {
    // Margins wide enough for a machine busy with other suites: a client that answers must not look silent.
    const { b, stillServes, url } = await pair({ limits: { pingIntervalMs: 100, peerSilenceTimeoutMs: 1500, closeGraceMs: 100 } });
    const { client, did } = await rawHandshake(url);
    cleanups.push(() => client.destroy());
    await waitFor('the stranger connected', () => isConnected(b.node, did));
    client.socket.pause();
    await waitFor('the silent peer dropped', () => !isConnected(b.node, did), 15_000);
    await waitFor('the drop logged', () => b.logs.some((line) => line.includes('Nothing was heard from the peer')), 5000);
    await stillServes();
  });

  it('drops payloads past inboundMessagesPerSecondMax and counts them', async () => {
    const { b, stillServes, url } = await pair({ limits: { inboundMessagesPerSecondMax: 10 } });
    const { client, did } = await rawHandshake(url);
    cleanups.push(() => client.destroy());
    await waitFor('the stranger connected', () => isConnected(b.node, did));
    for (let i = 0; i < 50; i++) client.sendBinary(payload(`flood ${i}`));
    await waitFor('all 50 counted', () => {
      const status = b.node.peers().find((p) => p.did === did);
      return (status?.messagesIn ?? 0) + (status?.droppedInbound ?? 0) === 50;
    });
    const status = b.node.peers().find((p) => p.did === did);
    expect(status?.droppedInbound).toBeGreaterThanOrEqual(35);
    expect(status?.dropped).toBe(status?.droppedInbound);
    expect(b.received.filter((m) => m.from === did).length).toBe(status?.messagesIn);
    await stillServes();
  });

  it('answers a plain HTTP request on its own port with 426', async () => {
    const { b } = await pair();
    const response = await fetch((b.node.url as string).replace('ws://', 'http://'));
    expect(response.status).toBe(426);
  });
});
