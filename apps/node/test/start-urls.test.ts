import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The helper `npm start` uses to print a URL per blocklet (scripts/blocklet-urls.mjs, plain JS run by node).
import { blockletUrls, samplePaths } from '../../../scripts/blocklet-urls.mjs';
import { startTestNode, type TestNode } from '../src/testing.ts';

describe('the blocklet URLs npm start prints', () => {
  let node: TestNode;

  beforeAll(async () => {
    // As npm start runs it: the seeded demo deploys the built-in components, notification may publish to inboxes.
    node = await startTestNode({
      seedDemo: true,
      blockIntervalMs: 250,
      blocklets: { privateTargets: 'none', trustedPublishers: ['notification'] },
    });
  }, 120_000);

  afterAll(() => node?.stop());

  it('finds, for every built-in component, a URL that answers 200', async () => {
    const found = await blockletUrls(node.url);
    expect(found.map((entry) => entry.name).sort()).toEqual(['identity', 'messaging', 'notification', 'oracle', 'token']);
    for (const entry of found) {
      expect(entry.problem, entry.name).toBeUndefined();
      expect(entry.url, entry.name).not.toBeNull();
      if (entry.url === null) continue;
      expect(entry.url.startsWith(`${node.url}/b/${entry.name}/`)).toBe(true);
      expect((await fetch(entry.url)).status).toBe(200);
    }
    // The token's balance route is filled with the demo's DEMO token; the oracle answers its state before any quote.
    expect(found.find((entry) => entry.name === 'token')?.url).toMatch(/\/b\/token\/tokens\/did:abt:\w+\/balance\/did:abt:\w+$/);
    expect(found.find((entry) => entry.name === 'oracle')?.url).toBe(`${node.url}/b/oracle/`);
  });

  it('fills route parameters: DIDs with the owner, the rest with a sample word; GET routes only, simplest first', () => {
    const manifest = {
      interfaces: {
        http: [
          { path: '/profile/:did', methods: ['GET'] },
          { path: '/write', methods: ['POST'] },
          { path: '/rooms/:room/messages', methods: ['GET'] },
          { path: '/profiles' },
        ],
      },
    };
    expect(samplePaths(manifest, 'did:abt:zOwner')).toEqual(['/profiles', '/profile/did:abt:zOwner', '/rooms/lobby/messages']);
    const tokenRoute = { interfaces: { http: [{ path: '/tokens/:address/balance/:owner' }] } };
    expect(samplePaths(tokenRoute, 'did:abt:zOwner', { token: 'did:abt:zToken' })).toEqual([
      '/tokens/did:abt:zToken/balance/did:abt:zOwner',
    ]);
    expect(samplePaths(tokenRoute, 'did:abt:zOwner', { token: null })).toEqual(['/tokens/lobby/balance/did:abt:zOwner']);
  });
});
