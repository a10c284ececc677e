import { randomBytes } from 'node:crypto';
import { createServer, get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fromHex, signAdmin, signUpload } from '@arc/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devKey } from '../src/config/dev-keys.ts';
import { RUNTIME_LIMITS } from '../src/runtime/service.ts';
import { startTestNode, type TestNode, testDrivers } from '../src/testing.ts';
import { signedUpload } from './helpers/blocklets.ts';
import { appError, type NodeClient, nodeClient } from './helpers/client.ts';
import { ABT, randomSigner, type Signer, transfer, Wallet } from './helpers/wallet.ts';

/**
 * The runtime's own state on a real node: uploads are signed by the manifest's author and cannot take the
 * bundler down; ledger sessions end whatever the guest does; a submission refused after the invocation rewinds
 * the blocklet's nonces and is reported; the deploy index retries a failed write; caches stay within bounds.
 * No idle blocks (blockIntervalMs is long): a block is made only when a transaction arrives.
 */

// Most submissions never awaited get a rejection handler; 'race-bare' has none: a rejection nobody handles fails
// only the invocation that left it (never a later call of the same isolate), and an answer that arrives after
// the invocation ended is never delivered to the guest.
const SUBMITTER = `
export default {
  async call(input, ctx) {
    const itx = (memo) => ({ type: 'transfer', to: input.to, amount: '1', memo });
    const unawaited = (memo) => { ctx.ledger.submit(itx(memo)).catch(() => null); };
    switch (input.op) {
      case 'did': return ctx.ledger.did();
      case 'submit': return ctx.ledger.submit(itx('awaited'));
      case 'race': unawaited('a'); unawaited('b'); return 'raced';
      case 'race-return': unawaited('c'); return 'returned';
      case 'race-bare': ctx.ledger.submit(itx('g')); return 'returned';
      case 'race-throw': unawaited('d'); throw new Error('thrown while a submission is in flight');
      case 'hold': {
        // Holds the session open: each fetch waits on the test's server until its own time limit, then again.
        const submitted = await ctx.ledger.submit(itx('held'));
        for (let attempt = 0; attempt < 5; attempt += 1) {
          try { await ctx.fetch(input.url); break; } catch (e) { if (attempt === 4) throw e; }
        }
        return submitted;
      }
      case 'submit-code': try { return await ctx.ledger.submit(itx('waited')); } catch (e) { return { code: e.code }; }
      case 'race-await-one': { unawaited('e'); await ctx.ledger.submit(itx('f')); return 'one awaited'; }
      default: return null;
    }
  },
};
`;

/** The status of a GET on a connection of its own (no keep-alive socket the server may be closing). */
function statusOf(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on('error', reject);
  });
}

function manifestOf(name: string, author: string, version = '1.0.0') {
  return `name: ${name}\nversion: ${version}\ntitle: ${name}\nauthor: ${author}\nentry: index.js\nlimits: { timeoutMs: 30000 }\npermissions:\n  hosts: [127.0.0.1]\n  ledger: { submit: true }\n`;
}

