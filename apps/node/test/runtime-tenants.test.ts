import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { decodeMockTx, type MockNative } from '@arc/adapters';
import { didFromPublicKey, fromHex, keyPairFromSeed } from '@arc/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { txStatus } from '../src/ledger/status.ts';
import { EFFECTS_REJECTED, GroupCommitter, type InvocationRecord } from '../src/runtime/metering.ts';
import type { InvokeOutcome } from '../src/runtime/service.ts';
import { BlockletTopicPermissions } from '../src/runtime/topic-permissions.ts';
import { startTestNode, type TestNode, testDrivers } from '../src/testing.ts';
import { deploySource, signedUpload } from './helpers/blocklets.ts';
import { type NodeClient, nodeClient } from './helpers/client.ts';
import { ABT, randomSigner, transfer, Wallet } from './helpers/wallet.ts';

/**
 * Tenants of the blocklet runtime cannot hurt each other: one blocklet's bad value never costs another its
 * writes, nothing of a failed invocation reaches a chain, and a blocklet has no power its owner could not get
 * as a client of the gateway (topics) or that the operator did not grant (private network targets).
 */

const TENANT_A = `export default { async call(input, ctx) { await ctx.kv.set('k' + input.i, { i: input.i }); return input.i; } };`;

// Each mode puts text PostgreSQL cannot store somewhere it would reach the database.
const TENANT_B = `
const codeOf = async (write) => { try { await write(); return 'stored'; } catch (e) { return e.code; } };
export default {
  async call(input, ctx) {
    switch (input.mode) {
      case 'key': return codeOf(() => ctx.kv.set('bad\\u0000key', 1));
      case 'value': return codeOf(() => ctx.kv.set('v', { deep: [{ s: 'a\\u0000b' }] }));
      case 'object-key': return codeOf(() => ctx.kv.set('v', { ['a\\u0000']: 1 }));
      case 'surrogate': return codeOf(() => ctx.kv.set('v', 'x\\ud800y'));
      case 'deep': { let v = 1; for (let i = 0; i < 500; i++) v = [v]; return codeOf(() => ctx.kv.set('v', v)); }
      case 'read': return codeOf(() => ctx.kv.get('bad\\u0000key'));
      case 'log': ctx.log.info('a line with \\u0000 inside'); await ctx.kv.set('logged', true); return 'logged';
      case 'throw': throw new Error('boom \\u0000 \\ud800');
    }
  },
};`;
const B_MODES = ['key', 'value', 'object-key', 'surrogate', 'deep', 'read', 'log', 'throw'] as const;

const SENDER = `export default { async call(input, ctx) { const sent = await ctx.ocap.send(input.chain, input.rawTx); if (input.fail) throw new Error('failed after sending'); return sent; } };`;

const PUBLISHER = `export default { async call(input, ctx) { try { await ctx.publish(input.topic, input.message ?? 'hi'); return 'published'; } catch (e) { return e.code; } } };`;

const FETCHER = `export default { async call(input, ctx) { try { const r = await ctx.fetch(input.url); return { status: r.status, bytes: r.body.length }; } catch (e) { return { code: e.code, message: e.message }; } } };`;

function manifestOf(name: string, author: string, extra = '', timeoutMs = 20_000) {
  return `name: ${name}
version: 1.0.0
title: ${name}
author: ${author}
limits: { cpuMs: 1000, memoryMb: 64, timeoutMs: ${timeoutMs} }
${extra}`;
}

