import { createHash, randomBytes } from 'node:crypto';
import { fromHex, signAdmin } from '@arc/core';
import { afterAll, describe, expect, it } from 'vitest';
import { devKey } from '../src/config/dev-keys.ts';
import { installName } from '../src/market/install.ts';
import { computeRanks, recomputeAll } from '../src/market/recompute.ts';
import { createTestDatabase, startTestNode, type TestNode, testDrivers } from '../src/testing.ts';
import { deploySource } from './helpers/blocklets.ts';
import { appError, type NodeClient, nodeClient } from './helpers/client.ts';
import { rankInputsFromChain } from './helpers/market-chain.ts';
import { until } from './helpers/until.ts';

const waitFor = (what: string, check: () => Promise<boolean>, timeoutMs?: number) =>
  until(what, async () => ((await check()) ? true : undefined), timeoutMs);

import {
  ABT,
  fundedWallet,
  randomSigner,
  stakeThenPublish,
  transfer,
  type Wallet,
  Wallet as WalletClass,
  waitCommitted,
} from './helpers/wallet.ts';

/**
 * Installs and metered use end to end: a component's own blocklet and an installed copy are invoked over HTTP, the
 * node flushes the counts as a recordUsage transaction it signs, the index reads them back, and the caller's use is
 * then verified (so they may review). A restart between marking counts in flight and the commit loses none.
 */

const sha = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const CODE = 'export default { async fetch(request, ctx) { return { body: "hi " + (ctx.env.GREETING ?? "") }; } };';

function manifest(name: string, author: string): string {
  return `name: ${name}
version: 1.0.0
title: Greeter
author: ${author}
entry: index.ts
interfaces:
  http:
    - { path: /hi, methods: [GET] }
environment:
  - { name: GREETING, default: hello }
`;
}

async function setup(driver: 'pglite' | 'postgres', database?: Parameters<typeof startTestNode>[0]) {
  const node = await startTestNode({ driver, blockIntervalMs: 200, marketUsageFlushMs: 300, ...database });
  const client = nodeClient(node.url);
  const faucet = new WalletClass(client, node.chainId, devKey('faucet'));
  return { node, client, faucet };
}

/** Publishes `name` as a blocklet component whose bundle is the deployed blocklet's. */
async function publishDeployed(client: NodeClient, owner: Wallet, name: string): Promise<void> {
  const { uploaded } = await deploySource(client, owner, manifest(name, owner.did), { 'index.ts': CODE });
  const readme = `# ${name}\nSays hi.`;
  await client.market.putText.mutate({ text: readme, purpose: 'readme' });
  await stakeThenPublish(owner, {
    type: 'publishComponent',
    kind: 'blocklet',
    name,
    version: '1.0.0',
    description: 'Says hi to whoever calls',
    manifestHash: fromHex(uploaded.manifestHash),
    bundleHash: fromHex(uploaded.bundleHash),
    readmeHash: fromHex(sha(readme)),
    releaseNotes: '',
    categories: ['tools'],
    chains: [],
    price: { model: 'free', amount: 0n },
    beneficiaries: [{ did: owner.did, shareBps: 10_000 }],
  });
}

/** Registers an application owned by `owner` (the console's row; its statement signatures are not what is tested). */
async function registerApplication(node: TestNode, owner: string): Promise<string> {
  const app = randomSigner().did;
  await node.db.query(
    `INSERT INTO console_applications (app_did, owner_did, name, signed_at_ms, owner_public_key, owner_signature, app_public_key, app_signature, created_at_ms)
     VALUES ($1, $2, 'test app', $3, '', '', '', '', $3)`,
    [app, owner, Date.now()],
  );
  return app;
}

