import { connect, createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RoundRobinProxy } from './proxy.ts';

/** A backend that answers each connection with its name, then closes it. */
async function namedBackend(name: string): Promise<{ server: Server; port: number }> {
  const server = createServer((socket) => socket.end(name));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port };
}

/** Opens a connection through the proxy and answers what the backend said. */
function answer(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const socket = connect(port, '127.0.0.1');
    socket.on('data', (chunk) => {
      text += chunk.toString();
    });
    socket.on('close', () => resolve(text));
    socket.on('error', reject);
  });
}

describe('RoundRobinProxy', () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  it('hands each new connection to the next backend and counts what each accepted', async () => {
    const a = await namedBackend('a');
    const b = await namedBackend('b');
    closers.push(
      async () => void a.server.close(),
      async () => void b.server.close(),
    );
    const proxy = new RoundRobinProxy(() => [a, b].map(({ port }) => ({ host: '127.0.0.1', port })));
    const port = await proxy.listen(0, '127.0.0.1');
    closers.push(() => proxy.close());
    const answers: string[] = [];
    for (let i = 0; i < 6; i += 1) answers.push(await answer(port));
    expect(answers).toEqual(['a', 'b', 'a', 'b', 'a', 'b']);
    expect(Object.fromEntries(proxy.opened)).toEqual({ [`127.0.0.1:${a.port}`]: 3, [`127.0.0.1:${b.port}`]: 3 });
  });

  it('passes a refused connection on to the next backend, and does not count the refusal', async () => {
    const up = await namedBackend('up');
    const down = await namedBackend('down');
    await new Promise<void>((resolve) => down.server.close(() => resolve()));
    closers.push(async () => void up.server.close());
    const proxy = new RoundRobinProxy(() => [down, up].map(({ port }) => ({ host: '127.0.0.1', port })));
    const port = await proxy.listen(0, '127.0.0.1');
    closers.push(() => proxy.close());
    expect([await answer(port), await answer(port)]).toEqual(['up', 'up']);
    expect(Object.fromEntries(proxy.opened)).toEqual({ [`127.0.0.1:${up.port}`]: 2 });
  });
});
