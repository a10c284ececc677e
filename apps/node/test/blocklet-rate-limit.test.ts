import { didFromPublicKey, fromHex, keyPairFromSeed, parseManifest } from '@arc/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestNode, type TestNode } from '../src/testing.ts';
import { deploySource } from './helpers/blocklets.ts';
import { nodeClient } from './helpers/client.ts';
import { ABT, randomSigner, transfer, Wallet } from './helpers/wallet.ts';

/**
 * The blocklet HTTP rate limit is the operator's (BLOCKLET_HTTP_RATE_PER_SEC / _BURST, for every route) and, on top
 * of it, a route's own (`interfaces.http[].rateLimit` in its manifest): a route can be stricter, never looser.
 */

const ROUTES = '[{ path: /, methods: [GET] }, { path: /strict, methods: [GET], rateLimit: { perSec: 0.01, burst: 2 } }]';
const SOURCE = 'export default { async fetch() { return { body: "ok" }; } };';

function manifest(owner: string, routes = ROUTES) {
  return `name: limited
version: 1.0.0
title: limited
author: ${owner}
interfaces: { http: ${routes} }
`;
}

async function statuses(url: string, count: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const res = await fetch(url);
    await res.text();
    out.push(res.status);
  }
  return out;
}

describe('a route with a rate limit of its own', () => {
  let node: TestNode;

  beforeAll(async () => {
    // The operator's limit is the default (50/s, burst 100): far above what this test sends.
    node = await startTestNode({ blockIntervalMs: 100 });
    const client = nodeClient(node.url);
    const chainId = (await client.chain.info.query()).chainId;
    const key = keyPairFromSeed(fromHex(node.funded.secretKey));
    const faucet = new Wallet(client, chainId, { ...key, did: didFromPublicKey(key.publicKey) });
    const owner = new Wallet(client, chainId, randomSigner());
    await client.tx.wait.query({ hash: (await faucet.send(transfer(owner.did, 10n * ABT))).hash, timeoutMs: 10_000 });
    await deploySource(client, owner, manifest(owner.did), { 'index.js': SOURCE });
  }, 120_000);

  afterAll(async () => {
    await node?.stop();
  });

  it('answers 429 past its own burst while the node-wide limit and the other routes still let the caller through', async () => {
    expect(await statuses(`${node.url}/b/limited/strict`, 3)).toEqual([200, 200, 429]);
    expect(await statuses(`${node.url}/b/limited/`, 5)).toEqual([200, 200, 200, 200, 200]);
  });

  it('is parsed from the manifest with its bounds, and a route without one has none', () => {
    const owner = randomSigner().did;
    const parsed = parseManifest(manifest(owner));
    expect(parsed.interfaces.http.map((r) => r.rateLimit)).toEqual([undefined, { perSec: 0.01, burst: 2 }]);
    expect(() => parseManifest(manifest(owner, '[{ path: /, rateLimit: { perSec: 0, burst: 1 } }]'))).toThrow(/perSec/);
    expect(() => parseManifest(manifest(owner, '[{ path: /, rateLimit: { perSec: 5 } }]'))).toThrow(/burst/);
  });
});
