import { type ChildProcess, fork } from 'node:child_process';
import { connect, createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readHead } from '../src/cluster/hand-over.ts';

/**
 * The cluster's primary reads a connection's first bytes to route it, then sends the socket to a worker. Bytes the
 * client sends after that belong to the worker even when the worker is slow to take the socket: the primary must not
 * read them (Node would throw them away). Seen as a websocket client whose first frame was lost, waiting for good.
 */

const TAKER = fileURLToPath(new URL('./fixtures/slow-taker.mjs', import.meta.url));
let worker: ChildProcess;
let server: Server;

function next(type: string): Promise<void> {
  return new Promise((resolve) => {
    const onMessage = (message: { type: string }) => {
      if (message.type !== type) return;
      worker.off('message', onMessage);
      resolve();
    };
    worker.on('message', onMessage);
  });
}

beforeAll(async () => {
  worker = fork(TAKER, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  await next('ready');
  server = createServer({ pauseOnConnect: true }, (connection) =>
    readHead(connection, 10_000, (head) =>
      worker.send({ type: 'connection', head: head.toString('base64'), readMs: 300 }, connection, { keepOpen: false }),
    ),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});

afterAll(() => {
  worker?.kill();
  server?.close();
});

it('bytes a client sends while the worker has not yet taken its connection reach the worker', async () => {
  // The worker holds its loop for 800 ms from now: the handle it is sent waits, unacknowledged, all that time.
  const blocking = next('blocking');
  worker.send({ type: 'block', ms: 800 });
  await blocking;
  const address = server.address() as { port: number };
  const client = connect(address.port, '127.0.0.1');
  const received: Buffer[] = [];
  client.on('data', (chunk: Buffer) => received.push(chunk));
  const ended = new Promise<void>((resolve) => client.once('end', resolve));
  client.write('first bytes (routed by the primary);');
  // Sent while the primary still holds the handle and the worker has not taken it.
  await new Promise((resolve) => setTimeout(resolve, 250));
  client.write(' the next bytes');
  await ended;
  client.destroy();
  expect(Buffer.concat(received).toString()).toBe('first bytes (routed by the primary); the next bytes');
}, 20_000);
