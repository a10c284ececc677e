import { randomBytes } from 'node:crypto';
import { challengeMessage, didFromPublicKey, fromHex, keyPairFromSeed, signAdmin, signMessage, toHex } from '@arc/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CloudNode } from '../src/cloud/cloud-node.ts';
import { startTestNode, type TestNode, testGenesis } from '../src/testing.ts';
import { deploySource } from './helpers/blocklets.ts';
import { appError, type NodeClient, nodeClient } from './helpers/client.ts';
import { CLOUD_REDIS_URL, cloudDatabase } from './helpers/cloud.ts';
import { connected, rawSocket } from './helpers/realtime.ts';
import { until } from './helpers/until.ts';
import { ABT, randomSigner, signItx, transfer, Wallet, waitCommitted } from './helpers/wallet.ts';

/**
 * Three processes of one cloud node in this test process, over one PostgreSQL database (cloud/README.md): every
 * process serves and admits, one produces, a paused producer is fenced off, rollbacks and cron triggers are the
 * node's, not a process's. The same processes as separate OS processes, killed and paused: cloud.test.ts.
 */

const LEASE = { leaseMs: 1500, renewEveryMs: 300, tryEveryMs: 100 };
const NAMES = ['a', 'b', 'c'] as const;

const HELLO = (version: string) => `export default {
  async fetch(request, ctx) { return { body: 'hello from ${version}' }; },
  async cron(event, ctx) { await ctx.kv.set('cron:' + event.scheduledAtMs + ':' + Math.random(), 1); },
  async call(input, ctx) { return ctx.kv.list({ prefix: input.prefix, limit: 100 }); },
};`;
const manifest = (owner: string, version: string) => `name: hello
version: ${version}
title: Hello
author: ${owner}
entry: index.js
interfaces:
  http:
    - { path: /hi, methods: [GET] }
triggers:
  - { type: cron, schedule: "*/5 * * * *" }
`;

