import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devKey } from '../src/config/dev-keys.ts';
import { type ClusterPlan, clusterNodeEnv, planCluster } from '../src/consensus/cluster-plan.ts';
import { ChildNode, type ChildNodeEnv, freePort } from './helpers/child-node.ts';
import { nodeClient } from './helpers/client.ts';
import { ABT, transfer, Wallet } from './helpers/wallet.ts';

/**
 * Four node processes on loopback agreeing on one chain, as `npm run cluster` runs them: one killed (the chain goes
 * on), restarted (it catches up), the gossip cut between two pairs (no fork; progress resumes after the heal), and a
 * node of another genesis refused at the handshake.
 */

let dir: string;
let plan: ClusterPlan;
const nodes: (ChildNode | null)[] = [];
const stray: ChildNode[] = [];

function envOf(index: number): ChildNodeEnv {
  return clusterNodeEnv(plan, index, { ARC_FAULT_INJECTION: 'on' }) as unknown as ChildNodeEnv;
}

async function spawnNode(index: number): Promise<ChildNode> {
  const node = plan.nodes[index];
  if (!node) throw new Error(`no node ${index}`);
  const child = await (await ChildNode.spawn(envOf(index), { port: node.port })).ready();
  nodes[index] = child;
  return child;
}

function client(index: number) {
  return nodeClient(plan.nodes[index]?.url as string);
}

async function height(index: number): Promise<number> {
  return (await client(index).chain.info.query()).height;
}

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = null;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
}

async function hashAt(index: number, h: number): Promise<string> {
  const page = await client(index).block.raw.query({ from: h, limit: 1 });
  const block = page.blocks[0];
  if (!block || block.height !== h) throw new Error(`node ${index + 1} has no block ${h}`);
  return block.header;
}

/** Every listed node holds the same block at every height up to the lowest head among them. */
async function expectNoFork(indexes: number[]): Promise<number> {
  const heads = await Promise.all(indexes.map(height));
  const top = Math.min(...heads);
  for (let h = 1; h <= top; h += 1) {
    const headers = await Promise.all(indexes.map((i) => hashAt(i, h)));
    expect(new Set(headers).size, `block ${h} differs between nodes`).toBe(1);
  }
  return top;
}

beforeAll(async () => {
  await ChildNode.prepare();
  dir = await mkdtemp(join(tmpdir(), 'arc-consensus-processes-'));
  const ports = [await freePort(), await freePort(), await freePort(), await freePort()];
  plan = await planCluster({ nodes: 4, dir, basePort: 0 });
  plan.nodes.forEach((n, i) => {
    n.port = ports[i] as number;
    n.url = `http://127.0.0.1:${n.port}`;
  });
  await Promise.all(plan.nodes.map((_, i) => spawnNode(i)));
  await until(async () => (await Promise.all([0, 1, 2, 3].map(height))).every((h) => h >= 2), 60_000, 'four nodes at height 2');
}, 240_000);

afterAll(async () => {
  await Promise.all([...nodes, ...stray].map((n) => n?.kill()));
  await rm(dir, { recursive: true, force: true });
});

