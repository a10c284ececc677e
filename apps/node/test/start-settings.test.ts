import { readdirSync, readFileSync } from 'node:fs';
import { didFromPublicKey, fromHex, keyPairFromSeed } from '@arc/core';
import { afterEach, describe, expect, it } from 'vitest';
import { parseEnv } from '../src/config/env.ts';
import { startTestNode, type TestNode } from '../src/testing.ts';
import { deploySource } from './helpers/blocklets.ts';
import { nodeClient } from './helpers/client.ts';
import { ABT, randomSigner, transfer, Wallet } from './helpers/wallet.ts';

/**
 * What a node's start costs, set by its operator: PGlite's buffer cache (PGLITE_SHARED_BUFFERS_MB) and when the
 * blocklet sandbox's worker processes start (BLOCKLET_WORKERS_START).
 */

const SOURCE = 'export default { async fetch() { return { body: "up" }; } };';
/** Long enough for workers started at listen to be up on a busy machine; lazily started ones must still be absent. */
const SETTLE_MS = 3000;

/** The pids of this process's children that run the sandbox's worker (in-process test nodes fork them from here). */
function sandboxWorkers(): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid && readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('worker.mjs')) children.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return children;
}

const nodes: TestNode[] = [];
afterEach(async () => {
  for (const node of nodes.splice(0)) await node.stop();
});

describe('start settings', () => {
  it('parses PGLITE_SHARED_BUFFERS_MB and BLOCKLET_WORKERS_START, with defaults, and names a bad value', () => {
    expect(parseEnv({})).toMatchObject({ PGLITE_SHARED_BUFFERS_MB: 128, BLOCKLET_WORKERS_START: 'listen' });
    expect(parseEnv({ PGLITE_SHARED_BUFFERS_MB: '16', BLOCKLET_WORKERS_START: 'first-call' })).toMatchObject({
      PGLITE_SHARED_BUFFERS_MB: 16,
      BLOCKLET_WORKERS_START: 'first-call',
    });
    expect(parseEnv({ PGLITE_SHARED_BUFFERS_MB: '1024' }).PGLITE_SHARED_BUFFERS_MB).toBe(1024);
    for (const bad of ['0', '-1', '1.5', 'lots', '2048', '100000', '16\u0000']) {
      expect(() => parseEnv({ PGLITE_SHARED_BUFFERS_MB: bad })).toThrow(/PGLITE_SHARED_BUFFERS_MB/);
    }
    expect(() => parseEnv({ BLOCKLET_WORKERS_START: 'later' })).toThrow(/BLOCKLET_WORKERS_START/);
  });

  it("opens PGlite with the buffer cache it is given, and PostgreSQL's default without one", async () => {
    const small = await startTestNode({ log: () => undefined });
    nodes.push(small);
    const [row] = await small.db.query<{ shared_buffers: string }>('SHOW shared_buffers');
    // The suite's nodes run with 16 MB (test/global-setup.ts); one started outside the suite with the default, 128 MB.
    expect(row?.shared_buffers).toBe(
      `${parseEnv({ PGLITE_SHARED_BUFFERS_MB: process.env.PGLITE_SHARED_BUFFERS_MB }).PGLITE_SHARED_BUFFERS_MB}MB`,
    );
  });

  it('starts the sandbox workers at listen by default, and with first-call only when a blocklet is first called', async () => {
    const lazy = await startTestNode({ sandboxStart: 'first-call' });
    nodes.push(lazy);
    const eager = await startTestNode({ sandboxStart: 'listen' });
    nodes.push(eager);
    // Each test node runs one worker: the eager node's comes up, the lazy node's does not.
    await expect.poll(sandboxWorkers, { timeout: 60_000 }).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    expect(sandboxWorkers()).toHaveLength(1);

    const client = nodeClient(lazy.url);
    const chainId = (await client.chain.info.query()).chainId;
    const key = keyPairFromSeed(fromHex(lazy.funded.secretKey));
    const faucet = new Wallet(client, chainId, { ...key, did: didFromPublicKey(key.publicKey) });
    const owner = new Wallet(client, chainId, randomSigner());
    await client.tx.wait.query({ hash: (await faucet.send(transfer(owner.did, 10n * ABT))).hash, timeoutMs: 30_000 });
    const manifest = `name: lazy\nversion: 1.0.0\ntitle: lazy\nauthor: ${owner.did}\ninterfaces: { http: [{ path: /, methods: [GET] }] }\n`;
    await deploySource(client, owner, manifest, { 'index.js': SOURCE });
    const res = await fetch(`${lazy.url}/b/lazy/`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('up');
    expect(sandboxWorkers()).toHaveLength(2);
  });
});
