import { didFromPublicKey, executorAlpha, executorPriority, fromHex, parsePosition, rankClaims, toHex } from '@arc/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devKey } from '../src/config/dev-keys.ts';
import { signedUpload } from './helpers/blocklets.ts';
import { nodeClient } from './helpers/client.ts';
import { inProcessCluster } from './helpers/consensus-cluster.ts';
import { ABT, randomSigner, transfer, Wallet } from './helpers/wallet.ts';

/**
 * A blocklet with a chain trigger deployed on all four nodes of a consensus network: each event of the chain is run
 * by exactly one validator, the one VRF sortition ranks first, and every node records that validator as its executor.
 */

const WATCHER = `
export default {
  async event(input, ctx) { await ctx.kv.set('event:' + input.dedupKey, { amount: input.event.amount }); },
  async call(input, ctx) { return ctx.kv.list({ prefix: input.prefix, limit: 100 }); },
};
`;

let cluster: Awaited<ReturnType<typeof inProcessCluster>>;
const watched = randomSigner().did;

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: last ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Sends and waits for the commit, patiently: four nodes in one process on a busy machine take their time. */
async function commit(wallet: Wallet, itx: Parameters<Wallet['send']>[0]): Promise<void> {
  const tx = await wallet.send(itx);
  const status = await until(
    () => wallet.client.tx.wait.query({ hash: tx.hash, timeoutMs: 5_000 }),
    (s) => s.status !== 'pending',
    `tx ${tx.hash} committed`,
    60_000,
  );
  expect(status.status).toBe('committed');
}

beforeAll(async () => {
  cluster = await inProcessCluster(4);
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
});

describe('chain-event invocations on a network of four validators', () => {
  it('runs each event on exactly one validator, the top-ranked one, and every node records it', async () => {
    const nodes = cluster.nodes;
    const first = nodeClient(nodes[0]!.url);
    const chainId = cluster.genesis.chainId;
    const faucet = new Wallet(first, chainId, { ...devKey('faucet') });
    const owner = new Wallet(first, chainId, randomSigner());
    await commit(faucet, transfer(owner.did, 10n * ABT));

    // Bundles are stored per node: the author uploads the same files to each; one deploy transaction names them.
    const manifest = `name: watcher
version: 1.0.0
title: Watcher
author: ${owner.did}
entry: index.js
triggers:
  - { type: chain, chain: arc, filter: { addresses: [${watched}], kinds: [transfer] } }
permissions:
  chains: [{ chain: arc, level: 2 }]
`;
    const content = { manifest: { file: 'blocklet.yml' as const, text: manifest }, files: { 'index.js': WATCHER } };
    const uploads = [];
    for (const node of nodes) uploads.push(await nodeClient(node.url).blocklet.upload.mutate(signedUpload(owner.signer, content)));
    expect(new Set(uploads.map((u) => u.bundleHash)).size).toBe(1);
    const tx = await owner.sign({
      type: 'deployBlocklet',
      name: 'watcher',
      version: '1.0.0',
      manifestHash: fromHex(uploads[0]!.manifestHash),
      bundleHash: fromHex(uploads[0]!.bundleHash),
    });
    await first.blocklet.deploy.mutate({ tx: tx.hex });
    // Aliases are each node's routing state: the other nodes point live at the version once their index has it.
    for (const node of nodes.slice(1)) {
      await until(
        () => node.services.runtime.registry.version('watcher', '1.0.0'),
        (v) => v !== null,
        'the deploy indexed',
      );
      await node.services.runtime.setAlias('watcher', 'live', '1.0.0', 10_000);
    }
    for (const node of nodes) {
      await until(
        () => node.db.query("SELECT 1 FROM blocklet_trigger_state WHERE name = 'watcher'"),
        (rows) => rows.length === 1,
        'the chain trigger armed',
      );
    }

    for (const amount of [21n, 22n, 23n]) await commit(faucet, transfer(watched, amount));

    const rowsOf = (i: number) =>
      nodes[i]!.db.query<{ dedup_key: string; executor_did: string; priority_hex: string; outcome: string; output_digest: string }>(
        "SELECT dedup_key, executor_did, priority_hex, outcome, output_digest FROM blocklet_executions WHERE name = 'watcher' ORDER BY dedup_key",
      );
    const tables = [];
    for (let i = 0; i < nodes.length; i += 1)
      tables.push(
        await until(
          () => rowsOf(i),
          (rows) => rows.length === 3,
          `node ${i + 1}'s executions`,
        ),
      );
    // Every node names the same executor, priority, outcome and result digest for each event.
    for (const table of tables.slice(1)) expect(table).toEqual(tables[0]);
    expect(tables[0]!.every((row) => row.outcome === 'ok')).toBe(true);

    const committee = nodes[0]!.services.consensus!.committee;
    for (const row of tables[0]!) {
      // The executor is the validator the seed of the event's block ranks first.
      const { height } = parsePosition(row.dedup_key.split(':')[1]!);
      const seed = (await nodes[0]!.services.consensus!.seedAfterHeight(height))!;
      const alpha = executorAlpha(seed, 'watcher', row.dedup_key);
      const ranked = rankClaims(
        cluster.plan.nodes.map((n) => ({
          publicKey: n.key.publicKey,
          priority: executorPriority(n.key.secretKey, committee.members.get(toHex(n.key.publicKey))!, committee, alpha).priority,
        })),
      );
      expect(row.executor_did).toBe(didFromPublicKey(ranked[0]!.publicKey, 'node'));
      expect(row.priority_hex).toBe(toHex(ranked[0]!.priority));

      // Exactly one node ran the handler (kv is each node's own): the executor.
      const ran: string[] = [];
      for (const node of nodes) {
        const out = await nodeClient(node.url).blocklet.invoke.mutate({ name: 'watcher', input: { prefix: `event:${row.dedup_key}` } });
        if ((out.output as { items: unknown[] }).items.length > 0) ran.push(node.services.ledger.nodeDid);
      }
      expect(ran).toEqual([row.executor_did]);
    }
    // The nodes that did not run an event still count it as delivered.
    for (const node of nodes) {
      const [dedup] = await node.db.query<{ n: number }>("SELECT count(*)::int AS n FROM blocklet_dedup WHERE name = 'watcher'");
      expect(dedup?.n).toBe(3);
    }
  }, 240_000);
});
