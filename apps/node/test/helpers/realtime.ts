import { io, type Socket } from 'socket.io-client';
import type { Principal, TopicEvent } from '../../src/gateway/types.ts';
import type { TestNode } from '../../src/testing.ts';

export type Ack = { ok: true; [key: string]: unknown } | { ok: false; code: string; message: string };

/** A raw Socket.io client of the node's gateway (websocket only, reconnecting fast). */
export function rawSocket(url: string, token?: string, options: { reconnection?: boolean } = {}): Socket {
  return io(url, {
    path: '/socket.io',
    transports: ['websocket'],
    auth: token === undefined ? {} : { token },
    reconnectionDelay: 100,
    reconnectionDelayMax: 500,
    reconnection: options.reconnection ?? true,
    forceNew: true,
  });
}

/** Resolves once connected; rejects with the connect_error's code. */
export function connected(socket: Socket): Promise<Socket> {
  return new Promise((resolve, reject) => {
    if (socket.connected) return resolve(socket);
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error: Error & { data?: { code?: string } }) => reject(Object.assign(error, { code: error.data?.code })));
  });
}

export async function ack(socket: Socket, event: string, payload: unknown): Promise<Ack> {
  return (await socket.timeout(15_000).emitWithAck(event, payload)) as Ack;
}

/** Collects the events a socket receives, by topic. */
export function collect(socket: Socket): TopicEvent[] {
  const events: TopicEvent[] = [];
  socket.on('event', (event: TopicEvent) => events.push(event));
  return events;
}

/** Waits until `check` holds, polling. */
export async function until(check: () => boolean, timeoutMs = 20_000, what = 'the condition'): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Publishes as the node itself (no rules), for tests that need many messages fast. */
export function nodePublish(node: TestNode, topic: string, payload: unknown): Promise<TopicEvent> {
  const gateway = node.services.gateway;
  if (!gateway) throw new Error('the node has no gateway');
  return gateway.hub.publishAs(topic, payload, null);
}

export const anonymous: Principal = { kind: 'anonymous' };
