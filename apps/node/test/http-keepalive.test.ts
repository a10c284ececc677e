import { Agent, request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestNode, type TestNode } from '../src/testing.ts';

/**
 * A reverse proxy (the web app's /trpc rewrite, nginx, a load balancer) reuses idle keep-alive connections to the
 * node. The node must not close one after Node's 5 s default while the proxy still counts on it: a request sent on a
 * connection the node is closing fails with ECONNRESET at the proxy (seen in the web app's end-to-end tests).
 */
describe('keep-alive connections behind a proxy', () => {
  let node: TestNode;
  beforeAll(async () => {
    node = await startTestNode();
  });
  afterAll(async () => {
    await node?.stop();
  });

  it('keeps an idle keep-alive connection open past 5 s, and serves the next request on it', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const get = () =>
      new Promise<{ status: number; socket: object }>((resolve, reject) => {
        const req = request(`${node.url}/health`, { agent }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, socket: req.socket as object }));
        });
        req.on('error', reject);
        req.end();
      });
    const first = await get();
    let closed = false;
    (first.socket as { once(event: string, listener: () => void): void }).once('close', () => {
      closed = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 6_500));
    expect(closed).toBe(false);
    const second = await get();
    expect(second.status).toBe(200);
    expect(second.socket).toBe(first.socket);
    agent.destroy();
  }, 30_000);
});
