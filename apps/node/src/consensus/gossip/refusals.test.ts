import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { toHex } from '@arc/core';
import { afterEach, describe, expect, it } from 'vitest';
import { GOSSIP_ERRORS } from './errors.ts';
import { isConnected, newKey, payload, rawHandshake, sleep, startNode, type TestNode, waitFor } from './gossip-testing.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function node(options: Parameters<typeof startNode>[0] = {}): Promise<TestNode> {
  const started = await startNode(options);
  cleanups.push(() => started.node.stop());
  return started;
}

/** Runs a raw handshake against the node and returns how the node closed it. */
async function strangerHandshake(url: string, lie: Parameters<typeof rawHandshake>[1]) {
  const { client, did } = await rawHandshake(url, lie);
  cleanups.push(() => client.destroy());
  return { close: await client.closed, did };
}

describe('gossip handshake refusals', () => {
  it('refuses a node with a wrong genesis at the handshake, naming the genesis, and never exchanges messages', async () => {
    const b = await node();
    const x = await node({ peers: [b.node.url as string], genesisHash: `0x${toHex(new Uint8Array(32).fill(9))}` });
    await waitFor('B to record the refusal', () => b.node.peers().some((p) => p.state === 'refused'));
    await waitFor('X to see itself refused', () => x.node.peers()[0]?.state === 'refused');
    const atB = b.node.peers().find((p) => p.state === 'refused');
    expect(atB?.did).toBe(x.node.did);
    expect(atB?.lastError).toMatch(/genesis hash 0909.*is not ours \(0707/i);
    expect(x.node.peers()[0]?.lastError).toMatch(/genesis/i);
    expect(x.node.peers()[0]?.did).toBe(b.node.did);
    expect(b.logs.some((line) => /refused .*genesis/i.test(line))).toBe(true);
    b.node.broadcast(payload('for our network only'));
    x.node.broadcast(payload('from another network'));
    await sleep(500);
    expect(b.received).toEqual([]);
    expect(x.received).toEqual([]);
    expect(isConnected(b.node, x.node.did)).toBe(false);
    // Refused peers are retried at the slowest pace only (dialBackoffMaxMs, 2 s here): no second attempt yet.
    expect(b.logs.filter((line) => /refused .*genesis/i.test(line))).toHaveLength(1);
  });

  it('refuses a node on another chain', async () => {
    const b = await node();
    const x = await node({ peers: [b.node.url as string], chainId: 'another-chain' });
    await waitFor('X refused', () => x.node.peers()[0]?.state === 'refused');
    expect(x.node.peers()[0]?.lastError).toMatch(/chain/i);
  });

  it('refuses a forged auth (signed by another key than the hello names)', async () => {
    const b = await node();
    const { close, did } = await strangerHandshake(b.node.url as string, { signWith: newKey() });
    expect(close.code).toBe(GOSSIP_ERRORS.BAD_SIGNATURE.closeCode);
    expect(close.reason).toMatch(/does not verify/);
    expect(isConnected(b.node, did)).toBe(false);
    await waitFor('B to record the refusal', () => b.node.peers().some((p) => p.did === did && p.state === 'refused'));
    expect(b.node.peers().find((p) => p.did === did)?.lastError).toMatch(/does not verify/);
  });

  it('refuses a DID that does not name the hello public key', async () => {
    const b = await node();
    const other = await startNode();
    await other.node.stop();
    const { close } = await strangerHandshake(b.node.url as string, { hello: { did: other.node.did } });
    expect(close.code).toBe(GOSSIP_ERRORS.DID_KEY_MISMATCH.closeCode);
    expect(close.reason).toContain(other.node.did);
  });

  it('refuses a peer claiming our own DID', async () => {
    const b = await node();
    const { close } = await strangerHandshake(b.node.url as string, { hello: { did: b.node.did } });
    expect(close.code).toBe(GOSSIP_ERRORS.SELF_CONNECTION.closeCode);
  });

  it('refuses a node dialing itself', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const address = server.address() as AddressInfo;
    const self = await node({ listen: { server, path: '/gossip' }, peers: [`ws://127.0.0.1:${address.port}/gossip`] });
    await waitFor('the self-dial refused', () => self.node.peers().some((p) => p.state === 'refused' && p.url !== 'inbound'));
    expect(self.node.peers().find((p) => p.url !== 'inbound')?.lastError).toMatch(/our own DID/);
    expect(self.node.peers().some((p) => p.state === 'connected')).toBe(false);
  });

  it('refuses another protocol version', async () => {
    const b = await node();
    const { close } = await strangerHandshake(b.node.url as string, { hello: { version: 2 } });
    expect(close.code).toBe(GOSSIP_ERRORS.PROTOCOL_VERSION.closeCode);
  });

  it('accepts only allow-listed DIDs when an allow-list is given', async () => {
    const friendKey = newKey();
    const friend = await node({ key: friendKey });
    const b = await node({ allowedDids: [friend.node.did], peers: [friend.node.url as string] });
    await waitFor('B connected to the friend', () => isConnected(b.node, friend.node.did));
    const { close } = await strangerHandshake(b.node.url as string, {});
    expect(close.code).toBe(GOSSIP_ERRORS.NOT_ALLOWED.closeCode);
    expect(isConnected(b.node, friend.node.did)).toBe(true);
  });
});
