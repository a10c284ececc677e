import { ADMIN_AUTH_SKEW_MS, fromHex, signAdmin } from '@arc/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ReplayGuard, type VerifiedRequest } from '../src/admin/replay-guard.ts';
import { devKey } from '../src/config/dev-keys.ts';
import { openDatabase } from '../src/db/client.ts';
import { createTestDatabase, startTestNode, type TestDatabase, type TestNode, testDrivers } from '../src/testing.ts';
import { signedUpload } from './helpers/blocklets.ts';
import { appError, type NodeClient, nodeClient } from './helpers/client.ts';
import { ABT, randomSigner, type Signer, transfer, Wallet } from './helpers/wallet.ts';

/**
 * Signed admin requests are usable once: a copy sent again — by whoever saw it, within the clock-skew window, also
 * after a restart — is refused with REPLAYED, and of two identical requests racing each other exactly one passes.
 */

type Rule = { name: string; publish: 'owner' | 'authenticated' | 'anyone'; subscribe: 'owner' | 'authenticated' | 'anyone' };

function topicRulesRequest(app: Signer, rules: Rule[], timeMs = Date.now()) {
  return { appDid: app.did, rules, auth: signAdmin(app, 'gateway.setTopicRules', app.did, { rules }, timeMs) };
}

function apiKeyRequest(app: Signer, keyId: string, timeMs = Date.now()) {
  return { appDid: app.did, keyId, auth: signAdmin(app, 'gateway.createApiKey', app.did, { keyId }, timeMs) };
}

const REPLAYED = { appCode: 'REPLAYED', retriable: false };