describe.each(testDrivers())('blocklet tenants on %s', (driver) => {
  let node: TestNode;
  let client: NodeClient;
  let faucet: Wallet;
  let ownerA: Wallet;
  let ownerB: Wallet;
  const servers: Server[] = [];

  async function deploy(owner: Wallet, name: string, code: string, extra = '', timeoutMs = 20_000) {
    await deploySource(client, owner, manifestOf(name, owner.did, extra, timeoutMs), { 'index.js': code });
  }

  const invoke = (name: string, input: unknown): Promise<InvokeOutcome> =>
    node.services.runtime.invoke(name, { handler: 'call', input, trigger: 'call' });

  async function listen(host: string, handler: Parameters<typeof createServer>[1]): Promise<string> {
    const server = createServer(handler);
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, host, resolve));
    return `http://${host}:${(server.address() as AddressInfo).port}`;
  }

  beforeAll(async () => {
    node = await startTestNode({
      driver,
      blockIntervalMs: 200,
      ocapChains: [
        { name: 'arc', adapter: 'native' },
        { name: 'mock', adapter: 'mock', blockTimeMs: 0, balances: {} },
      ],
      // The operator lets blocklets reach 127.0.0.2 only; every other private address stays refused.
      blocklets: { privateTargets: { cidrs: ['127.0.0.2/32'] }, trustedPublishers: [] },
    });
    client = nodeClient(node.url);
    const key = keyPairFromSeed(fromHex(node.funded.secretKey));
    faucet = new Wallet(client, node.chainId, { ...key, did: didFromPublicKey(key.publicKey) });
    ownerA = new Wallet(client, node.chainId, randomSigner());
    ownerB = new Wallet(client, node.chainId, randomSigner());
    await faucet.send(transfer(ownerA.did, 10n * ABT));
    const last = await faucet.send(transfer(ownerB.did, 10n * ABT));
    await client.tx.wait.query({ hash: last.hash, timeoutMs: 20_000 });
  }, 120_000);

  afterAll(async () => {
    for (const server of servers) server.closeAllConnections();
    for (const server of servers) server.close();
    await node?.stop();
  });

  it("fails only the call with unstorable text: another owner's writes in the same commit survive and both are billed", async () => {
    await deploy(ownerA, 'tenant-a', TENANT_A);
    await deploy(ownerB, 'tenant-b', TENANT_B);
    // Hold the commit of the first record until every other call has finished in the sandbox, so they all
    // wait in the committer's queue and go to the database as one batch.
    const { runtime } = node.services;
    const sandbox = runtime.deps.sandbox;
    const db = runtime.deps.db;
    const sandboxInvoke = sandbox.invoke.bind(sandbox);
    const transaction = db.transaction.bind(db);
    let finished = 0;
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    sandbox.invoke = async (request) => {
      const result = await sandboxInvoke(request);
      finished += 1;
      return result;
    };
    db.transaction = (async (fn: never) => {
      await gate;
      return transaction(fn);
    }) as typeof db.transaction;
    const aCalls = 20;
    let outcomes: PromiseSettledResult<InvokeOutcome>[];
    try {
      const opener = invoke('tenant-a', { i: 0 });
      while (finished < 1) await new Promise((resolve) => setImmediate(resolve));
      const rest = [
        ...Array.from({ length: aCalls }, (_, n) => invoke('tenant-a', { i: n + 1 })),
        ...B_MODES.map((mode) => invoke('tenant-b', { mode })),
      ];
      while (finished < 1 + rest.length) await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
      open();
      outcomes = await Promise.allSettled([opener, ...rest]);
    } finally {
      sandbox.invoke = sandboxInvoke;
      db.transaction = transaction;
      open();
    }
    const values = outcomes.map((o) => (o.status === 'fulfilled' ? o.value : { rejected: String(o.reason) }));
    const a = values.slice(0, aCalls + 1);
    const b = Object.fromEntries(B_MODES.map((mode, n) => [mode, values[aCalls + 1 + n]]));
    expect(a.every((o) => 'ok' in o && o.ok)).toBe(true);
    for (const mode of ['key', 'value', 'object-key', 'surrogate', 'deep', 'read'])
      expect(b[mode], mode).toMatchObject({ ok: true, output: 'BAD_INPUT' });
    expect(b.log).toMatchObject({ ok: true, output: 'logged' });
    expect(b.throw).toMatchObject({ ok: false, error: { code: 'BLOCKLET_ERROR' } });

    const aKeys = await db.query<{ key: string }>("SELECT key FROM blocklet_kv WHERE name = 'tenant-a' ORDER BY key");
    expect(aKeys.map((r) => r.key).sort()).toEqual(Array.from({ length: aCalls + 1 }, (_, i) => `k${i}`).sort());
    const bKeys = await db.query<{ key: string }>("SELECT key FROM blocklet_kv WHERE name = 'tenant-b'");
    expect(bKeys.map((r) => r.key)).toEqual(['logged']);
    const usage = await db.query<{ name: string; invocations: number; errors: number }>(
      "SELECT name, sum(invocations)::int AS invocations, sum(errors)::int AS errors FROM blocklet_usage WHERE name LIKE 'tenant-%' GROUP BY name ORDER BY name",
    );
    expect(usage).toEqual([
      { name: 'tenant-a', invocations: aCalls + 1, errors: 0 },
      { name: 'tenant-b', invocations: B_MODES.length, errors: 1 },
    ]);
    const logs = await db.query<{ message: string }>("SELECT message FROM blocklet_logs WHERE name = 'tenant-b'");
    expect(logs.map((l) => l.message)).toEqual(
      expect.arrayContaining(['a line with \uFFFD inside', expect.stringMatching(/^BLOCKLET_ERROR: .*boom \uFFFD \uFFFD/)]),
    );
  });

  it('stores a record the database refuses without its effects, still billed, and writes the rest of its batch whole', async () => {
    const committer = new GroupCommitter(node.services.runtime.deps.db);
    const record = (name: string, n: number, value: unknown): InvocationRecord => ({
      invocationId: `rec-${name}-${n}-${randomBytes(4).toString('hex')}`,
      name,
      version: '1.0.0',
      trigger: 'call',
      ok: true,
      errorCode: null,
      cpuMs: 1,
      wallMs: 2,
      memoryBytes: 1024,
      atMs: Date.now(),
      periodStartMs: 0,
      kv: new Map([[`key${n}`, value]]),
      logs: [{ level: 'info', message: name === 'direct-bad' ? 'NUL \u0000 here' : 'fine', atMs: Date.now() }],
    });
    // The first write goes alone; the next three queue behind it and are written as one batch.
    const written = await Promise.all([
      committer.write(record('direct-good', 1, 1)),
      committer.write(record('direct-good', 2, 2)),
      committer.write(record('direct-bad', 2, { s: 'a\u0000b' })),
      committer.write(record('direct-good', 3, 3)),
    ]);
    expect(written.map((w) => w.stored)).toEqual(['whole', 'whole', 'without-effects', 'whole']);
    const db = node.services.runtime.deps.db;
    const kv = await db.query<{ name: string; key: string }>(
      "SELECT name, key FROM blocklet_kv WHERE name LIKE 'direct-%' ORDER BY name, key",
    );
    expect(kv).toEqual([
      { name: 'direct-good', key: 'key1' },
      { name: 'direct-good', key: 'key2' },
      { name: 'direct-good', key: 'key3' },
    ]);
    const bad = await db.query<{ ok: boolean; error_code: string }>(
      "SELECT ok, error_code FROM blocklet_invocations WHERE name = 'direct-bad'",
    );
    expect(bad).toEqual([{ ok: false, error_code: EFFECTS_REJECTED }]);
    const usage = await db.query<{ invocations: number; errors: number }>(
      "SELECT invocations, errors FROM blocklet_usage WHERE name = 'direct-bad'",
    );
    expect(usage).toEqual([{ invocations: 1, errors: 1 }]);
    const logs = await db.query<{ message: string }>("SELECT message FROM blocklet_logs WHERE name = 'direct-bad' ORDER BY at_ms, message");
    expect(logs.map((l) => l.message)).toEqual(
      expect.arrayContaining(['NUL \uFFFD here', expect.stringContaining(`${EFFECTS_REJECTED}: the database refused`)]),
    );
  });

  it('broadcasts nothing of a failed invocation on the arc and mock chains, and everything of a successful one', async () => {
    await deploy(ownerA, 'sender', SENDER, 'permissions: { chains: [{ chain: arc, send: true }, { chain: mock, send: true }] }');

    const arcTx = await faucet.sign(transfer(randomSigner().did, 1n));
    const failedArc = await invoke('sender', { chain: 'arc', rawTx: arcTx.hex, fail: true });
    expect(failedArc).toMatchObject({ ok: false, error: { code: 'BLOCKLET_ERROR' } });
    const { ledger, queries } = node.services;
    expect((await txStatus(ledger, queries, arcTx.hash)).status).toBe('unknown');
    const sentArc = await invoke('sender', { chain: 'arc', rawTx: arcTx.hex });
    expect(sentArc).toMatchObject({ ok: true, output: { hash: arcTx.hash, status: 'held' } });
    expect(['pending', 'committed']).toContain((await txStatus(ledger, queries, arcTx.hash)).status);

    const mock = node.services.ocap.adapter('mock');
    const native = mock.native as MockNative;
    const signer = mock.signer(randomBytes(32));
    native.fund(signer.address, 10n ** 18n);
    const rawTx = native.buildTransaction(signer, { to: mock.signer(randomBytes(32)).address, amount: 5n });
    const { hash } = decodeMockTx(rawTx);
    const failedMock = await invoke('sender', { chain: 'mock', rawTx, fail: true });
    expect(failedMock.ok).toBe(false);
    await expect(mock.getTransaction(hash)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await invoke('sender', { chain: 'mock', rawTx })).toMatchObject({ ok: true, output: { hash, status: 'held' } });
    expect((await mock.getTransaction(hash)).hash).toBe(hash);
  });

  it("publishes only where the gateway would let the blocklet's own DID publish, and refuses ungrantable manifests at their line", async () => {
    const did = node.services.runtime.keys.blockletKey('publisher').did;
    const otherApp = randomSigner().did;
    await deploy(
      ownerA,
      'publisher',
      PUBLISHER,
      `permissions: { topics: { publish: ["chat:*", "app:${did}:*", "app:${otherApp}:*", "inbox:*"] } }`,
    );
    const heard: string[] = [];
    const unsubscribe = node.services.topics.subscribe('*', (m) => {
      if (m.origin === 'publisher') heard.push(m.topic);
    });
    try {
      expect((await invoke('publisher', { topic: 'chat:lobby' })).output).toBe('published');
      expect((await invoke('publisher', { topic: `app:${did}:news` })).output).toBe('published');
      expect((await invoke('publisher', { topic: `app:${otherApp}:news` })).output).toBe('PERMISSION_DENIED');
      expect((await invoke('publisher', { topic: `inbox:${ownerB.did}` })).output).toBe('PERMISSION_DENIED');
      expect((await invoke('publisher', { topic: 'chat:lobby', message: { text: 'nul \u0000' } })).output).toBe('BAD_INPUT');
      await new Promise((resolve) => setImmediate(resolve));
      expect(heard).toEqual(['chat:lobby', `app:${did}:news`]);
    } finally {
      unsubscribe();
    }
    // What a topic trigger may hear, under the gateway's subscribe rules for the blocklet's DID.
    const rules = BlockletTopicPermissions.fromDatabase(
      node.services.runtime.deps.db,
      Date.now,
      (n) => node.services.runtime.registry.owner(n),
      [],
    );
    expect(await rules.mayHear('publisher', did, `inbox:${did}`)).toBe(true);
    expect(await rules.mayHear('publisher', did, `inbox:${ownerB.did}`)).toBe(false);
    expect(await rules.mayHear('publisher', did, 'blocklet:tenant-b:logs')).toBe(false);
    expect(await rules.mayHear('publisher', did, 'chat:lobby')).toBe(true);

    const grabber = manifestOf(
      'grabber',
      ownerA.did,
      'permissions:\n  topics:\n    publish:\n      - "*"\n    subscribe:\n      - "blocklet:tenant-b:logs"',
    );
    const refused = await client.blocklet.upload
      .mutate(
        signedUpload(ownerA.signer, { manifest: { file: 'blocklet.yml', text: grabber }, files: { 'index.js': PUBLISHER } }, 'grabber'),
      )
      .then(
        () => null,
        (error: unknown) => error as { message: string; data?: { appCode?: string } },
      );
    expect(refused?.message).toMatch(/blocklet\.yml:9:9 permissions\.topics\.publish\.0/);
    expect(refused?.message).toMatch(/blocklet\.yml:11:9 permissions\.topics\.subscribe\.0/);
  });

  it('refuses private targets after DNS unless the operator allows them, and bounds a response on the wire and inflated', async () => {
    let bombClosed = false;
    let streamClosed = false;
    const bomb = gzipSync(Buffer.alloc(256 * 1024 * 1024));
    const privateUrl = await listen('127.0.0.1', (_req, res) => res.end('private'));
    const allowedUrl = await listen('127.0.0.2', (req, res) => {
      if (req.url === '/bomb') {
        res.on('close', () => {
          bombClosed = true;
        });
        res.writeHead(200, { 'content-encoding': 'gzip' }).end(bomb);
      } else if (req.url === '/endless') {
        res.on('close', () => {
          streamClosed = true;
        });
        res.writeHead(200);
        const chunk = Buffer.alloc(64 * 1024, 97);
        const pump = () => {
          while (!res.destroyed && res.write(chunk));
          if (!res.destroyed) res.once('drain', pump);
        };
        pump();
      } else res.end('allowed');
    });
    const privatePort = new URL(privateUrl).port;
    await deploy(ownerA, 'fetcher', FETCHER, 'permissions: { hosts: [localhost, 127.0.0.1, 127.0.0.2] }');

    // By address and by a name that resolves to it (IPv4-mapped IPv6 forms: outbound.test.ts).
    for (const url of [privateUrl, `http://localhost:${privatePort}/`]) {
      const refused = (await invoke('fetcher', { url })).output as { code: string; message: string };
      expect(refused, url).toMatchObject({
        code: 'PERMISSION_DENIED',
        message: expect.stringMatching(/non-public|BLOCKLET_FETCH_ALLOW_PRIVATE/),
      });
    }
    expect((await invoke('fetcher', { url: `${allowedUrl}/` })).output).toEqual({ status: 200, bytes: 'allowed'.length });

    const rssBefore = process.memoryUsage().rss;
    expect((await invoke('fetcher', { url: `${allowedUrl}/bomb` })).output).toMatchObject({ code: 'LIMIT_EXCEEDED' });
    expect((await invoke('fetcher', { url: `${allowedUrl}/endless` })).output).toMatchObject({ code: 'LIMIT_EXCEEDED' });
    // 256 MB inflated (and an endless body) were refused without being held: the node grew by far less.
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(100 * 1024 * 1024);
    for (let i = 0; i < 1000 && !(bombClosed && streamClosed); i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
    expect({ bombClosed, streamClosed }).toEqual({ bombClosed: true, streamClosed: true });
  });

  it('aborts an outstanding fetch when the invocation times out', async () => {
    let closed = false;
    const url = await listen('127.0.0.2', (_req, res) => {
      res.on('close', () => {
        closed = true;
      });
      // Headers and a first byte, then nothing: the body never ends.
      res.writeHead(200);
      res.write('partial');
    });
    await deploy(
      ownerA,
      'dangling',
      'export default { async call(input, ctx) { return await ctx.fetch(input.url); } };',
      'permissions: { hosts: [127.0.0.2] }',
      500,
    );
    const outcome = await node.services.runtime.invoke('dangling', { handler: 'call', input: { url: `${url}/hang` }, trigger: 'call' });
    expect(outcome).toMatchObject({ ok: false, error: { code: 'BLOCKLET_TIMEOUT' } });
    // The request ends with the invocation, not at the fetch's own 5 s deadline (which the old code waited for).
    for (let i = 0; i < 200 && !closed; i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(closed).toBe(true);
  });
});