describe.each(testDrivers())('market usage and installs on %s', (driver) => {
  const nodes: TestNode[] = [];
  afterAll(async () => {
    for (const node of nodes) await node.stop();
  });

  it('records calls of a component on the chain, so its caller is verified to review; installs only into your own application', async () => {
    const { node, client, faucet } = await setup(driver);
    nodes.push(node);
    await waitCommitted(client, (await faucet.send(transfer(node.services.ledger.nodeDid, 10n * ABT, 'usage fees'))).hash);
    const owner = await fundedWallet(faucet, 20n * ABT);
    const name = `greeter-${randomBytes(2).toString('hex')}`;
    await publishDeployed(client, owner, name);
    await waitFor('the component indexed', async () => (await client.market.search.query({ q: name })).total === 1);
    expect((await client.market.use.query({ name, account: owner.did })).verified).toBe(false);

    for (let i = 0; i < 3; i += 1) expect((await fetch(`${node.url}/b/${name}/hi`)).status).toBe(200);
    await waitFor('3 calls recorded', async () => (await client.market.use.query({ name, account: owner.did })).calls === 3);
    const use = await client.market.use.query({ name, account: owner.did });
    expect(use).toMatchObject({ verified: true, calls: 3, reason: '' });
    const page = await client.market.component.query({ name });
    expect(page.usage30d.at(-1)?.calls).toBe(3);
    expect(page.installable).toBe(true);

    // Install into an application: someone else's is refused, your own deploys a copy under installName().
    const user = await fundedWallet(faucet, 20n * ABT);
    const stranger = await fundedWallet(faucet, 5n * ABT);
    const app = await registerApplication(node, user.did);
    const plan = await client.market.installPlan.query({ name, version: '1.0.0', application: app });
    expect(plan).toMatchObject({ blocklet: installName(name, app), owner: user.did });
    const params = { application: app, version: '1.0.0', env: { GREETING: 'there' } };
    const sign = async (wallet: Wallet) =>
      (
        await wallet.sign({
          type: 'deployBlocklet',
          name: plan.blocklet,
          version: '1.0.0',
          manifestHash: fromHex(plan.manifestHash),
          bundleHash: fromHex(plan.bundleHash),
        })
      ).hex;
    const strangerTx = await sign(stranger);
    const refused = await appError(
      client.market.install.mutate({
        name,
        ...params,
        tx: strangerTx,
        auth: signAdmin(stranger.signer, 'install', name, params, Date.now()),
      }),
    );
    expect(refused).toMatchObject({ appCode: 'FORBIDDEN' });
    expect(refused.message).toMatch(/only its owner installs/);
    expect(
      await appError(
        client.market.install.mutate({
          name,
          ...params,
          env: { NOT_DECLARED: 'x' },
          tx: await sign(user),
          auth: signAdmin(user.signer, 'install', name, { ...params, env: { NOT_DECLARED: 'x' } }, Date.now()),
        }),
      ),
    ).toMatchObject({ appCode: 'BAD_INPUT' });
    (user as unknown as { next: number | null }).next = null;
    const installed = await client.market.install.mutate({
      name,
      ...params,
      tx: await sign(user),
      auth: signAdmin(user.signer, 'install', name, params, Date.now()),
    });
    expect(installed.blocklet).toBe(plan.blocklet);
    const res = await fetch(`${node.url}/b/${plan.blocklet}/hi`);
    expect(await res.text()).toContain('hi there');
    // The installed copy's calls are the application owner's use of the component.
    await waitFor('the install and call recorded', async () => (await client.market.use.query({ name, account: user.did })).calls === 1);
    expect(await client.market.use.query({ name, account: user.did })).toMatchObject({ calls: 1, installs: 1 });
    expect((await client.market.installs.query({ application: app })).map((i) => i.component)).toEqual([name]);

    // Verified use lets the user review; the owner replies; both texts are served with the record.
    const body = 'Says hi reliably.';
    const reply = 'Thanks for trying it!';
    await client.market.putText.mutate({ text: body, purpose: 'review' });
    await client.market.putText.mutate({ text: reply, purpose: 'reply' });
    await user.commit({ type: 'reviewComponent', name, stars: 4, textHash: fromHex(sha(body)), edit: false });
    await owner.commit({ type: 'replyReview', name, reviewer: user.did, textHash: fromHex(sha(reply)) });
    await waitFor(
      'the review and reply indexed',
      async () => ((await client.market.reviews.query({ name })).items[0]?.reply ?? null) !== null,
    );
    const reviews = await client.market.reviews.query({ name });
    expect(reviews.total).toBe(1);
    expect(reviews.items[0]).toMatchObject({
      reviewer: user.did,
      stars: 4,
      text: body,
      hidden: false,
      verifiedUse: '1 call from 1 application',
    });
    expect(reviews.items[0]?.reply?.text).toBe(reply);
    expect(reviews.items[0]?.weight).toBeGreaterThan(0);
    expect((await client.market.use.query({ name, account: user.did })).review?.stars).toBe(4);
    expect((await client.market.component.query({ name })).ratingDistribution).toEqual([0, 0, 0, 1, 0]);

    // Every stored score equals the rank recomputed from the chain alone (state entries, blocks, recordUsage txs), at
    // the time the stored one was computed. The usage flusher is stopped first so the chain holds still.
    const market = node.services.market;
    if (!market) throw new Error('no market');
    await market.usage.stop();
    await market.indexer.settled();
    await recomputeAll(node.db, Date.now());
    // A recompute writes only the rows whose rank changed: every stored row must still equal the rank at its time.
    const stored = await node.db.query<{ name: string; score: number }>('SELECT name, rank_score::float8 AS score FROM market_components');
    const [meta] = await node.db.query<{ at: number }>('SELECT ranks_computed_at_ms::float8 AS at FROM market_index_meta WHERE id = 1');
    const at = meta?.at ?? 0;
    expect(at).toBeGreaterThan(0);
    const fromChain = computeRanks(await rankInputsFromChain(node.db, at), at).ranks;
    expect(stored.length).toBeGreaterThan(0);
    expect(Object.fromEntries(stored.map((r) => [r.name, r.score]))).toEqual(Object.fromEntries(fromChain.map((r) => [r.name, r.score])));
    expect(fromChain.find((r) => r.name === name)?.ratingCount).toBe(1);
  }, 120_000);

  it('loses no counts and counts none twice when the node restarts with counts in flight', async () => {
    const database = await createTestDatabase(driver);
    let { node, client, faucet } = await setup(driver, { database: database.target });
    await waitCommitted(client, (await faucet.send(transfer(node.services.ledger.nodeDid, 10n * ABT, 'usage fees'))).hash);
    const owner = await fundedWallet(faucet, 20n * ABT);
    const name = `restart-${randomBytes(2).toString('hex')}`;
    await publishDeployed(client, owner, name);
    await waitFor('the component indexed', async () => (await client.market.search.query({ q: name })).total === 1);
    const market = node.services.market;
    if (!market) throw new Error('no market');
    await market.usage.stop(); // no flushes while the counts are set up
    for (let i = 0; i < 4; i += 1) expect((await fetch(`${node.url}/b/${name}/hi`)).status).toBe(200);
    // A crash after the counts were marked in flight for a transaction that never reached the ledger.
    await node.db.query(
      "UPDATE market_pending_usage SET inflight = calls, inflight_installs = installs, calls = 0, installs = 0, inflight_tx = repeat('ab', 32)",
    );
    await node.close();
    ({ node, client, faucet } = await setup(driver, { database: database.target }));
    // A test node gets a new node key at each start: the new one pays the usage transaction's fee.
    await waitCommitted(client, (await faucet.send(transfer(node.services.ledger.nodeDid, 10n * ABT, 'usage fees'))).hash);
    nodes.push({
      ...node,
      stop: async () => {
        await node.close();
        await database.drop();
      },
    });
    await waitFor('4 calls recorded', async () => (await client.market.use.query({ name, account: owner.did })).calls >= 4);
    // Another flush round finds nothing more to send.
    await node.services.market?.usage.flush();
    await node.services.market?.indexer.settled();
    expect((await client.market.use.query({ name, account: owner.did })).calls).toBe(4);
    const pending = await node.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM market_pending_usage WHERE calls > 0 OR inflight > 0',
    );
    expect(pending[0]?.n).toBe(0);
  }, 120_000);
});
