import { didFromPublicKey, fromHex, keyPairFromSeed, signAdmin } from '@arc/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestNode, type TestNode } from '../src/testing.ts';
import { deploySource } from './helpers/blocklets.ts';
import { type NodeClient, nodeClient } from './helpers/client.ts';
import { ABT, randomSigner, transfer, Wallet } from './helpers/wallet.ts';

/**
 * Hostile blocklets against the whole node (the sandbox's own tests cover the isolate): each attempt ends in a
 * typed error, nothing of the failed invocation is committed, other blocklets keep being served.
 */

const EVIL = `
export default {
  async fetch(request, ctx) {
    const q = request.query;
    if (q.do === 'process') return { body: typeof process === 'undefined' ? 'no process' : String(process.env.HOME) };
    if (q.do === 'kv') { await ctx.kv.set('mine', 'evil'); return { body: { mine: await ctx.kv.get('mine'), other: await ctx.kv.get('secret') } }; }
    if (q.do === 'env') return { body: ctx.env };
    if (q.do === 'submit-then-fail') { await ctx.ledger.submit({ type: 'transfer', to: q.to, amount: '5' }); await ctx.kv.set('after', 1); throw new Error('fail after submitting'); }
    if (q.do === 'submit') return { body: await ctx.ledger.submit({ type: 'transfer', to: q.to, amount: '7' }) };
    if (q.do === 'publish') { try { await ctx.publish('app:other:secret', 1); } catch (e) { return { status: 403, body: e.code }; } }
    if (q.do === 'log') { for (let i = 0; i < 100000; i++) ctx.log.info('spam ' + i); return { body: 'logged' }; }
    return { body: 'ok' };
  },
};
`;

const VICTIM = `export default { async fetch(request, ctx) { await ctx.kv.set('secret', 'victim data'); return { body: ctx.env.TOKEN ?? 'none' }; } };`;

/** Limits and routes of a test manifest (YAML flow text). */
interface Shape {
  limits?: string;
  http?: string;
}

function manifest(name: string, owner: string, extra = '', shape: Shape = {}) {
  return `name: ${name}
version: 1.0.0
title: ${name}
author: ${owner}
interfaces: { http: ${shape.http ?? '[{ path: /, methods: [GET] }]'} }
limits: ${shape.limits ?? '{ cpuMs: 50, memoryMb: 32, timeoutMs: 2000 }'}
${extra}`;
}

/** Runs until its CPU budget is gone: no allocation, so only the CPU limit can stop it. */
const SPIN = 'export default { async fetch() { for (;;) {} } };';
/** Grows its heap by 8 MB per step, a few ms of CPU each: reaches a small memory limit long before a big CPU budget. */
const HOG = 'export default { async fetch() { const hoard = []; for (;;) hoard.push(new Array(1 << 20).fill(1.5)); } };';
/** Waits for ever and uses no CPU: only the wall-clock timeout can stop it. */
const STALL = 'export default { async fetch() { await new Promise(() => {}); } };';
/** Keeps the first secret it sees in module state. */
const CACHER = `let cached = null;
export default { async fetch(request, ctx) { cached ??= ctx.env.SECRET ?? null; return { body: { cached } }; } };`;
/** Answers an HTML page with a script, cookies and framing headers of its own. */
const PAGE = `export default {
  async fetch() {
    return {
      headers: {
        'content-type': 'text/html; charset=utf-8', 'set-cookie': 'session=blocklet; Path=/', 'Set-Cookie2': 'old=1',
        'content-length': '1', 'clear-site-data': '"*"', 'x-kept': 'yes',
      },
      body: '<html><body><script>document.title = document.cookie</script></body></html>',
    };
  },
};`;
const PAGE_ROUTES = '[{ path: /, methods: [GET] }, { path: /active, methods: [GET], activeContent: true }]';

/** What the node answered: status, JSON body (or text) and headers. */
async function fetchBlocklet(url: string) {
  const res = await fetch(url);
  const text = await res.text();
  const body = (res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text) as unknown;
  return { status: res.status, body, headers: res.headers };
}

