import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { didFromPublicKey, fromHex, keyPairFromSeed, signAdmin } from '@arc/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestNode, type TestNode } from '../src/testing.ts';
import { signedUpload } from './helpers/blocklets.ts';
import { appError, type NodeClient, nodeClient } from './helpers/client.ts';
import { gatewayLogin } from './helpers/gateway-login.ts';
import { ABT, randomSigner, type Signer, transfer, Wallet } from './helpers/wallet.ts';

/**
 * The blocklet runtime end to end on a real node: upload (esbuild bundle), a deploy transaction on the ledger,
 * HTTP routes by name, kv committed only on success, versions, aliases and rollback, environment and secrets,
 * permissions, logs, metrics and usage, and a blocklet submitting to the ledger under its own DID.
 */

const HELLO = `
import { greet } from './greet.ts';
export default {
  async fetch(request, ctx) {
    if (request.path === '/count') {
      const n = ((await ctx.kv.get('count')) ?? 0) + 1;
      await ctx.kv.set('count', n);
      ctx.log.info('counted', n);
      if (request.query.fail) throw new Error('asked to fail after writing');
      return { body: { count: n } };
    }
    if (request.path === '/slow') {
      await ctx.fetch(request.query.url);
      return { body: 'slow from VERSION' };
    }
    if (request.path === '/me') return { body: { caller: request.caller, sawAuthorization: 'authorization' in request.headers } };
    if (request.path === '/env') return { body: { greeting: ctx.env.GREETING ?? null, secret: ctx.env.API_KEY ?? null } };
    if (request.path === '/fetch') {
      try { return { body: await ctx.fetch(request.query.url) }; } catch (e) { return { status: 403, body: { code: e.code, message: e.message } }; }
    }
    if (request.path === '/chain') {
      try { return { body: await ctx.ocap.query(request.query.chain, 'getLatestBlock') }; } catch (e) { return { status: 403, body: { code: e.code } }; }
    }
    return { headers: { 'x-hello': 'yes' }, body: greet(request.query.name ?? 'world') + ' from VERSION' };
  },
  async call(input, ctx) {
    if (input?.op === 'submit') return ctx.ledger.submit({ type: 'transfer', to: input.to, amount: '1000' });
    if (input?.op === 'did') return ctx.ledger.did();
    return { echo: input };
  },
};
`;

function manifest(owner: string, version: string, extra = '') {
  return `name: hello
version: ${version}
title: Hello
author: ${owner}
entry: index.ts
interfaces:
  http:
    - { path: /hi, methods: [GET] }
    - { path: /count, methods: [GET, POST] }
    - { path: /env }
    - { path: /slow }
    - { path: /me, auth: required }
    - { path: /fetch }
    - { path: /chain }
permissions:
  hosts: [127.0.0.1]
  chains: [{ chain: arc, level: 1 }]
  ledger: { submit: true }
environment:
  - { name: GREETING, default: hello }
  - { name: API_KEY, secure: true }
${extra}`;
}

async function deploy(
  client: NodeClient,
  wallet: Wallet,
  version: string,
  options: { alias?: 'live' | 'canary' | null; code?: string; manifestText?: string } = {},
) {
  const uploaded = await client.blocklet.upload.mutate(
    signedUpload(wallet.signer, {
      manifest: { file: 'blocklet.yml', text: options.manifestText ?? manifest(wallet.did, version) },
      files: {
        'index.ts': (options.code ?? HELLO).replaceAll('VERSION', version),
        'greet.ts': "export const greet = (name: string): string => 'hello ' + name;",
      },
    }),
  );
  const tx = await wallet.sign({
    type: 'deployBlocklet',
    name: uploaded.name,
    version: uploaded.version,
    manifestHash: fromHex(uploaded.manifestHash),
    bundleHash: fromHex(uploaded.bundleHash),
  });
  try {
    return await client.blocklet.deploy.mutate({ tx: tx.hex, alias: options.alias === undefined ? 'live' : options.alias });
  } catch (error) {
    // A refused deploy never reached the ledger: its nonce is free again.
    (wallet as unknown as { next: number | null }).next = null;
    throw error;
  }
}

function auth(signer: Signer, op: string, params: unknown) {
  return signAdmin(signer, op, 'hello', params, Date.now());
}