describe.each(testDrivers())('the blocklet runtime service on %s', (driver) => {
  let node: TestNode;
  let client: NodeClient;
  let faucet: Wallet;
  let owner: Wallet;
  const logLines: string[] = [];

  async function deploy(name: string, code = SUBMITTER, version = '1.0.0') {
    const uploaded = await client.blocklet.upload.mutate(
      signedUpload(owner.signer, {
        manifest: { file: 'blocklet.yml', text: manifestOf(name, owner.did, version) },
        files: { 'index.js': code },
      }),
    );
    const tx = await owner.sign({
      type: 'deployBlocklet',
      name,
      version,
      manifestHash: fromHex(uploaded.manifestHash),
      bundleHash: fromHex(uploaded.bundleHash),
    });
    return client.blocklet.deploy.mutate({ tx: tx.hex });
  }

  const call = (name: string, input: unknown) => client.blocklet.invoke.mutate({ name, input: input as never });

  beforeAll(async () => {
    node = await startTestNode({
      driver,
      blockIntervalMs: 600_000,
      log: (line) => logLines.push(line),
      // The lock test holds an invocation open on a loopback server.
      blocklets: { privateTargets: 'all', trustedPublishers: [] },
    });
    client = nodeClient(node.url);
    faucet = new Wallet(client, node.chainId, devKey('faucet'));
    owner = new Wallet(client, node.chainId, randomSigner());
    await faucet.commit(transfer(owner.did, 100n * ABT));
  }, 120_000);

  afterAll(() => node?.stop());

  describe('uploads', () => {
    const upload = (author: string, files: Record<string, string> = { 'index.js': SUBMITTER }) => ({
      manifest: { file: 'blocklet.yml' as const, text: manifestOf('signed', author) },
      files,
    });

    it('refuses an anonymous upload', async () => {
      const refused = await appError(client.blocklet.upload.mutate(upload(owner.did)));
      expect(refused).toMatchObject({ appCode: 'UNAUTHORIZED' });
      expect(refused.message).toMatch(/signUpload/);
    });

    it("refuses an upload signed by someone other than the manifest's author", async () => {
      const stranger = randomSigner();
      const content = upload(owner.did);
      const refused = await appError(
        client.blocklet.upload.mutate({ ...content, auth: signUpload(stranger, 'signed', content, Date.now()) }),
      );
      expect(refused).toMatchObject({ appCode: 'PERMISSION_DENIED' });
      expect(refused.message).toContain(stranger.did);
    });

    it('refuses an upload whose files are not the signed ones', async () => {
      const content = upload(owner.did);
      const auth = signUpload(owner.signer, 'signed', content, Date.now());
      const swapped = { ...content, files: { 'index.js': 'export default { call() { return "not what was signed"; } };' } };
      expect(await appError(client.blocklet.upload.mutate({ ...swapped, auth }))).toMatchObject({ appCode: 'PERMISSION_DENIED' });
    });

    it("refuses an upload of a name another DID owns, even signed by the new manifest's author", async () => {
      await deploy('owned');
      const squatter: Signer = randomSigner();
      const content = {
        manifest: { file: 'blocklet.yml' as const, text: manifestOf('owned', squatter.did, '2.0.0') },
        files: { 'index.js': SUBMITTER },
      };
      const refused = await appError(client.blocklet.upload.mutate(signedUpload(squatter, content)));
      expect(refused).toMatchObject({ appCode: 'BLOCKLET_NAME_TAKEN' });
    });

    it('refuses a deeply nested upload with BUNDLE_INVALID, and the next upload bundles', async () => {
      const nested = upload(owner.did, { 'index.js': SUBMITTER, 'deep.json': `${'['.repeat(300_000)}${']'.repeat(200_000)}` });
      const refused = await appError(client.blocklet.upload.mutate(signedUpload(owner.signer, nested)));
      expect(refused).toMatchObject({ appCode: 'BUNDLE_INVALID' });
      expect(refused.message).toMatch(/deep\.json:1: nested more than/);
      const ok = await client.blocklet.upload.mutate(signedUpload(owner.signer, upload(owner.did)));
      expect(ok).toMatchObject({ name: 'signed', version: '1.0.0' });
    });
  });

  describe('ledger sessions', () => {
    let receiver: string;

    beforeAll(async () => {
      await deploy('racer');
      const did = (await call('racer', { op: 'did' })).output as string;
      await faucet.commit(transfer(did, 10n * ABT));
      receiver = randomSigner().did;
    });

    it.each([
      ['two submissions never awaited', 'race'],
      ['a submission never awaited, then return', 'race-return'],
      ['a submission never awaited and without a rejection handler, then return', 'race-bare'],
      ['a submission never awaited, then throw', 'race-throw'],
      ['one submission awaited, one not', 'race-await-one'],
    ])('end whatever the guest does (%s): later submissions commit', async (_what, op) => {
      // The racing call itself may succeed or fail (race-throw fails by design, and a submission refused after
      // the end rejects in the guest); what must hold is that the blocklet's submit lock is released.
      await call('racer', { op, to: receiver }).then(
        (outcome) => outcome.output,
        (error: Error) => error.message,
      );
      for (let n = 0; n < 2; n += 1) {
        const { output } = await call('racer', { op: 'submit', to: receiver });
        const status = await client.tx.wait.query({ hash: (output as { hash: string }).hash, timeoutMs: 20_000 });
        expect(status).toMatchObject({ status: 'committed' });
      }
      expect(node.services.runtime.cacheSizes().ledgerSessions).toBe(0);
    });

    it('bounds the wait for nonces another invocation holds: BLOCKLET_OVERLOADED, and the holder still commits', async () => {
      let arrived: () => void = () => undefined;
      const holding = new Promise<void>((resolve) => {
        arrived = resolve;
      });
      let release: () => void = () => undefined;
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      const server = createServer((_req, res) => {
        arrived();
        void released.then(() => res.end('{}'));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
        const holder = call('racer', { op: 'hold', url, to: receiver });
        await holding; // the holder has signed its submission and waits on the server, its session open
        const waiter = await call('racer', { op: 'submit-code', to: receiver });
        expect(waiter.output).toEqual({ code: 'BLOCKLET_OVERLOADED' });
        release();
        const { output } = await holder;
        expect(await client.tx.wait.query({ hash: (output as { hash: string }).hash, timeoutMs: 20_000 })).toMatchObject({
          status: 'committed',
        });
        const after = await call('racer', { op: 'submit', to: receiver });
        const status = await client.tx.wait.query({ hash: (after.output as { hash: string }).hash, timeoutMs: 20_000 });
        expect(status).toMatchObject({ status: 'committed' });
      } finally {
        release();
        server.close();
      }
    });

    it('rewinds the nonces after a submission the ledger refuses, reports it, and later submissions commit', async () => {
      await deploy('pauper');
      const did = (await call('pauper', { op: 'did' })).output as string;
      // The blocklet's DID holds nothing: its first submission cannot pay the fee.
      const refused = (await call('pauper', { op: 'submit', to: receiver })).output as { hash: string };
      const status = await client.tx.wait.query({ hash: refused.hash, timeoutMs: 5_000 });
      expect(status.status).toBe('rejected');
      expect(status.error?.code).toBeTruthy();
      const logs = await client.blocklet.logs.query({
        name: 'pauper',
        limit: 100,
        auth: signAdmin(owner.signer, 'logs', 'pauper', { limit: 100 }, Date.now()),
      });
      expect(logs.items.map((l) => l.message).join('\n')).toContain(`ledger submission ${refused.hash} refused after the invocation`);

      await faucet.commit(transfer(did, 10n * ABT));
      for (let n = 0; n < 2; n += 1) {
        const { output } = await call('pauper', { op: 'submit', to: receiver });
        const committed = await client.tx.wait.query({ hash: (output as { hash: string }).hash, timeoutMs: 20_000 });
        expect(committed, `${committed.error?.code} ${committed.error?.message}`).toMatchObject({ status: 'committed' });
      }
    });
  });

  it('indexes a deploy whose index write failed once (retried), so the deploy answers', async () => {
    const { db } = node;
    await db.query('CREATE SEQUENCE index_fault_seq');
    await db.query(`CREATE FUNCTION index_fault() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF nextval('index_fault_seq') = 1 THEN RAISE EXCEPTION 'injected index fault'; END IF;
        RETURN NEW;
      END $$`);
    await db.query('CREATE TRIGGER index_fault BEFORE INSERT ON blocklet_versions FOR EACH ROW EXECUTE FUNCTION index_fault()');
    try {
      const deployed = await deploy('indexed');
      expect(deployed.version).toMatchObject({ name: 'indexed', version: '1.0.0', owner: owner.did });
      expect(logLines.some((line) => /blocklet index: writing heights up to \d+ failed .*injected index fault/.test(line))).toBe(true);
      expect(node.services.runtime.registry.health().lastError).toBeNull();
      expect((await client.blocklet.get.query({ name: 'indexed' })).latest.version).toBe('1.0.0');
    } finally {
      await db.query('DROP TRIGGER index_fault ON blocklet_versions');
    }
  });

  it('keeps no entry for names that do not exist, however many are probed, and bounds every cache', async () => {
    const { runtime } = node.services;
    await call('racer', { op: 'did' });
    const before = runtime.cacheSizes();
    for (let n = 0; n < 1000; n += 1) {
      const name = `probe-${randomBytes(6).toString('hex')}`;
      await expect(runtime.resolve(name)).rejects.toMatchObject({ code: 'BLOCKLET_NOT_FOUND' });
    }
    for (let n = 0; n < 20; n += 1) {
      expect(await statusOf(`${node.url}/b/probe-${randomBytes(6).toString('hex')}/`)).toBe(404);
    }
    const after = runtime.cacheSizes();
    expect(after.aliases).toBe(before.aliases);
    expect(after.versions).toBe(before.versions);
    expect(after.aliases).toBeLessThanOrEqual(RUNTIME_LIMITS.aliasCacheMax);
    expect(after.versions).toBeLessThanOrEqual(RUNTIME_LIMITS.versionCacheMax);
    expect(after.env).toBeLessThanOrEqual(RUNTIME_LIMITS.envCacheMax);
    expect(after.manifests).toBeLessThanOrEqual(RUNTIME_LIMITS.manifestCacheMax);
    expect(after.code).toBeLessThanOrEqual(RUNTIME_LIMITS.codeCacheMax);
  });
});