describe.each(testDrivers())('signed admin requests on %s', (driver) => {
  let node: TestNode;
  let client: NodeClient;
  /** A second client: its requests travel on their own HTTP connection, not in the first one's batch. */
  let other: NodeClient;

  beforeAll(async () => {
    node = await startTestNode({ driver });
    client = nodeClient(node.url);
    other = nodeClient(node.url);
  }, 120_000);

  afterAll(() => node?.stop());

  it('refuses a replayed setTopicRules, so an old request cannot revert newer rules', async () => {
    const app = randomSigner();
    const closed: Rule[] = [{ name: 'news', publish: 'owner', subscribe: 'owner' }];
    const opened: Rule[] = [{ name: 'news', publish: 'owner', subscribe: 'anyone' }];
    const old = topicRulesRequest(app, closed);
    await client.gateway.setTopicRules.mutate(old);
    await client.gateway.setTopicRules.mutate(topicRulesRequest(app, opened, old.auth.timeMs + 1));

    const refused = await appError(client.gateway.setTopicRules.mutate(old));
    expect(refused).toMatchObject({ ...REPLAYED, trpcCode: 'CONFLICT' });
    expect(refused.message).toBe('This signed request was used already; sign it again with the current time.');
    expect(await client.gateway.topicRules.query({ appDid: app.did })).toEqual(opened);
  });

  it('refuses a replayed createApiKey, and takes the same request signed again', async () => {
    const app = randomSigner();
    const request = apiKeyRequest(app, `k-${app.did.slice(-8)}`);
    await client.gateway.createApiKey.mutate(request);
    expect(await appError(client.gateway.createApiKey.mutate(request))).toMatchObject(REPLAYED);
    // Signed again (a new time), the same parameters are a new request: here the key id is then taken.
    const again = await appError(client.gateway.createApiKey.mutate(apiKeyRequest(app, request.keyId, request.auth.timeMs + 1)));
    expect(again).toMatchObject({ appCode: 'FORBIDDEN' });
  });

  it('lets exactly one of several identical requests racing each other through', async () => {
    const app = randomSigner();
    const request = topicRulesRequest(app, [{ name: '*', publish: 'authenticated', subscribe: 'anyone' }]);
    const copies = 6;
    const results = await Promise.allSettled(
      Array.from({ length: copies }, (_, i) => (i % 2 === 0 ? client : other).gateway.setTopicRules.mutate(request)),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refusals = await Promise.all(results.flatMap((r) => (r.status === 'rejected' ? [appError(Promise.reject(r.reason))] : [])));
    expect(refusals).toHaveLength(copies - 1);
    for (const refusal of refusals) expect(refusal).toMatchObject(REPLAYED);
  });

  it('refuses a replayed blocklet upload and a replayed blocklet admin call', async () => {
    const faucet = new Wallet(client, node.chainId, devKey('faucet'));
    const owner = new Wallet(client, node.chainId, randomSigner());
    await faucet.commit(transfer(owner.did, 10n * ABT));
    const name = `replay-${owner.did.slice(-6).toLowerCase()}`;
    const manifest = `name: ${name}\nversion: 1.0.0\ntitle: ${name}\nauthor: ${owner.did}\nentry: index.js\n`;
    const upload = signedUpload(owner.signer, {
      manifest: { file: 'blocklet.yml', text: manifest },
      files: { 'index.js': 'export default { async call() { return 1; } };' },
    });
    const uploaded = await client.blocklet.upload.mutate(upload);
    expect(await appError(client.blocklet.upload.mutate(upload))).toMatchObject(REPLAYED);

    const tx = await owner.sign({
      type: 'deployBlocklet',
      name,
      version: '1.0.0',
      manifestHash: fromHex(uploaded.manifestHash),
      bundleHash: fromHex(uploaded.bundleHash),
    });
    await client.blocklet.deploy.mutate({ tx: tx.hex });
    const set = { key: 'MODE', value: 'first', secure: false };
    const request = { name, ...set, auth: signAdmin(owner.signer, 'setEnv', name, set, Date.now()) };
    await client.blocklet.setEnv.mutate(request);
    const unset = { key: 'MODE', value: 'second', secure: false };
    await client.blocklet.setEnv.mutate({ name, ...unset, auth: signAdmin(owner.signer, 'setEnv', name, unset, Date.now() + 1) });

    const refused = await appError(client.blocklet.setEnv.mutate(request));
    expect(refused).toMatchObject({ ...REPLAYED, trpcCode: 'CONFLICT' });
    expect(refused.message).toMatch(/sign it again/);
    const listed = await client.blocklet.listEnv.query({ name, auth: signAdmin(owner.signer, 'listEnv', name, {}, Date.now()) });
    expect(listed).toEqual(expect.arrayContaining([expect.objectContaining({ key: 'MODE', value: 'second' })]));
  }, 60_000);
});

describe.each(testDrivers())('used signed requests on %s, across a restart', (driver) => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function database(): Promise<TestDatabase> {
    const db = await createTestDatabase(driver);
    cleanups.push(() => db.drop());
    return db;
  }

  it('still refuses a request replayed after the node restarted', async () => {
    const db = await database();
    const app = randomSigner();
    const old = topicRulesRequest(app, [{ name: 'news', publish: 'owner', subscribe: 'owner' }]);
    const first = await startTestNode({ driver, database: db.target });
    cleanups.push(() => first.stop());
    await nodeClient(first.url).gateway.setTopicRules.mutate(old);
    await first.stop();

    const second = await startTestNode({ driver, database: db.target });
    cleanups.push(() => second.stop());
    expect(await appError(nodeClient(second.url).gateway.setTopicRules.mutate(old))).toMatchObject(REPLAYED);
  }, 180_000);

  it('decides races in the database and forgets a request once its signed time left the skew window', async () => {
    const db = await database();
    const sql = await openDatabase(db.target, () => undefined);
    cleanups.push(() => sql.close());
    let nowMs = 1_000_000_000_000;
    const guard = new ReplayGuard(sql, () => nowMs);
    const request = (i: number): VerifiedRequest => ({ did: 'did:abt:z1test', op: 'setEnv', name: 'b', params: { i }, timeMs: nowMs });

    const raced = await Promise.all(Array.from({ length: 8 }, () => guard.claim(request(0))));
    expect(raced.filter(Boolean)).toHaveLength(1);
    for (let i = 1; i <= 3; i++) expect(await guard.claim(request(i))).toBe(true);
    const count = async () => (await sql.query<{ n: number }>('SELECT count(*)::int AS n FROM used_signed_requests'))[0]?.n;
    expect(await count()).toBe(4);

    // Past the window verifyAdmin refuses these requests by their time: the rows go with the next claim.
    nowMs += ADMIN_AUTH_SKEW_MS + 1;
    expect(await guard.claim({ ...request(9), timeMs: nowMs })).toBe(true);
    expect(await count()).toBe(1);
  }, 60_000);
});
