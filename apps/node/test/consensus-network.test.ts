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
});
