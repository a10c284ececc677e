import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RoundRobinProxy } from '../src/cloud/proxy.ts';
import { DEV_ACCOUNT_NAMES, devKey } from '../src/config/dev-keys.ts';
import { installNodeCrypto } from '../src/ledger/node-crypto.ts';
import { testGenesis } from '../src/testing.ts';
import { ChildNode, type ChildNodeEnv } from './helpers/child-node.ts';
import { isNetworkError, type NodeClient, nodeClient } from './helpers/client.ts';
import { CLOUD_REDIS_URL, cloudDatabase } from './helpers/cloud.ts';
import { collect, connected, rawSocket } from './helpers/realtime.ts';
import { until } from './helpers/until.ts';
import { randomSigner, type Signer, signItx, transfer } from './helpers/wallet.ts';

/**
 * A cloud node as an operator runs it: three OS processes (the node's bundle, each with ARC_PROCESS) over one
 * PostgreSQL and one Redis, behind a plain round-robin TCP proxy. The producer is killed with SIGKILL and paused with
 * SIGSTOP under load; a process that does not produce is killed under a subscriber. The lease is 2 s here.
 */

const LEASE_MS = 2000;
/** The bound on a failover: producer gone → the next block committed. */
const FAILOVER_MAX_MS = 5000;
const TEST_TIMEOUT_MS = 180_000;

/** Which process answered a GET made on a connection of its own. */
function answeredBy(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false }, (res) => {
      res.resume();
      resolve(String(res.headers['x-arc-process'] ?? ''));
    }).on('error', reject);
  });
}

interface Member {
  name: string;
  node: ChildNode;
}

/** Lanes that each send one transfer at a time through `url()` and keep every hash a node acknowledged. */
class Load {
  readonly acknowledged = new Set<string>();
  readonly refusals: string[] = [];
  networkErrors = 0;
  #running = true;
  #lanes: Promise<void>[];

  constructor(chainId: string, senders: Signer[], url: () => string) {
    this.#lanes = senders.map(async (sender) => {
      let next: number | null = null;
      while (this.#running) {
        const client = nodeClient(url());
        try {
          next ??= (await client.account.get.query({ did: sender.did })).nonce + 1;
          const tx = signItx(chainId, sender, next, transfer(randomSigner().did, 1n));
          await client.tx.send.mutate({ tx: tx.hex });
          this.acknowledged.add(tx.hash);
          next += 1;
        } catch (error) {
          // A request that died with its process is retried from the chain's nonce: the client's only retry.
          if (isNetworkError(error)) this.networkErrors += 1;
          else this.refusals.push((error as Error).message);
          next = null;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    });
  }

