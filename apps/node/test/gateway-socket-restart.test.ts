import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io as io48, type Socket } from 'socket.io-client';
import { io as io47 } from 'socket.io-client-47';
import { afterAll, describe, expect, it } from 'vitest';
import type { TopicEvent } from '../src/gateway/types.ts';
import { ChildNode, type ChildNodeEnv, freePort } from './helpers/child-node.ts';
import { until } from './helpers/realtime.ts';

/** Bounds against a hang, not speed checks: a child node on a fresh PGlite folder takes tens of seconds to start. */
const RECONNECT_TIMEOUT_MS = 60_000;
const BLOCK_INTERVAL_MS = 300;

interface Watched {
  name: string;
  socket: Socket;
  events: TopicEvent[];
  errors: string[];
  disconnects: string[];
  resubscribes: Record<string, unknown>[];
}

/**
 * A foreign client application: it knows nothing of @arc/client, only the documented protocol. After every reconnect
 * it subscribes again with the seq and epoch of the last event it has.
 */
function watch(name: string, socket: Socket): Watched {
  const watched: Watched = { name, socket, events: [], errors: [], disconnects: [], resubscribes: [] };
  socket.on('event', (event: TopicEvent) => watched.events.push(event));
  socket.on('error', (error: { code: string }) => watched.errors.push(error.code));
  socket.on('disconnect', (reason: string) => watched.disconnects.push(reason));
  let connects = 0;
  socket.on('connect', () => {
    connects += 1;
    const last = watched.events.at(-1);
    const resume = connects > 1 && last ? { afterSeq: last.seq, epoch: last.epoch } : {};
    socket.emit('subscribe', { topic: 'chain:blocks', ...resume }, (reply: Record<string, unknown>) => {
      if (connects > 1) watched.resubscribes.push(reply);
    });
  });
  return watched;
}

const children: ChildNode[] = [];
let dataDir = '';

afterAll(async () => {
  for (const child of children) await child.kill('SIGKILL');
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('gateway Socket.io: a graceful restart', () => {
  it('tells foreign clients (socket.io-client 4.7 and 4.8) it restarts; they reconnect by themselves and resume with a RESTARTED gap', {
    timeout: 300_000,
  }, async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'arc-socket-restart-'));
    const port = await freePort();
    // The same port and data folder on both starts, as an operator restarts a node (PORT is not in ChildNodeEnv).
    const env: ChildNodeEnv & { PORT: string } = { DATA_DIR: dataDir, BLOCK_INTERVAL_MS: String(BLOCK_INTERVAL_MS), PORT: String(port) };
    const first = await (await ChildNode.spawn(env)).ready();
    children.push(first);
    const url = `http://127.0.0.1:${port}`;
    const options = { path: '/socket.io', forceNew: true, reconnectionDelay: 200, reconnectionDelayMax: 1000 };
    const clients = [
      watch('socket.io-client 4.8 (websocket)', io48(url, { ...options, transports: ['websocket'] })),
      watch('socket.io-client 4.7 (polling, then upgrade)', io47(url, options) as unknown as Socket),
    ];
    for (const client of clients) await until(() => client.events.length >= 2, RECONNECT_TIMEOUT_MS, `blocks on ${client.name}`);
    const oldEpoch = clients[0]?.events.at(-1)?.epoch;

    await first.kill('SIGTERM');
    expect((await first.exited).code).toBe(0);
    for (const client of clients) {
      // Not "io server disconnect", after which a Socket.io client stays away for good.
      expect(client.disconnects, client.name).toEqual(['transport close']);
      expect(client.errors, client.name).toContain('RESTARTING');
    }

    const second = await (await ChildNode.spawn(env)).ready();
    children.push(second);
    for (const client of clients) {
      await until(() => client.resubscribes.length > 0, RECONNECT_TIMEOUT_MS, `${client.name} to reconnect by itself`);
      expect(client.resubscribes[0], client.name).toMatchObject({ ok: true, gap: { reason: 'RESTARTED' } });
      expect(client.resubscribes[0]?.epoch, client.name).not.toBe(oldEpoch);
      const newEpoch = client.resubscribes[0]?.epoch;
      await until(
        () => client.events.filter((e) => e.epoch === newEpoch).length >= 2,
        RECONNECT_TIMEOUT_MS,
        `new blocks on ${client.name}`,
      );
      const fresh = client.events.filter((e) => e.epoch === newEpoch).map((e) => e.seq);
      expect(fresh, client.name).toEqual(fresh.map((_, i) => (fresh[0] as number) + i));
    }
    for (const client of clients) client.socket.close();
    await second.kill('SIGTERM');
  });
});
