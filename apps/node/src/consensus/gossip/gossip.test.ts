import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { isConnected, payload, rawHandshake, sleep, startNode, type TestNode, waitFor } from './gossip-testing.ts';
import type { RawWsClient } from './raw-ws-client.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function node(options: Parameters<typeof startNode>[0] = {}): Promise<TestNode> {
  const started = await startNode(options);
  cleanups.push(() => started.node.stop());
  return started;
}

/** A, B, C with A and C dialing B. */
async function line(bOptions: Parameters<typeof startNode>[0] = {}): Promise<[TestNode, TestNode, TestNode]> {
  const b = await node(bOptions);
  const a = await node({ peers: [b.node.url as string] });
  const c = await node({ peers: [b.node.url as string] });
  await waitFor('A and C connected to B', () => isConnected(b.node, a.node.did) && isConnected(b.node, c.node.did));
  await waitFor('B connected to A and C', () => isConnected(a.node, b.node.did) && isConnected(c.node, b.node.did));
  return [a, b, c];
}

describe('gossip relay', () => {
  it('floods a broadcast from A to C through B exactly once, and never back to A', async () => {
    const [a, b, c] = await line();
    a.node.broadcast(payload('block proposal 1'));
    await waitFor('C to receive the proposal', () => c.received.length === 1);
    await sleep(200);
    expect(c.received).toEqual([{ text: 'block proposal 1', from: b.node.did }]);
    expect(b.received).toEqual([{ text: 'block proposal 1', from: a.node.did }]);
    expect(a.received).toEqual([]);
    // The same bytes again are a duplicate everywhere.
    a.node.broadcast(payload('block proposal 1'));
    c.node.broadcast(payload('block proposal 1'));
    await sleep(200);
    expect(c.received).toHaveLength(1);
    expect(b.received).toHaveLength(1);
    expect(a.received).toHaveLength(0);
  });

  it('does not relay a message its handler refuses (returns false)', async () => {
    const [a, b, c] = await line();
    b.node.onMessage((bytes) => Buffer.from(bytes).toString('utf8') !== 'invalid vote');
    a.node.broadcast(payload('invalid vote'));
    a.node.broadcast(payload('valid vote'));
    await waitFor('C to receive the valid vote', () => c.received.length === 1);
    await sleep(200);
    expect(b.received.map((m) => m.text)).toEqual(['invalid vote', 'valid vote']);
    expect(c.received.map((m) => m.text)).toEqual(['valid vote']);
  });

  it('keeps one connection when two nodes dial each other (the one dialed by the lower DID)', async () => {
    const servers = [createServer(), createServer()] as const;
    for (const server of servers) {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    }
    const urlOf = (server: Server) => {
      const address = server.address();
      if (address === null || typeof address === 'string') throw new Error('not listening');
      return `ws://127.0.0.1:${address.port}/gossip`;
    };
    const a = await node({ listen: { server: servers[0], path: '/gossip' }, peers: [urlOf(servers[1])] });
    const b = await node({ listen: { server: servers[1], path: '/gossip' }, peers: [urlOf(servers[0])] });
    await waitFor('A and B connected', () => isConnected(a.node, b.node.did) && isConnected(b.node, a.node.did));
    await sleep(500);
    const aPeers = a.node.peers();
    const bPeers = b.node.peers();
    expect(aPeers.filter((p) => p.state === 'connected')).toHaveLength(1);
    expect(bPeers.filter((p) => p.state === 'connected')).toHaveLength(1);
    expect(aPeers).toHaveLength(1);
    expect(bPeers).toHaveLength(1);
    // Both dialed, so one of the two connections was refused by the tie-break: the one dialed by the higher DID.
    const [lower, higher] = a.node.did < b.node.did ? [a, b] : [b, a];
    expect(lower.node.peers()[0]?.url).toMatch(/^ws:\/\//);
    expect(higher.node.peers()[0]?.url).toBe('inbound');
    expect([...a.logs, ...b.logs].some((line) => line.includes('tie-break'))).toBe(true);
    a.node.broadcast(payload('after the tie-break'));
    await waitFor('B to receive', () => b.received.length === 1);
  });

  it('redials a peer that went away once it is back', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('not listening');
    const b = await node({ listen: { server, path: '/gossip' } });
    const a = await node({ peers: [`ws://127.0.0.1:${address.port}/gossip`] });
    await waitFor('A connected to B', () => isConnected(a.node, b.node.did));
    await b.node.stop();
    await waitFor('A to see B gone', () => a.node.peers()[0]?.state === 'connecting');
    expect(a.node.peers()[0]?.lastError).toBeTruthy();
    await b.node.start();
    await waitFor('A connected to B again', () => isConnected(a.node, b.node.did));
    a.node.broadcast(payload('welcome back'));
    await waitFor('B to receive', () => b.received.length === 1);
  });

  it('measures rtt with pings', async () => {
    const b = await node({ limits: { pingIntervalMs: 50 } });
    const a = await node({ peers: [b.node.url as string], limits: { pingIntervalMs: 50 } });
    await waitFor('A connected to B with an rtt', () => typeof a.node.peers()[0]?.rttMs === 'number');
    expect(a.node.peers()[0]?.connectedAtMs).toBeGreaterThan(0);
  });
});