  async stop(): Promise<void> {
    this.#running = false;
    await Promise.all(this.#lanes);
  }
}

describe('a cloud node of three processes behind a round-robin proxy', () => {
  const members: Member[] = [];
  let proxy: RoundRobinProxy;
  let proxyUrl = '';
  let sql: postgres.Sql;
  let drop: () => Promise<void> = async () => undefined;
  let dataDir = '';
  let env: ChildNodeEnv;
  let chainId = '';
  const senders = DEV_ACCOUNT_NAMES.map((name) => devKey(name));

  const start = async (name: string) => {
    const node = await (await ChildNode.spawn({ ...env, ARC_PROCESS: name })).ready();
    const member = members.find((m) => m.name === name);
    if (member) member.node = node;
    else members.push({ name, node });
    return node;
  };
  const alive = () => members.filter((m) => m.node.child.exitCode === null && m.node.child.signalCode === null);
  const lease = async () => (await sql<{ holder: string; epoch: string }[]>`SELECT holder, epoch FROM node_lease`)[0];
  const height = async () => Number((await sql<{ h: string }[]>`SELECT max(height) AS h FROM blocks`)[0]?.h ?? 0);
  const member = (name: string) => members.find((m) => m.name === name) as Member;
  /** Every acknowledged hash committed (read from the database), or the ones still missing after the bound. */
  const missing = async (hashes: Set<string>, timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hexes = [...hashes];
      const rows = await sql<{ h: string }[]>`
        SELECT encode(hash, 'hex') AS h FROM txs WHERE hash IN (SELECT decode(x, 'hex') FROM unnest(${hexes}::text[]) AS x)`;
      const found = new Set(rows.map((r) => r.h));
      const left = [...hashes].filter((h) => !found.has(h));
      if (left.length === 0 || Date.now() > deadline) return left;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };
  /** Blocks are one chain: every height once from 0, each on its parent. */
  const oneChain = async () => {
    const rows = await sql<
      { height: string; hash: Buffer; prev_hash: Buffer }[]
    >`SELECT height, hash, prev_hash FROM blocks ORDER BY height`;
    rows.forEach((row, i) => {
      expect(Number(row.height)).toBe(i);
      if (i > 0) expect(row.prev_hash.equals((rows[i - 1] as { hash: Buffer }).hash)).toBe(true);
    });
  };

  beforeAll(async () => {
    installNodeCrypto();
    await ChildNode.prepare();
    chainId = (await testGenesis()).chainId;
    const db = await cloudDatabase();
    drop = db.drop;
    sql = postgres(db.url, { max: 2, onnotice: () => undefined });
    dataDir = await mkdtemp(join(tmpdir(), 'arc-cloud-'));
    env = {
      DATA_DIR: dataDir,
      DATABASE_URL: db.url,
      REDIS_URL: CLOUD_REDIS_URL,
      REDIS_KEY_PREFIX: `cloud${randomBytes(3).toString('hex')}`,
      ARC_LEASE_MS: String(LEASE_MS),
      BLOCK_INTERVAL_MS: '500',
    };
    await start('p1');
    await Promise.all([start('p2'), start('p3')]);
    proxy = new RoundRobinProxy(() => alive().map((m) => ({ host: '127.0.0.1', port: m.node.port })));
    proxyUrl = `http://127.0.0.1:${await proxy.listen(0, '127.0.0.1')}`;
  }, TEST_TIMEOUT_MS);

  afterAll(async () => {
    await proxy?.close();
    for (const m of members) {
      m.node.child.kill('SIGCONT');
      await m.node.kill();
    }
    await sql?.end();
    await drop();
    await rm(dataDir, { recursive: true, force: true });
  }, 60_000);

  it(
    'serves from every process: the proxy spreads requests, one process produces',
    async () => {
      const answered = new Set<string>();
      // A new connection each time, as a stranger's clients make them: the proxy hands each to the next process.
      for (let i = 0; i < 6; i += 1) answered.add(await answeredBy(`${proxyUrl}/health`));
      expect([...answered].sort()).toEqual(['p1', 'p2', 'p3']);
      const seen = await nodeClient(proxyUrl).chain.processes.query();
      expect(seen.processes.filter((p) => p.producing).map((p) => p.name)).toEqual(['p1']);
      expect(seen.processes.every((p) => p.alive)).toBe(true);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'kill -9 the producer under load: another produces within the bound and no acknowledged transaction is lost',
    async () => {
      const load = new Load(chainId, senders, () => proxyUrl);
      await until('load acknowledged', () => (load.acknowledged.size >= 40 ? true : undefined));
      const before = await lease();
      const victim = member(before?.holder as string);
      const killedAt = Date.now();
      await victim.node.kill('SIGKILL');
      // Read once it is gone: a block it had in flight may have landed meanwhile.
      const atKill = await height();
      await until('a block after the kill', async () => ((await height()) > atKill ? true : undefined), FAILOVER_MAX_MS + 5000);
      const failoverMs = Date.now() - killedAt;
      const after = await lease();
      expect(after?.holder).not.toBe(victim.name);
      expect(Number(after?.epoch)).toBe(Number(before?.epoch) + 1);
      expect(failoverMs).toBeLessThan(FAILOVER_MAX_MS);
      const ackedAtKill = load.acknowledged.size;
      await until('load acknowledged after the failover', () => (load.acknowledged.size >= ackedAtKill + 40 ? true : undefined));
      await load.stop();
      expect(await missing(load.acknowledged)).toEqual([]);
      // Nothing but resyncs after the lost requests, and backpressure while no process produced (a lane's transfers
      // wait until a block takes them, up to MEMPOOL_MAX_PER_ACCOUNT): no refusal a correct node would not give.
      expect(load.refusals.filter((m) => !/nonce|MEMPOOL_MAX_PER_ACCOUNT/i.test(m))).toEqual([]);
      await oneChain();
      await start(victim.name);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'kill -9 a process that does not produce: its subscriber resumes on another process and the producer carries on',
    async () => {
      const producerBefore = (await lease())?.holder;
      const replica = members.find((m) => m.name !== producerBefore) as Member;
      // A balancer of its own whose first choice is the replica: the client lands there, and after its death the same
      // balancer sends the reconnect to a live process.
      const balancer = new RoundRobinProxy(() =>
        [replica, ...members.filter((m) => m !== replica)]
          .filter((m) => alive().includes(m))
          .map((m) => ({ host: '127.0.0.1', port: m.node.port })),
      );
      const balancerUrl = `http://127.0.0.1:${await balancer.listen(0, '127.0.0.1')}`;
      const socket = rawSocket(balancerUrl);
      const events = collect(socket);
      socket.on('connect', () => void socket.emit('subscribe', { topic: 'chain:blocks' }));
      await connected(socket);
      const heightOf = (e: { payload: unknown }) => (e.payload as { height: number }).height;
      await until('a block event', () => (events.length > 0 ? true : undefined));
      const seenAtKill = events.length;
      await replica.node.kill('SIGKILL');
      const load = new Load(chainId, senders.slice(0, 2), () => proxyUrl);
      await until('block events after the kill', () => (events.length >= seenAtKill + 3 ? true : undefined), 30_000);
      await load.stop();
      socket.close();
      await balancer.close();
      expect((await lease())?.holder).toBe(producerBefore);
      expect(await missing(load.acknowledged)).toEqual([]);
      // The blocks it did not hear of while reconnecting are there to read (a client resumes by reading them).
      const heights = events.map(heightOf);
      const client: NodeClient = nodeClient(proxyUrl);
      const last = Math.max(...heights);
      expect((await client.chain.info.query()).height).toBeGreaterThanOrEqual(last);
      await start(replica.name);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'SIGSTOP the producer past its lease, then SIGCONT: another took over, the paused one never commits again',
    async () => {
      const before = await lease();
      const paused = member(before?.holder as string);
      const others = members.filter((m) => m !== paused);
      let turn = 0;
      const load = new Load(chainId, senders, () => (others[turn++ % others.length] as Member).node.url);
      await until('load acknowledged', () => (load.acknowledged.size >= 20 ? true : undefined));
      paused.node.child.kill('SIGSTOP');
      const stoppedAt = Date.now();
      await until('another holder', async () => ((await lease())?.holder !== paused.name ? true : undefined), FAILOVER_MAX_MS + 5000);
      const atTakeover = await height();
      await until('a block by the new producer', async () => ((await height()) > atTakeover ? true : undefined), 10_000);
      expect(Date.now() - stoppedAt).toBeLessThan(LEASE_MS + FAILOVER_MAX_MS);
      paused.node.child.kill('SIGCONT');
      // Once awake it finds its lease gone: it steps down instead of committing what it had built.
      await until(
        'the paused process to step down',
        async () => {
          expect(paused.node.child.exitCode, paused.node.output.slice(-3000)).toBeNull();
          // A connection accepted while it slept may be cut as it wakes: asked again on a new one.
          const health = await fetch(`${paused.node.url}/health`)
            .then((res) => res.json() as Promise<{ cloud?: { producing: boolean } }>)
            .catch(() => null);
          return health?.cloud?.producing === false ? true : undefined;
        },
        15_000,
      );
      const ackedAfter = load.acknowledged.size;
      await until('load goes on', () => (load.acknowledged.size >= ackedAfter + 20 ? true : undefined));
      await load.stop();
      expect(paused.node.output).toMatch(/stopped producing \(lease epoch \d+ ended\)/);
      expect(await missing(load.acknowledged)).toEqual([]);
      await oneChain();
      const holder = (await lease())?.holder;
      expect(holder).not.toBe(paused.name);
      // Its own view agrees: it follows the new producer's blocks.
      await until(
        'the paused process to follow the new producer',
        async () => ((await nodeClient(paused.node.url).chain.info.query()).height > atTakeover ? true : undefined),
        10_000,
      ).catch((error: Error) => {
        throw new Error(`${error.message}; it printed:\n${paused.node.output.slice(-3000)}`);
      });
    },
    TEST_TIMEOUT_MS,
  );
});