describe('four node processes on loopback', () => {
  it('go on when one is killed, and the killed one catches up when restarted', async () => {
    await nodes[3]?.kill('SIGKILL');
    nodes[3] = null;
    const before = await height(0);
    await until(async () => (await height(0)) >= before + 3, 30_000, 'three more blocks without node 4');
    const wallet = new Wallet(client(1), plan.chainId, { ...devKey('faucet') });
    const { tx, height: committedAt } = await wallet.commit(transfer(devKey('bob').did, 2n * ABT));
    expect(committedAt).toBeGreaterThan(before);
    await spawnNode(3);
    await until(async () => (await height(3)) >= committedAt, 60_000, 'node 4 to catch up past the transfer');
    const status = await client(3).tx.wait.query({ hash: tx.hash, timeoutMs: 5_000 });
    expect(status).toMatchObject({ status: 'committed', height: committedAt });
    await expectNoFork([0, 1, 2, 3]);
  }, 150_000);

  it('split in two pairs, make no fork and no progress, and go on after the heal', async () => {
    const dids = plan.nodes.map((n) => n.did);
    const pairs = [
      [0, 1],
      [2, 3],
    ];
    for (const [a, b] of pairs) {
      for (const other of [2, 3, 0, 1].filter((i) => i !== a && i !== b)) {
        await client(a as number).consensus.fault.mutate({ action: 'cut', did: dids[other] as string });
        await client(b as number).consensus.fault.mutate({ action: 'cut', did: dids[other] as string });
      }
    }
    // A block already agreed on may still land; after that, neither pair has more than two thirds of the stake.
    await new Promise((r) => setTimeout(r, 3_000));
    const stalled = await Promise.all([0, 1, 2, 3].map(height));
    await new Promise((r) => setTimeout(r, 5_000));
    expect(await Promise.all([0, 1, 2, 3].map(height))).toEqual(stalled);
    await expectNoFork([0, 1, 2, 3]);
    for (const i of [0, 1, 2, 3]) await client(i).consensus.fault.mutate({ action: 'heal' });
    const top = Math.max(...stalled);
    await until(async () => (await Promise.all([0, 1, 2, 3].map(height))).every((h) => h >= top + 2), 45_000, 'progress after the heal');
    await expectNoFork([0, 1, 2, 3]);
  }, 120_000);

  it('refuse a node of another genesis at the handshake', async () => {
    const otherDir = join(dir, 'other');
    const other = await planCluster({ nodes: 1, dir: otherDir, basePort: await freePort() });
    const env = clusterNodeEnv(other, 0, { CONSENSUS_PEERS: plan.nodes[0]?.url as string }) as unknown as ChildNodeEnv;
    const stranger = await (await ChildNode.spawn(env, { port: other.nodes[0]?.port as number })).ready();
    stray.push(stranger);
    const strangerClient = nodeClient(stranger.url);
    await until(
      async () => {
        const status = await strangerClient.consensus.status.query();
        return status.peers.some((p) => p.state === 'refused' && /genesis/i.test(p.lastError ?? ''));
      },
      20_000,
      'the stranger to be refused for its genesis',
    );
    const peers = (await client(0).consensus.status.query()).peers;
    expect(peers.filter((p) => p.did === other.nodes[0]?.did && p.state === 'connected')).toEqual([]);
  }, 90_000);

  it('let a new node start from a snapshot and follow the chain by certificates, without voting', async () => {
    const snapshot = await fetch(`${plan.nodes[0]?.url}/snapshot`);
    expect(snapshot.status).toBe(200);
    const observerDir = join(dir, 'observer');
    await mkdir(observerDir, { recursive: true });
    const snapshotFile = join(observerDir, 'snapshot.gz');
    await writeFile(snapshotFile, new Uint8Array(await snapshot.arrayBuffer()));
    const port = await freePort();
    const env = clusterNodeEnv(plan, 0, {
      PORT: String(port),
      DATA_DIR: join(observerDir, 'data'),
      NODE_KEY_FILE: join(observerDir, 'node-key.json'),
      SNAPSHOT_FILE: snapshotFile,
      CONSENSUS_PEERS: plan.nodes.map((n) => n.url).join(','),
    }) as unknown as ChildNodeEnv;
    const observer = await (await ChildNode.spawn(env, { port })).ready();
    stray.push(observer);
    const observerClient = nodeClient(observer.url);
    const from = (await observerClient.chain.genesis.query()).firstHeight;
    expect(from).toBeGreaterThan(1);
    const target = (await height(0)) + 2;
    await until(
      async () => (await observerClient.chain.info.query()).height >= target,
      45_000,
      'the observer to follow past the snapshot',
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${observer.output.slice(-4000)}`);
    });
    for (let h = from; h <= target; h += 1) {
      const [mine, theirs] = await Promise.all([observerClient.block.raw.query({ from: h, limit: 1 }), hashAt(0, h)]);
      expect(mine.blocks[0]?.header).toBe(theirs);
    }
    expect((await observerClient.consensus.status.query()).validator).toBe(false);
  }, 120_000);
});