describe('a cloud node of three processes in one test process (PostgreSQL shared)', () => {
  const nodes = new Map<string, TestNode>();
  const clients = new Map<string, NodeClient>();
  let drop: () => Promise<void> = async () => undefined;
  let faucet: Wallet;
  let chainId: string;
  const logs = new Map<string, string[]>();

  const producer = () => [...nodes.entries()].find(([, n]) => n.services.cloud?.producing)?.[0];
  const client = (name: string) => clients.get(name) as NodeClient;

  beforeAll(async () => {
    const db = await cloudDatabase();
    drop = db.drop;
    const genesis = await testGenesis();
    const nodeKey = keyPairFromSeed(randomBytes(32));
    const prefix = `cloudtest${randomBytes(3).toString('hex')}`;
    for (const name of NAMES) {
      const lines: string[] = [];
      logs.set(name, lines);
      const node = await startTestNode({
        database: { kind: 'postgres', url: db.url },
        genesis,
        nodeKey,
        blockIntervalMs: 300,
        cloud: { process: name, lease: LEASE },
        gateway: { redis: { url: CLOUD_REDIS_URL, keyPrefix: prefix } },
        log: (line) => lines.push(line),
      });
      nodes.set(name, node);
      clients.set(name, nodeClient(node.url));
      // The first process takes the lease before the next starts (as `--processes` starts them).
      if (name === 'a') await until('a produces', () => node.services.cloud?.producing || undefined);
    }
    chainId = genesis.chainId;
    const key = keyPairFromSeed(fromHex((nodes.get('a') as TestNode).funded.secretKey));
    faucet = new Wallet(client('b'), chainId, { ...key, did: didFromPublicKey(key.publicKey) });
  }, 120_000);

  afterAll(async () => {
    for (const node of nodes.values()) await node.close().catch(() => undefined);
    await drop();
  });

  it('serves every read and admission on every process; the one producer commits what any admitted', async () => {
    expect(producer()).toBe('a');
    const to = randomSigner().did;
    const sent = await faucet.send(transfer(to, 3n * ABT));
    // Admitted by b, produced by a, waited for on c: c follows the blocks from the database.
    expect(await waitCommitted(client('c'), sent.hash)).toBeGreaterThan(0);
    for (const name of NAMES) {
      expect((await client(name).account.get.query({ did: to })).balance).toBe((3n * ABT).toString());
      const seen = await client(name).chain.processes.query();
      expect(seen.self).toBe(name);
      expect(seen.processes.map((p) => [p.name, p.producing, p.alive])).toEqual([
        ['a', true, true],
        ['b', false, true],
        ['c', false, true],
      ]);
    }
  });

  it('lets in one of two processes racing for an account’s nonce, and commits a run of nonces sent round the processes', async () => {
    const sender = new Wallet(client('a'), chainId, randomSigner());
    await waitCommitted(client('a'), (await faucet.send(transfer(sender.did, 5n * ABT))).hash);
    const nonce = (await client('c').account.get.query({ did: sender.did })).nonce + 1;
    const one = signItx(chainId, sender.signer, nonce, transfer(randomSigner().did, 1n));
    const other = signItx(chainId, sender.signer, nonce, transfer(randomSigner().did, 2n));
    const raced = await Promise.allSettled([client('b').tx.send.mutate({ tx: one.hex }), client('c').tx.send.mutate({ tx: other.hex })]);
    expect(raced.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = raced.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect((await appError(Promise.reject(refused.reason))).appCode).toBe('NONCE_TOO_LOW');
    const hashes: string[] = [];
    for (let i = 1; i <= 9; i += 1) {
      const tx = signItx(chainId, sender.signer, nonce + i, transfer(randomSigner().did, BigInt(i)));
      await client(NAMES[i % 3] as string)
        .tx.send.mutate({ tx: tx.hex })
        .catch(async (error) => {
          const db = (nodes.get('a') as TestNode).db;
          const dump = {
            winner: raced.map((r) => r.status),
            one: one.hash,
            other: other.hash,
            rejected: await db.query("SELECT encode(hash,'hex') h, code, message FROM rejected_txs"),
            txs: await db.query("SELECT encode(hash,'hex') h, height, nonce FROM txs WHERE from_did = $1", [sender.did]),
            queue: await db.query("SELECT encode(hash,'hex') h, nonce, taken_epoch FROM tx_queue WHERE sender = $1", [sender.did]),
            logs: [...logs.entries()].map(([n, l]) => [n, l.slice(-15)]),
          };
          throw new Error(`${(error as Error).message}: ${JSON.stringify(dump, null, 1)}`);
        });
      hashes.push(tx.hash);
    }
    for (const hash of hashes) await waitCommitted(client('b'), hash);
    expect((await client('a').account.get.query({ did: sender.did })).nonce).toBe(nonce + 9);
  });

  it('fences off a producer paused on its way to commit past its lease: its block never lands, its transactions do', async () => {
    const paused = producer() as string;
    const node = nodes.get(paused) as TestNode;
    const { ledger } = node.services;
    const commitBlock = ledger.store.commitBlock.bind(ledger.store);
    const epochBefore = node.services.cloud?.epoch as number;
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let heldHeight = 0;
    let outcome: unknown = null;
    // As a process that slept between building a block and committing it: it still believes it holds its epoch.
    ledger.store.commitBlock = async (block, ...rest) => {
      heldHeight = block.header.height;
      await held;
      try {
        await commitBlock(block, ...rest);
        outcome = 'committed';
      } catch (error) {
        outcome = error;
        throw error;
      }
    };
    const sent = await faucet.send(transfer(randomSigner().did, 7n));
    await until('the held block', () => heldHeight || undefined);
    // Its renewals go on meanwhile; the lease expiring is what a process paused for longer meets.
    await node.db.query("UPDATE node_lease SET expires_at = now() - interval '1 second'");
    const next = await until('another producer', () => {
      const now = producer();
      return now && now !== paused ? now : undefined;
    });
    // The new producer commits the held block's transaction (still queued) at the held height or above.
    const height = await waitCommitted(client(next), sent.hash);
    release();
    await until('the paused producer to be refused', () => outcome ?? undefined);
    ledger.store.commitBlock = commitBlock;
    // Refused either way: by the fence, or before it by the height the new producer took.
    expect((outcome as Error).message).toMatch(/no longer holds the producer lease|duplicate key value/);
    // The fence itself, as the paused process's last statement would meet it with the epoch it produced under:
    await expect(node.db.transaction((tx) => (node.services.cloud as CloudNode).lease.fence(tx, epochBefore))).rejects.toThrow(
      /no longer holds the producer lease/,
    );
    expect(height).toBeGreaterThanOrEqual(heldHeight);
    expect(node.services.cloud?.producing).toBe(false);
    // One chain: every height once, each block on its parent, each committed by the epoch's holder.
    const rows = await node.db.query<{ height: string; hash: Uint8Array; prev_hash: Uint8Array }>(
      'SELECT height, hash, prev_hash FROM blocks ORDER BY height',
    );
    rows.forEach((row, i) => {
      expect(Number(row.height)).toBe(i);
      if (i > 0) expect(Buffer.from(row.prev_hash).equals(Buffer.from((rows[i - 1] as { hash: Uint8Array }).hash))).toBe(true);
    });
    const late = await node.db.query('SELECT height FROM block_producers WHERE holder = $1 AND height >= $2', [paused, heldHeight]);
    expect(late).toEqual([]);
    // The paused process follows again: it reads the new producer's blocks.
    await until('the old producer follows', async () => ((await client(paused).chain.info.query()).height >= height ? true : undefined));
    expect(logs.get(next)?.some((line) => line.includes('producer lease: taken'))).toBe(true);
  });

  it('arms cron triggers on the producer alone, and a rollback on one process is served by every other at once', async () => {
    const owner = new Wallet(client('a'), chainId, randomSigner());
    await waitCommitted(client('a'), (await faucet.send(transfer(owner.did, 50n * ABT))).hash);
    const other = NAMES.find((n) => n !== producer()) as string;
    for (const version of ['1.0.0', '1.1.0']) {
      await deploySource(client(other), owner, manifest(owner.did, version), { 'index.js': HELLO(version) }, 'live');
    }
    for (const name of NAMES) {
      expect(await (await fetch(`${nodes.get(name)?.url}/b/hello/hi`)).text()).toBe('hello from 1.1.0');
    }
    const armed = () => NAMES.filter((name) => (nodes.get(name)?.services.triggers?.cronJobs('hello').length ?? 0) > 0);
    expect(await until('the cron trigger armed', () => (armed().length > 0 ? armed() : undefined))).toEqual([producer()]);
    const params = { alias: 'live' as const, version: '1.0.0', shareBps: 10_000 };
    await client(other).blocklet.setAlias.mutate({
      name: 'hello',
      ...params,
      auth: signAdmin(owner.signer, 'setAlias', 'hello', params, Date.now()),
    });
    // Every process answered 1.1.0 above (its alias cache held it); NOTIFY drops those caches at once.
    for (const name of NAMES) {
      await until(
        `${name} serves the rollback`,
        async () => {
          const text = await (await fetch(`${nodes.get(name)?.url}/b/hello/hi`)).text();
          return text === 'hello from 1.0.0' ? text : undefined;
        },
        2000,
      );
    }
    // A tick runs once for the node: only the producer's scheduler holds the job; fired there, one run is recorded.
    const job = nodes.get(producer() as string)?.services.triggers?.cronJobs('hello')[0];
    job?.trigger();
    const runs = await until('the cron run', async () => {
      const out = await client(other).blocklet.invoke.mutate({ name: 'hello', input: { prefix: 'cron:' } });
      const items = (out.output as { items: unknown[] }).items;
      return items.length > 0 ? items : undefined;
    });
    expect(runs).toHaveLength(1);
    expect(armed()).toEqual([producer()]);
  });

  it('signs in with a challenge one process gave and another answered, once across all of them', async () => {
    const user = randomSigner();
    const { nonce, timeMs } = await client('a').gateway.challenge.mutate();
    const signature = toHex(signMessage(user.secretKey, challengeMessage(nonce, timeMs)));
    const login = { did: user.did, publicKey: toHex(user.publicKey), nonce, timeMs, signature };
    const { token } = await client('b').gateway.login.mutate(login);
    expect(token).toMatch(/^st_/);
    // The session is in the database: the third process takes it.
    expect(await connected(rawSocket(nodes.get('c')?.url as string, token))).toBeTruthy();
    for (const name of ['a', 'c']) {
      expect(await appError(client(name).gateway.login.mutate(login))).toMatchObject({ appCode: 'UNAUTHORIZED' });
    }
    // A nonce with a MAC it was not given does not pass.
    const forged = { ...login, nonce: `${nonce.slice(0, 32)}${'0'.repeat(32)}` };
    expect(await appError(client('c').gateway.login.mutate(forged))).toMatchObject({ appCode: 'UNAUTHORIZED' });
  });

  it('refuses a commit the process makes without the lease', async () => {
    const replica = NAMES.find((n) => n !== producer()) as string;
    const { ledger } = (nodes.get(replica) as TestNode).services;
    expect(ledger.queue).not.toBeNull();
    await expect(ledger.produceBlock()).rejects.toThrow(/no longer holds the producer lease|failed to commit/);
    expect(await appError(client(replica).tx.send.mutate({ tx: 'zz' }))).toMatchObject({ appCode: 'BAD_INPUT' });
  });
});
