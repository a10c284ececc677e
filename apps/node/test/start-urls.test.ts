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

  it('finds, for every built-in component, a URL that answers 200 (or says why none did)', async () => {
    const found = await blockletUrls(node.url);
    expect(found.map((entry) => entry.name).sort()).toEqual(['identity', 'messaging', 'notification', 'oracle', 'token']);
    for (const entry of found) {
      if (entry.url === null) {
        expect(entry.problem).toMatch(/\S/);
        continue;
      }
      expect(entry.url.startsWith(`${node.url}/b/${entry.name}/`)).toBe(true);
      expect((await fetch(entry.url)).status).toBe(200);
    }
    // Those whose routes need nothing from outside the machine answer: identity, messaging and notification.
    const answering = found.filter((entry) => entry.url !== null).map((entry) => entry.name);
    expect(answering).toEqual(expect.arrayContaining(['identity', 'messaging', 'notification']));
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
  });
});