describe('the blocklet runtime', () => {
  let node: TestNode;
  let client: NodeClient;
  let owner: Wallet;
  let faucet: Wallet;
  let oracle: Server;
  let oracleUrl: string;

  beforeAll(async () => {
    // The test's oracle listens on 127.0.0.1: the operator lets blocklets reach private addresses.
    node = await startTestNode({ blockIntervalMs: 100, blocklets: { privateTargets: 'all', trustedPublishers: [] } });
    client = nodeClient(node.url);
    const info = await client.chain.info.query();
    faucet = new Wallet(client, info.chainId, { ...fromSecret(node.funded.secretKey) });
    owner = new Wallet(client, info.chainId, randomSigner());
    const funding = await faucet.send(transfer(owner.did, 100n * ABT));
    await client.tx.wait.query({ hash: funding.hash, timeoutMs: 10_000 });
    oracle = createServer((_req, res) => res.end(JSON.stringify({ price: 42 })));
    await new Promise<void>((resolve) => oracle.listen(0, '127.0.0.1', resolve));
    oracleUrl = `http://127.0.0.1:${(oracle.address() as AddressInfo).port}/price`;
  }, 120_000);

  afterAll(async () => {
    oracle?.close();
    await node?.stop();
  });

  it('deploys through the ledger and serves HTTP by name', async () => {
    const deployed = await deploy(client, owner, '1.0.0');
    expect(deployed.version).toMatchObject({ name: 'hello', version: '1.0.0', owner: owner.did });
    expect(deployed.aliases).toEqual([{ alias: 'live', version: '1.0.0', shareBps: 10_000 }]);
    const tx = await client.tx.byHash.query({ hash: deployed.version.txHash });
    expect(tx.tx?.itx).toMatchObject({ type: 'deployBlocklet', name: 'hello', version: '1.0.0', bundleHash: deployed.version.bundleHash });
    const res = await fetch(`${node.url}/b/hello/hi?name=arc`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-hello')).toBe('yes');
    expect(res.headers.get('x-blocklet-version')).toBe('1.0.0');
    expect(await res.text()).toBe('hello arc from 1.0.0');
    expect((await fetch(`${node.url}/b/hello/nope`)).status).toBe(404);
    expect((await fetch(`${node.url}/b/hello/hi`, { method: 'DELETE' })).status).toBe(405);
    expect((await fetch(`${node.url}/b/nobody/hi`)).status).toBe(404);
  });

  it('commits kv writes only when the invocation succeeds', async () => {
    expect(await (await fetch(`${node.url}/b/hello/count`)).json()).toEqual({ count: 1 });
    const failed = await fetch(`${node.url}/b/hello/count?fail=1`);
    expect(failed.status).toBe(500);
    expect(((await failed.json()) as { error: { code: string } }).error.code).toBe('BLOCKLET_ERROR');
    expect(await (await fetch(`${node.url}/b/hello/count`)).json()).toEqual({ count: 2 });
  });

  it('keeps versions immutable, names owned, and switches and rolls back aliases', async () => {
    expect(await appError(deploy(client, owner, '1.0.0'))).toMatchObject({ appCode: 'BLOCKLET_VERSION_EXISTS' });
    const intruder = new Wallet(client, owner.chainId, randomSigner());
    await client.tx.wait.query({ hash: (await faucet.send(transfer(intruder.did, 10n * ABT))).hash, timeoutMs: 10_000 });
    const stolen = await appError(
      (async () => {
        const text = manifest(intruder.did, '9.0.0');
        return deploy(client, intruder, '9.0.0', { manifestText: text });
      })(),
    );
    expect(stolen.appCode).toBe('BLOCKLET_NAME_TAKEN');

    await deploy(client, owner, '1.1.0');
    expect(await (await fetch(`${node.url}/b/hello/hi`)).text()).toBe('hello world from 1.1.0');
    const params = { alias: 'live', version: '1.0.0', shareBps: 10_000 };
    expect(
      await appError(
        client.blocklet.setAlias.mutate({
          name: 'hello',
          alias: 'live',
          version: '1.0.0',
          auth: auth(intruder.signer, 'setAlias', params),
        }),
      ),
    ).toMatchObject({ appCode: 'PERMISSION_DENIED' });
    await client.blocklet.setAlias.mutate({ name: 'hello', alias: 'live', version: '1.0.0', auth: auth(owner.signer, 'setAlias', params) });
    expect(await (await fetch(`${node.url}/b/hello/hi`)).text()).toBe('hello world from 1.0.0');
    const got = await client.blocklet.get.query({ name: 'hello' });
    expect(got.versions.map((v) => v.version)).toEqual(['1.1.0', '1.0.0']);
    expect(got.aliases).toEqual([{ alias: 'live', version: '1.0.0', shareBps: 10_000 }]);
  });

  it('switches blue-green: calls running on the old version finish there, new calls reach the new one', async () => {
    let release: () => void = () => undefined;
    const slow = createServer((_req, res) => {
      release = () => res.end('done');
    });
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    const slowUrl = `http://127.0.0.1:${(slow.address() as AddressInfo).port}/`;
    try {
      const inFlight = fetch(`${node.url}/b/hello/slow?url=${encodeURIComponent(slowUrl)}`).then((r) => r.text());
      await new Promise((resolve) => setTimeout(resolve, 300));
      await deploy(client, owner, '1.3.0');
      expect(await (await fetch(`${node.url}/b/hello/hi`)).text()).toBe('hello world from 1.3.0');
      release();
      expect(await inFlight).toBe('slow from 1.0.0');
    } finally {
      slow.close();
    }
    const params = { alias: 'live', version: '1.0.0', shareBps: 10_000 };
    await client.blocklet.setAlias.mutate({ name: 'hello', alias: 'live', version: '1.0.0', auth: auth(owner.signer, 'setAlias', params) });
  });

  it('lets a route require a signed-in caller and tells the blocklet who called', async () => {
    await deploy(client, owner, '1.4.0');
    const anonymous = await fetch(`${node.url}/b/hello/me`);
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as { error: { code: string } }).error.code).toBe('UNAUTHORIZED');
    expect((await fetch(`${node.url}/b/hello/me`, { headers: { authorization: 'Bearer nonsense' } })).status).toBe(403);
    const token = await gatewayLogin(client, owner.signer);
    const signedIn = await fetch(`${node.url}/b/hello/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(await signedIn.json()).toEqual({ caller: owner.did, sawAuthorization: false });
    // The rate per caller is tested where the operator sets it (runtime-security.test.ts), not by racing this
    // machine's speed against the default refill.
    const params = { alias: 'live', version: '1.0.0', shareBps: 10_000 };
    await client.blocklet.setAlias.mutate({ name: 'hello', alias: 'live', version: '1.0.0', auth: auth(owner.signer, 'setAlias', params) });
  });

  it('sends a canary its share of traffic', async () => {
    await deploy(client, owner, '1.2.0', { alias: 'canary' });
    const params = { alias: 'canary', version: '1.2.0', shareBps: 5000 };
    await client.blocklet.setAlias.mutate({ name: 'hello', ...params, auth: auth(owner.signer, 'setAlias', params) } as never);
    const versions = await Promise.all(
      Array.from({ length: 40 }, async () => (await fetch(`${node.url}/b/hello/hi`)).headers.get('x-blocklet-version')),
    );
    expect(new Set(versions)).toEqual(new Set(['1.0.0', '1.2.0']));
    expect((await fetch(`${node.url}/b/hello/hi?version=1.1.0`)).headers.get('x-blocklet-version')).toBe('1.1.0');
  });

  it('keeps secrets encrypted at rest and write-only, and hands them to the blocklet', async () => {
    const set = { key: 'API_KEY', value: 'sk-very-secret', secure: true };
    await client.blocklet.setEnv.mutate({ name: 'hello', ...set, auth: auth(owner.signer, 'setEnv', set) });
    const listed = await client.blocklet.listEnv.query({ name: 'hello', auth: auth(owner.signer, 'listEnv', {}) });
    expect(listed).toEqual([{ key: 'API_KEY', secure: true, value: null, updatedAtMs: expect.any(Number) }]);
    const rows = await node.db.query<{ value: string }>('SELECT value FROM blocklet_env');
    expect(JSON.stringify(rows)).not.toContain('sk-very-secret');
    expect(await (await fetch(`${node.url}/b/hello/env?version=1.0.0`)).json()).toEqual({ greeting: 'hello', secret: 'sk-very-secret' });
  });

  it('lets a blocklet reach only the hosts and chains its manifest names', async () => {
    const allowed = await fetch(`${node.url}/b/hello/fetch?version=1.0.0&url=${encodeURIComponent(oracleUrl)}`);
    expect(((await allowed.json()) as { body: string }).body).toBe('{"price":42}');
    const denied = await fetch(`${node.url}/b/hello/fetch?version=1.0.0&url=${encodeURIComponent('http://localhost:1/x')}`);
    expect(await denied.json()).toMatchObject({ code: 'PERMISSION_DENIED' });
    expect(
      ((await (await fetch(`${node.url}/b/hello/chain?version=1.0.0&chain=arc`)).json()) as { height: number }).height,
    ).toBeGreaterThan(0);
    expect(await (await fetch(`${node.url}/b/hello/chain?version=1.0.0&chain=mock`)).json()).toEqual({ code: 'PERMISSION_DENIED' });
  });

  it('submits to the ledger under its own DID', async () => {
    const did = (await client.blocklet.invoke.mutate({ name: 'hello', input: { op: 'did' }, target: '1.0.0' })).output as string;
    expect(did).toBe((await client.blocklet.get.query({ name: 'hello' })).did);
    await client.tx.wait.query({ hash: (await faucet.send(transfer(did, ABT))).hash, timeoutMs: 10_000 });
    const receiver = randomSigner().did;
    const submitted = await client.blocklet.invoke.mutate({ name: 'hello', input: { op: 'submit', to: receiver }, target: '1.0.0' });
    const { hash } = submitted.output as { hash: string };
    const status = await client.tx.wait.query({ hash, timeoutMs: 10_000 });
    expect(status).toMatchObject({ status: 'committed', tx: { from: did } });
    expect((await client.account.get.query({ did: receiver })).balance).toBe('1000');
  });

  it('stores logs, metrics and usage for every invocation', async () => {
    const logs = await client.blocklet.logs.query({ name: 'hello', limit: 50, auth: auth(owner.signer, 'logs', { limit: 50 }) });
    expect(logs.items.map((l) => l.message)).toEqual(
      expect.arrayContaining(['counted 1', 'counted 2', expect.stringContaining('BLOCKLET_ERROR')]),
    );
    const metrics = await client.blocklet.metrics.query({ name: 'hello' });
    const v1 = metrics.find((m) => m.version === '1.0.0');
    expect(v1?.invocations).toBeGreaterThan(3);
    expect(v1?.errors).toBeGreaterThanOrEqual(1);
    expect(v1?.p50Ms).toBeGreaterThan(0);
    const usage = await client.blocklet.usage.query({ name: 'hello' });
    expect(usage.reduce((n, u) => n + u.invocations, 0)).toBe(metrics.reduce((n, m) => n + m.invocations, 0));
  });

  it('refuses a bad manifest with line numbers and a bundle that imports what it was not given', async () => {
    const badManifest = await appError(
      client.blocklet.upload.mutate(
        signedUpload(
          owner.signer,
          { manifest: { file: 'blocklet.yml', text: manifest(owner.did, 'one') }, files: { 'index.ts': HELLO } },
          'hello',
        ),
      ),
    );
    expect(badManifest).toMatchObject({ appCode: 'MANIFEST_INVALID' });
    expect(badManifest.message).toMatch(/blocklet\.yml:2:10 version/);
    const badImport = await appError(
      client.blocklet.upload.mutate(
        signedUpload(owner.signer, {
          manifest: { file: 'blocklet.yml', text: manifest(owner.did, '2.0.0') },
          files: {
            'index.ts': "import fs from 'node:fs'; export default { fetch() { return { body: fs.readFileSync('/etc/passwd', 'utf8') } } }",
          },
        }),
      ),
    );
    expect(badImport).toMatchObject({ appCode: 'BUNDLE_INVALID' });
    expect(badImport.message).toMatch(/node:fs/);
  });
});

function fromSecret(secretHex: string): Signer {
  const key = keyPairFromSeed(fromHex(secretHex));
  return { ...key, did: didFromPublicKey(key.publicKey) };
}
