import { didFromPublicKey, fromHex, keyPairFromSeed, signAdmin } from '@arc/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestNode, type TestNode } from '../src/testing.ts';
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
    if (q.do === 'loop') { for (;;) {} }
    if (q.do === 'alloc') { const a = []; for (;;) a.push(new Array(1e6).fill(1)); }
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

function manifest(name: string, owner: string, extra = '') {
  return `name: ${name}
version: 1.0.0
title: ${name}
author: ${owner}
interfaces: { http: [{ path: /, methods: [GET] }] }
limits: { cpuMs: 50, memoryMb: 32, timeoutMs: 2000 }
${extra}`;
}

describe('hostile blocklets', () => {
  let node: TestNode;
  let client: NodeClient;
  let owner: Wallet;
  let faucet: Wallet;

  async function deploy(name: string, code: string, extra = '') {
    const uploaded = await client.blocklet.upload.mutate({
      manifest: { file: 'blocklet.yml', text: manifest(name, owner.did, extra) },
      files: { 'index.js': code },
    });
    const tx = await owner.sign({
      type: 'deployBlocklet',
      name,
      version: '1.0.0',
      manifestHash: fromHex(uploaded.manifestHash),
      bundleHash: fromHex(uploaded.bundleHash),
    });
    await client.blocklet.deploy.mutate({ tx: tx.hex });
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
    const set = { key: 'TOKEN', value: 'victim-token', secure: true };
    await client.blocklet.setEnv.mutate({ name: 'victim', ...set, auth: signAdmin(owner.signer, 'setEnv', 'victim', set, Date.now()) });
    expect(await (await fetch(`${node.url}/b/victim/`)).text()).toBe('victim-token');
  }, 120_000);

  afterAll(async () => {
    await node?.stop();
  });

  const victimStillServed = async () => expect(await (await fetch(`${node.url}/b/victim/`)).text()).toBe('victim-token');

  it('stops endless loops and allocations with typed errors, and keeps serving others', async () => {
    expect(await get('evil', 'do=loop')).toMatchObject({
      status: expect.any(Number),
      body: { error: { code: expect.stringMatching(/BLOCKLET_CPU_LIMIT|BLOCKLET_TIMEOUT/) } },
    });
    expect(await get('evil', 'do=alloc')).toMatchObject({ body: { error: { code: 'BLOCKLET_MEMORY_LIMIT' } } });
    await victimStillServed();
    expect(await get('evil', '')).toEqual({ status: 200, body: 'ok' });
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