describe('hostile blocklets', () => {
  let node: TestNode;
  let client: NodeClient;
  let owner: Wallet;
  let faucet: Wallet;

  async function deploy(name: string, code: string, extra = '', shape: Shape = {}, by: Wallet = owner) {
    return (await deploySource(client, by, manifest(name, by.did, extra, shape), { 'index.js': code })).uploaded;
  }

  const get = async (name: string, query: string) => {
    const res = await fetch(`${node.url}/b/${name}/?${query}`);
    const text = await res.text();
    return { status: res.status, body: (res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text) as unknown };
  };

  beforeAll(async () => {
    node = await startTestNode({ blockIntervalMs: 100 });
    client = nodeClient(node.url);
    const chainId = (await client.chain.info.query()).chainId;
    const key = keyPairFromSeed(fromHex(node.funded.secretKey));
    faucet = new Wallet(client, chainId, { ...key, did: didFromPublicKey(key.publicKey) });
    owner = new Wallet(client, chainId, randomSigner());
    await client.tx.wait.query({ hash: (await faucet.send(transfer(owner.did, 10n * ABT))).hash, timeoutMs: 10_000 });
    await deploy('victim', VICTIM, 'environment: [{ name: TOKEN, secure: true }]');
    await deploy('evil', EVIL, 'permissions: { ledger: { submit: true } }');
    // Each limit alone: the other two budgets are out of reach, so the outcome does not depend on the machine's speed.
    await deploy('spin', SPIN, '', { limits: '{ cpuMs: 50, memoryMb: 256, timeoutMs: 300000 }' });
    await deploy('hog', HOG, '', { limits: '{ cpuMs: 30000, memoryMb: 16, timeoutMs: 300000 }' });
    await deploy('stall', STALL, '', { limits: '{ cpuMs: 50, memoryMb: 32, timeoutMs: 300 }' });
    await deploy('page', PAGE, '', { http: PAGE_ROUTES });
    const set = { key: 'TOKEN', value: 'victim-token', secure: true };
    await client.blocklet.setEnv.mutate({ name: 'victim', ...set, auth: signAdmin(owner.signer, 'setEnv', 'victim', set, Date.now()) });
    expect(await (await fetch(`${node.url}/b/victim/`)).text()).toBe('victim-token');
  }, 120_000);

  afterAll(async () => {
    await node?.stop();
  });

  const victimStillServed = async () => expect(await (await fetch(`${node.url}/b/victim/`)).text()).toBe('victim-token');

  it('stops an endless loop at its CPU limit with 508, and keeps serving others', async () => {
    expect(await get('spin', '')).toMatchObject({ status: 508, body: { error: { code: 'BLOCKLET_CPU_LIMIT' } } });
    await victimStillServed();
  });

  it('stops an allocation bomb at its memory limit with 507 (its CPU budget is out of reach)', async () => {
    expect(await get('hog', '')).toMatchObject({ status: 507, body: { error: { code: 'BLOCKLET_MEMORY_LIMIT' } } });
    await victimStillServed();
  });

  it('stops a call that never finishes at its timeout with 504', async () => {
    expect(await get('stall', '')).toMatchObject({ status: 504, body: { error: { code: 'BLOCKLET_TIMEOUT' } } });
    expect(await get('evil', '')).toEqual({ status: 200, body: 'ok' });
  });

  it('never shares module state between two owners deploying byte-identical code', async () => {
    const stranger = new Wallet(client, owner.chainId, randomSigner());
    await client.tx.wait.query({ hash: (await faucet.send(transfer(stranger.did, 10n * ABT))).hash, timeoutMs: 10_000 });
    const env = 'environment: [{ name: SECRET, secure: true }]';
    const mine = await deploy('cache-mine', CACHER, env);
    const theirs = await deploy('cache-theirs', CACHER, env, {}, stranger);
    expect(theirs.bundleHash).toBe(mine.bundleHash);
    const set = { key: 'SECRET', value: 'owner secret', secure: true };
    await client.blocklet.setEnv.mutate({
      name: 'cache-mine',
      ...set,
      auth: signAdmin(owner.signer, 'setEnv', 'cache-mine', set, Date.now()),
    });
    expect(await get('cache-mine', '')).toMatchObject({ status: 200, body: { cached: 'owner secret' } });
    expect(await get('cache-theirs', '')).toMatchObject({ status: 200, body: { cached: null } });
  });

  it('sets no cookie and runs no script on the node’s origin, even when the manifest asks (the operator did not allow it)', async () => {
    for (const path of ['', 'active']) {
      const { status, headers, body } = await fetchBlocklet(`${node.url}/b/page/${path}`);
      expect(status).toBe(200);
      expect(body).toContain('<script>');
      expect(headers.get('set-cookie')).toBeNull();
      expect(headers.get('set-cookie2')).toBeNull();
      expect(headers.get('clear-site-data')).toBeNull();
      expect(headers.get('content-security-policy')).toBe("sandbox; default-src 'none'");
      expect(headers.get('x-content-type-options')).toBe('nosniff');
      expect(headers.get('x-kept')).toBe('yes');
    }
    const failed = await fetchBlocklet(`${node.url}/b/spin/`);
    expect(failed.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('sees no process, no other blocklet’s kv and no other blocklet’s secrets', async () => {
    expect((await get('evil', 'do=process')).body).toBe('no process');
    expect((await get('evil', 'do=kv')).body).toEqual({ mine: 'evil', other: null });
    expect((await get('evil', 'do=env')).body).toEqual({});
    const victimKv = await node.db.query<{ value: string }>("SELECT value FROM blocklet_kv WHERE name = 'victim' AND key = 'secret'");
    expect(victimKv[0]?.value).toBe('victim data');
  });

  it('refuses topics it may not publish to and bounds endless logging', async () => {
    expect(await get('evil', 'do=publish')).toEqual({ status: 403, body: 'PERMISSION_DENIED' });
    const logged = await get('evil', 'do=log');
    expect(logged.status === 200 || logged.status >= 500).toBe(true);
    const [count] = await node.db.query<{ n: number }>("SELECT count(*)::int AS n FROM blocklet_logs WHERE name = 'evil'");
    expect(count?.n).toBeLessThan(1500);
    await victimStillServed();
  });

  it('commits nothing of a failed invocation: no kv write, no ledger transaction, and the nonce is reused', async () => {
    const { did } = await client.blocklet.get.query({ name: 'evil' });
    await client.tx.wait.query({ hash: (await faucet.send(transfer(did, ABT))).hash, timeoutMs: 10_000 });
    const receiver = randomSigner().did;
    expect((await get('evil', `do=submit-then-fail&to=${receiver}`)).body).toMatchObject({ error: { code: 'BLOCKLET_ERROR' } });
    const after = await node.db.query("SELECT 1 FROM blocklet_kv WHERE name = 'evil' AND key = 'after'");
    expect(after).toEqual([]);
    const sent = (await get('evil', `do=submit&to=${receiver}`)).body as { hash: string };
    const status = await client.tx.wait.query({ hash: sent.hash, timeoutMs: 10_000 });
    expect(status).toMatchObject({ status: 'committed', tx: { from: did, nonce: 1 } });
    expect((await client.account.get.query({ did: receiver })).balance).toBe('7');
  });
});

describe('a node whose operator allows active content', () => {
  let node: TestNode;

  beforeAll(async () => {
    // A tiny burst that does not refill within the test: the rate limit is the operator's, per server.
    node = await startTestNode({ blockIntervalMs: 100, blockletHttp: { activeContent: 'allow', ratePerSec: 0.01, rateBurst: 3 } });
    const client = nodeClient(node.url);
    const chainId = (await client.chain.info.query()).chainId;
    const key = keyPairFromSeed(fromHex(node.funded.secretKey));
    const faucet = new Wallet(client, chainId, { ...key, did: didFromPublicKey(key.publicKey) });
    const owner = new Wallet(client, chainId, randomSigner());
    await client.tx.wait.query({ hash: (await faucet.send(transfer(owner.did, 10n * ABT))).hash, timeoutMs: 10_000 });
    await deploySource(client, owner, manifest('page', owner.did, '', { http: PAGE_ROUTES }), { 'index.js': PAGE });
  }, 120_000);

  afterAll(async () => {
    await node?.stop();
  });

  it('lets only the routes whose manifest asks serve scripts, and never cookies', async () => {
    const active = await fetchBlocklet(`${node.url}/b/page/active`);
    expect(active.status).toBe(200);
    expect(active.headers.get('content-security-policy')).toBeNull();
    expect(active.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const sandboxed = await fetchBlocklet(`${node.url}/b/page/`);
    expect(sandboxed.headers.get('content-security-policy')).toBe("sandbox; default-src 'none'");
    for (const { headers } of [active, sandboxed]) {
      expect(headers.get('set-cookie')).toBeNull();
      expect(headers.get('x-content-type-options')).toBe('nosniff');
    }
  });

  it('limits each caller to the rate its operator configured', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await fetchBlocklet(`${node.url}/b/page/`)).status);
    expect(statuses.at(-1)).toBe(429);
    expect(statuses.filter((status) => status === 200).length).toBeLessThanOrEqual(3);
  });
});
