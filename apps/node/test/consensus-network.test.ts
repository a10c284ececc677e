import { LightClient } from '@arc/client';
import { decodeMessage, encodeMessage, fromHex, parseGenesisJson, toHex } from '@arc/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devKey } from '../src/config/dev-keys.ts';
import { nodeClient } from './helpers/client.ts';
import { inProcessCluster } from './helpers/consensus-cluster.ts';
import { ABT, transfer, Wallet } from './helpers/wallet.ts';

let cluster: Awaited<ReturnType<typeof inProcessCluster>>;

beforeAll(async () => {
  cluster = await inProcessCluster(4);
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
});

async function heightOf(url: string): Promise<number> {
  return (await nodeClient(url).chain.info.query()).height;
}

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('a network of four nodes in one process', () => {
  it('agrees on blocks: a transfer sent to one node is committed on every node, each block with a certificate', async () => {
    const [first, , third] = cluster.nodes;
    const faucet = devKey('faucet');
    const wallet = new Wallet(nodeClient(first!.url), cluster.genesis.chainId, { ...faucet });
    const { tx, height } = await wallet.commit(transfer(devKey('alice').did, 5n * ABT));
    await until(async () => (await heightOf(third!.url)) >= height, 20_000, 'the third node to reach the block');
    const status = await nodeClient(third!.url).tx.wait.query({ hash: tx.hash, timeoutMs: 10_000 });
    expect(status).toMatchObject({ status: 'committed', height });
    const cert = await nodeClient(third!.url).consensus.certificate.query({ height });
    expect(cert.votes.length).toBeGreaterThanOrEqual(3);
  }, 60_000);

  it('paces an idle network at about a block a second instead of deciding empty blocks back to back', async () => {
    const url = cluster.nodes[0]!.url;
    // Whatever the earlier tests left in flight settles first; then nothing is sent for three seconds.
    await new Promise((r) => setTimeout(r, 1_500));
    const before = await heightOf(url);
    await new Promise((r) => setTimeout(r, 3_000));
    const idleHeights = (await heightOf(url)) - before;
    // One per idleHeightMs (1 s) and some slack for a height in progress; back to back it was a dozen or more.
    expect(idleHeights).toBeLessThanOrEqual(5);
    expect(idleHeights).toBeGreaterThanOrEqual(1);
  }, 30_000);

  it('lets a light client follow the chain from its genesis by certificates alone, and refuses a forged one', async () => {
    // At least two blocks after the genesis, whatever the test before left: one more transfer, seen by this node.
    const wallet = new Wallet(nodeClient(cluster.nodes[0]!.url), cluster.genesis.chainId, { ...devKey('faucet') });
    const { height } = await wallet.commit(transfer(devKey('bob').did, 1n * ABT));
    const client = nodeClient(cluster.nodes[1]!.url);
    await until(async () => (await heightOf(cluster.nodes[1]!.url)) >= Math.max(2, height), 20_000, 'the second node to reach it');
    const { genesis } = await client.chain.genesis.query();
    const page = await client.block.raw.query({ from: 0, limit: 20 });
    const [block0, ...blocks] = page.blocks;
    const light = new LightClient(parseGenesisJson(genesis, 'chain.genesis'), block0!);
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    for (const block of blocks) light.accept(block);
    expect(light.head.height).toBe(blocks.at(-1)!.height);
    // A certificate whose first vote's signature is altered no longer proves the block.
    const fresh = new LightClient(parseGenesisJson(genesis, 'chain.genesis'), block0!);
    const first = blocks[0]!;
    const cert = decodeMessage(fromHex(first.certificate!));
    if (cert.kind !== 'certificate') throw new Error('not a certificate');
    const signature = cert.votes[0]!.signature.slice();
    signature[0] = (signature[0] ?? 0) ^ 1;
    const votes = [{ ...cert.votes[0]!, signature }, ...cert.votes.slice(1)];
    const tampered = toHex(encodeMessage({ ...cert, votes }));
    expect(() => fresh.accept({ ...first, certificate: tampered })).toThrow(/not proven final/);
  }, 60_000);
});
