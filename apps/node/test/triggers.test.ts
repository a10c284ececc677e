import { didFromPublicKey, fromHex, keyPairFromSeed } from '@arc/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestNode, type TestNode } from '../src/testing.ts';
import { signedUpload } from './helpers/blocklets.ts';
import { type NodeClient, nodeClient } from './helpers/client.ts';
import { ABT, randomSigner, transfer, Wallet } from './helpers/wallet.ts';

/** Cron, topic and chain-event triggers of a live blocklet, on a real node and its own ledger through OCAP. */

const WATCHER = `
export default {
  async cron(event, ctx) { await ctx.kv.set('cron:' + event.scheduledAtMs, event.schedule); },
  async topic(message, ctx) { await ctx.kv.set('topic:' + message.topic, message.message); },
  async event(input, ctx) {
    if (input.event.amount === '13') throw new Error('unlucky amount, retry me');
    await ctx.kv.set('event:' + input.dedupKey, { to: input.event.to, amount: input.event.amount, removed: input.event.removed });
  },
  async call(input, ctx) { return ctx.kv.list({ prefix: input.prefix, limit: 100 }); },
};
`;

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: last ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('blocklet triggers', () => {
  let node: TestNode;
  let client: NodeClient;
  let owner: Wallet;
  let faucet: Wallet;
  const watched = randomSigner().did;

  beforeAll(async () => {
    node = await startTestNode({ blockIntervalMs: 100 });
    client = nodeClient(node.url);
    const chainId = (await client.chain.info.query()).chainId;
    const key = keyPairFromSeed(fromHex(node.funded.secretKey));
    faucet = new Wallet(client, chainId, { ...key, did: didFromPublicKey(key.publicKey) });
    owner = new Wallet(client, chainId, randomSigner());
    await client.tx.wait.query({ hash: (await faucet.send(transfer(owner.did, 10n * ABT))).hash, timeoutMs: 10_000 });
    const manifest = `name: watcher
version: 1.0.0
title: Watcher
author: ${owner.did}
entry: index.js
triggers:
  - { type: cron, schedule: "*/5 * * * *" }
  - { type: topic, topic: "app:demo:*" }
  - { type: chain, chain: arc, filter: { addresses: [${watched}], kinds: [transfer] } }
permissions:
  chains: [{ chain: arc, level: 2 }]
  topics: { subscribe: ["app:demo:*"] }
`;
    const uploaded = await client.blocklet.upload.mutate(
      signedUpload(owner.signer, { manifest: { file: 'blocklet.yml', text: manifest }, files: { 'index.js': WATCHER } }),
    );
    const tx = await owner.sign({
      type: 'deployBlocklet',
      name: 'watcher',
      version: '1.0.0',
      manifestHash: fromHex(uploaded.manifestHash),
      bundleHash: fromHex(uploaded.bundleHash),
    });
    await client.blocklet.deploy.mutate({ tx: tx.hex });
  }, 120_000);

  afterAll(async () => {
    await node?.stop();
  });

  const kv = async (prefix: string) =>
    ((await client.blocklet.invoke.mutate({ name: 'watcher', input: { prefix } })).output as { items: { key: string; value: unknown }[] })
      .items;

  it('arms the live version’s cron schedule and runs it', async () => {
    const jobs = await waitFor(
      async () => node.services.triggers?.cronJobs('watcher') ?? [],
      (j) => j.length === 1,
      'the cron job',
    );
    const next = jobs[0]?.nextRun();
    expect(next).toBeInstanceOf(Date);
    expect((next as Date).getUTCMinutes() % 5).toBe(0);
    jobs[0]?.trigger();
    // At least the triggered run: a test that runs across a five-minute mark also sees the schedule's own run.
    const runs = await waitFor(
      () => kv('cron:'),
      (items) => items.length >= 1,
      'the cron invocation',
    );
    expect(runs.length).toBeLessThanOrEqual(2);
    expect(runs.every((run) => run.value === '*/5 * * * *')).toBe(true);
  });

  it('delivers topic messages it subscribed to', async () => {
    node.services.topics.publish('app:demo:orders', { id: 7 });
    node.services.topics.publish('app:other:orders', { id: 8 });
    const seen = await waitFor(
      () => kv('topic:'),
      (items) => items.length >= 1,
      'the topic message',
    );
    expect(seen).toEqual([{ key: 'topic:app:demo:orders', value: { id: 7 } }]);
  });

  it('delivers chain events at least once with a dedup key, retrying a failing handler, and keeps its checkpoint', async () => {
    for (const amount of [11n, 12n, 13n, 14n]) {
      await client.tx.wait.query({ hash: (await faucet.send(transfer(watched, amount))).hash, timeoutMs: 10_000 });
    }
    const events = await waitFor(
      () => kv('event:'),
      (items) => items.length >= 3,
      'three chain events',
      40_000,
    );
    expect(events.map((e) => (e.value as { amount: string }).amount).sort()).toEqual(['11', '12', '14']);
    expect(events.every((e) => e.key.startsWith('event:arc:') && (e.value as { to: string }).to === watched)).toBe(true);
    const dedup = await node.db.query<{ n: number }>("SELECT count(*)::int AS n FROM blocklet_dedup WHERE name = 'watcher'");
    expect(dedup[0]?.n).toBe(3);
    const [state] = await node.db.query<{ checkpoint: { height: number } | string }>(
      "SELECT checkpoint FROM blocklet_trigger_state WHERE name = 'watcher'",
    );
    const checkpoint = typeof state?.checkpoint === 'string' ? JSON.parse(state.checkpoint) : state?.checkpoint;
    expect(checkpoint.height).toBeGreaterThan(0);
    const failures = await node.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM blocklet_invocations WHERE name = 'watcher' AND trigger = 'chain' AND NOT ok",
    );
    expect(failures[0]?.n).toBeGreaterThanOrEqual(1);
  }, 60_000);
});