describe('gossip fault injection', () => {
  it('cut(did) drops traffic both ways and heal(did) restores it', async () => {
    const b = await node();
    const a = await node({ peers: [b.node.url as string] });
    await waitFor('connected', () => isConnected(a.node, b.node.did) && isConnected(b.node, a.node.did));
    b.node.cut(a.node.did);
    a.node.broadcast(payload('lost to B'));
    b.node.broadcast(payload('lost to A'));
    await sleep(300);
    expect(a.received).toEqual([]);
    expect(b.received).toEqual([]);
    expect(b.node.peers()[0]?.cut).toBe(true);
    expect(b.node.peers()[0]?.state).toBe('connected');
    b.node.heal(a.node.did);
    a.node.broadcast(payload('to B after heal'));
    b.node.broadcast(payload('to A after heal'));
    await waitFor('both to receive', () => a.received.length === 1 && b.received.length === 1);
    expect(b.received[0]?.text).toBe('to B after heal');
    expect(a.received[0]?.text).toBe('to A after heal');
    a.node.cutAll();
    b.node.broadcast(payload('lost again'));
    await sleep(200);
    expect(a.received).toHaveLength(1);
    a.node.healAll();
    b.node.broadcast(payload('found again'));
    await waitFor('A to receive after healAll', () => a.received.length === 2);
  });
});

describe('gossip send queue', () => {
  it('drops the oldest queued messages for a peer that never reads, and counts them', async () => {
    const b = await node({ limits: { sendQueueMax: 4, sendBufferBytesMax: 64 * 1024 } });
    const stranger = await rawHandshake(b.node.url as string);
    const client: RawWsClient = stranger.client;
    cleanups.push(() => client.destroy());
    await waitFor('the reader connected', () => isConnected(b.node, stranger.did));
    client.socket.pause();
    const total = 300;
    const chunk = 128 * 1024;
    for (let i = 0; i < total; i++) {
      const bytes = new Uint8Array(chunk);
      new DataView(bytes.buffer).setUint32(0, i);
      b.node.broadcast(bytes);
    }
    const status = b.node.peers().find((p) => p.did === stranger.did);
    expect(status?.droppedOutbound).toBeGreaterThan(0);
    expect(status?.queued).toBeLessThanOrEqual(4);
    expect((status?.messagesOut ?? 0) + (status?.droppedOutbound ?? 0) + (status?.queued ?? 0)).toBe(total);
    // Once it reads again it gets what was sent and then the newest messages: the dropped ones were the oldest.
    client.socket.resume();
    const indexes: number[] = [];
    while (indexes.at(-1) !== total - 1) {
      const frame = await client.nextFrame();
      if (frame === null) throw new Error('closed');
      indexes.push(frame.payload.readUInt32BE(0));
    }
    expect(indexes).toEqual([...indexes].sort((x, y) => x - y));
    expect(indexes.slice(-4)).toEqual([total - 4, total - 3, total - 2, total - 1]);
    expect(indexes.length).toBeLessThan(total);
  });
});
