import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FOLLOW_LIMITS, Follower } from '../src/ledger/follower.ts';
import { startTestNode, type TestNode } from '../src/testing.ts';

/**
 * A follower pointed at something that is not a node (a stranger's server): whatever it answers, the follower imports
 * nothing, keeps running, and says why in its status.
 */
const answers: Record<string, () => string> = {
  '/huge': () => 'x'.repeat(1024 * 1024),
  '/not-json': () => '<html>hello</html>',
  '/nul': () => `{"result":{"data":{"blocks":[{"height":1,"header":"\\u0000","seal":"00","txs":[]}],"next":null}}}`,
  '/deep': () => `${'['.repeat(100_000)}${']'.repeat(100_000)}`,
  '/wrong-shape': () => JSON.stringify({ result: { data: { blocks: 'all of them', next: -1 } } }),
};

let server: Server;
let base: string;
let node: TestNode;
beforeAll(async () => {
  server = createServer((req, res) => {
    const route = Object.keys(answers).find((prefix) => req.url?.startsWith(prefix));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(route ? (answers[route] as () => string)() : '{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  node = await startTestNode({ blockIntervalMs: 3_600_000, seedDemo: false });
});
afterAll(async () => {
  await node?.stop();
  await new Promise((resolve) => server.close(resolve));
});

describe('a follower of a server that is not a node', () => {
  it.each([
    ['/huge', /more than 524288 bytes/],
    ['/not-json', /without JSON/],
    ['/nul', /does not decode|is not valid here|where block \d+ was asked for|did not answer as a node does/],
    ['/deep', /did not answer as a node does/],
    ['/wrong-shape', /did not answer as a node does|expected/],
  ])('imports nothing from %s and says why', async (path, why) => {
    const lines: string[] = [];
    const limits = { ...FOLLOW_LIMITS, responseBytesMax: 512 * 1024, retryMinMs: 50, retryMaxMs: 100 };
    const follower = new Follower(node.services.ledger, `${base}${path}`, (line) => lines.push(line), Date.now, limits);
    follower.start();
    try {
      await expect.poll(() => follower.status().error?.message ?? '', { timeout: 10_000 }).toMatch(why);
      expect(follower.status().error?.code).toBe('UNAVAILABLE');
      // Every block it holds is its own: nothing came from the stranger.
      const proposers = await node.db.query<{ proposer: string }>('SELECT DISTINCT proposer FROM blocks WHERE height > 0');
      expect(proposers.every((row) => row.proposer === node.services.ledger.nodeDid)).toBe(true);
    } finally {
      await follower.stop();
    }
    expect(lines.some((line) => line.includes('trying again'))).toBe(true);
  });
});
