import type { Server as HttpServer } from 'node:http';
import { Server, type ServerOptions, type Socket } from 'socket.io';
import { z } from 'zod';
import { type GatewayHub, isNodeLocalTopic } from './hub.ts';
import { KeyedBuckets, TokenBucket } from './rate-limit.ts';
import { patternRooms } from './topics.ts';
import { type GatewayAuth, GatewayError, type GatewayErrorCode, type GatewayLimits, type Principal } from './types.ts';

export const SOCKET_LIMITS = {
  /** How often every connection is checked: pending outgoing bytes against clientBufferBytesMax, session expiry. */
  slowConsumerCheckMs: 200,
  /** Retained events replayed by one subscribe with afterSeq. */
  replayEventsMax: 1000,
} as const;

const SubscribeIn = z.strictObject({
  topic: z.string().min(1).max(256),
  afterSeq: z.number().int().nonnegative().optional(),
  /** The epoch of the ack that afterSeq came from (a restarted node numbers anew). */
  epoch: z.string().min(1).max(100).optional(),
});
const UnsubscribeIn = z.strictObject({ topic: z.string().min(1).max(256) });
const PublishIn = z.strictObject({ topic: z.string().min(1).max(256), payload: z.unknown() });

type Ack = (reply: Record<string, unknown>) => void;

interface SocketData {
  principal: Principal;
}

export interface SocketGatewayOptions {
  server: HttpServer;
  hub: GatewayHub;
  auth: GatewayAuth;
  limits: GatewayLimits;
  now: () => number;
  log: (line: string) => void;
  /** A Socket.io adapter factory (the Redis streams adapter in a cluster); in-memory by default. */
  adapter?: ServerOptions['adapter'];
}

/** Bytes a connection has queued and not yet handed to the kernel: engine.io's buffer plus the websocket's. */
function pendingBytes(socket: Socket): number {
  const conn = socket.conn as unknown as { writeBuffer: { data?: unknown }[]; transport: { socket?: { bufferedAmount?: number } } };
  let bytes = conn.transport.socket?.bufferedAmount ?? 0;
  for (const packet of conn.writeBuffer) {
    const data = packet.data;
    bytes += typeof data === 'string' ? data.length : data instanceof Uint8Array ? data.byteLength : 16;
  }
  return bytes;
}

function errorReply(error: unknown): { ok: false; code: GatewayErrorCode | 'INTERNAL'; message: string } {
  if (error instanceof GatewayError) return { ok: false, code: error.code, message: error.message };
  return { ok: false, code: 'INTERNAL', message: 'The node failed to handle the request; try again.' };
}

/**
 * The Socket.io protocol of the gateway on the node's HTTP server: topics are rooms, events are 'event', every
 * client message is parsed and acked with `{ ok: true, … } | { ok: false, code, message }`.
 */
export class SocketGateway {
  readonly io: Server;
  readonly #didBuckets: KeyedBuckets;
  readonly #timer: NodeJS.Timeout;

  constructor(readonly options: SocketGatewayOptions) {
    const { limits } = options;
    this.#didBuckets = new KeyedBuckets(limits.didRatePerSec, limits.didBurst);
    this.io = new Server(options.server, {
      path: '/socket.io',
      serveClient: false,
      cors: { origin: '*', methods: ['GET', 'POST'] },
      // Room for a message at the bound plus framing: a bigger one is answered TOO_LARGE, not by a dropped connection.
      maxHttpBufferSize: limits.messageBytesMax * 2 + 4096,
      perMessageDeflate: false,
      connectionStateRecovery: { maxDisconnectionDuration: limits.recoveryWindowMs, skipMiddlewares: false },
      ...(options.adapter ? { adapter: options.adapter } : {}),
    });
    this.io.use((socket, next) => {
      const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
      options.auth
        .resolve(typeof token === 'string' ? token : null)
        .then((principal) => {
          (socket.data as SocketData).principal = principal;
          next();
        })
        .catch((error: unknown) => {
          const reply = errorReply(error);
          next(Object.assign(new Error(reply.message), { data: { code: reply.code } }));
        });
    });
    this.io.on('connection', (socket) => this.#onConnection(socket));
    options.hub.fanout = (event, scope) => {
      const rooms = [event.topic, ...patternRooms(event.topic)];
      // Per-transaction and per-account topics are many and mostly unwatched: skip those no one here is in.
      if (isNodeLocalTopic(event.topic) && event.topic !== 'chain:blocks') {
        const local = this.io.of('/').adapter.rooms;
        if (!rooms.some((room) => local.has(room))) return;
      }
      (scope === 'local' ? this.io.local : this.io).to(rooms).emit('event', event);
    };
    this.#timer = setInterval(() => this.#sweep(), SOCKET_LIMITS.slowConsumerCheckMs);
    this.#timer.unref();
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    this.options.hub.fanout = () => undefined;
    // Not io.close(): that also closes the HTTP server and waits for its keep-alive connections; the node owns it.
    this.io.disconnectSockets(true);
    await this.io.of('/').adapter.close();
    this.io.engine.close();
  }

  /** Drops slow consumers, and sessions that expired (they would go on hearing private topics otherwise). */
  #sweep(): void {
    const max = this.options.limits.clientBufferBytesMax;
    const now = this.options.now();
    for (const socket of this.io.of('/').sockets.values()) {
      const principal = (socket.data as SocketData).principal;
      if (principal?.kind === 'did' && principal.expiresAtMs <= now) {
        socket.emit('error', { code: 'SESSION_EXPIRED', message: 'The session expired; log in again.' });
        socket.disconnect(true);
      } else if (pendingBytes(socket) > max) {
        socket.emit('error', { code: 'SLOW_CONSUMER', message: `More than ${max} bytes waited to be read; reconnect and read faster.` });
        socket.disconnect(true);
      }
    }
  }

  #onConnection(socket: Socket): void {
    const { hub, limits, now } = this.options;
    const data = socket.data as SocketData;
    const bucket = new TokenBucket(limits.connectionRatePerSec, limits.connectionBurst, now());
    const subscriptions = (): number => socket.rooms.size - 1; // a socket is always in its own room
    const fail = (code: GatewayErrorCode, message: string, ack: Ack | null) => {
      if (ack) ack({ ok: false, code, message });
      else socket.emit('error', { code, message });
    };
    const allowed = (ack: Ack | null): boolean => {
      const t = now();
      const principal = data.principal;
      const didKey = principal.kind === 'did' ? principal.did : principal.kind === 'app' ? `app:${principal.appDid}` : null;
      if (bucket.take(t) && (didKey === null || this.#didBuckets.take(didKey, t))) return true;
      fail('RATE_LIMITED', 'Too many messages; slow down.', ack);
      return false;
    };
    const handle = <T>(schema: z.ZodType<T>, run: (input: T) => Promise<Record<string, unknown>>) => {
      return (...args: unknown[]) => {
        const last = args.at(-1);
        const ack = typeof last === 'function' ? (last as Ack) : null;
        if (!allowed(ack)) return;
        const parsed = schema.safeParse(args[0]);
        if (!parsed.success) {
          const message = `Bad payload: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'payload'}: ${i.message}`).join('; ')}`;
          socket.emit('error', { code: 'BAD_PAYLOAD', message });
          if (ack) ack({ ok: false, code: 'BAD_PAYLOAD', message });
          return;
        }
        run(parsed.data).then(
          (reply) => ack?.({ ok: true, ...reply }),
          (error: unknown) => {
            if (!(error instanceof GatewayError)) this.options.log(`gateway: a socket request failed: ${(error as Error).stack ?? error}`);
            const reply = errorReply(error);
            fail(reply.code as GatewayErrorCode, reply.message, ack);
          },
        );
      };
    };

    socket.on(
      'subscribe',
      handle(SubscribeIn, async ({ topic, afterSeq, epoch }) => {
        if (!socket.rooms.has(topic) && subscriptions() >= limits.subscriptionsPerConnectionMax)
          throw new GatewayError(
            'TOO_MANY_SUBSCRIPTIONS',
            `A connection has at most ${limits.subscriptionsPerConnectionMax} subscriptions.`,
          );
        await hub.authorizeSubscribe(data.principal, topic);
        // Replay first, then join: the retained events go out before any new one, in order.
        const resumed = afterSeq === undefined ? null : hub.resume(topic, afterSeq, epoch, SOCKET_LIMITS.replayEventsMax);
        for (const event of resumed?.events ?? []) socket.emit('event', event);
        socket.join(topic);
        const gap = resumed?.gap ? { gap: resumed.gap } : {};
        return { topic, seq: hub.currentSeq(topic), epoch: hub.epochOf(topic), replayed: resumed?.events.length ?? 0, ...gap };
      }),
    );
    socket.on(
      'unsubscribe',
      handle(UnsubscribeIn, async ({ topic }) => {
        socket.leave(topic);
        return { topic };
      }),
    );
    socket.on(
      'publish',
      handle(PublishIn, async ({ topic, payload }) => {
        const principal = data.principal;
        if (principal.kind === 'did' && principal.expiresAtMs <= now())
          throw new GatewayError('SESSION_EXPIRED', 'The session expired; log in again.');
        const event = await hub.publish(principal, topic, payload);
        return { id: event.id, seq: event.seq };
      }),
    );
    socket.onAny((event: unknown) => {
      if (event === 'subscribe' || event === 'unsubscribe' || event === 'publish') return;
      socket.emit('error', {
        code: 'BAD_PAYLOAD',
        message: `Unknown event ${String(event).slice(0, 64)}; use subscribe, unsubscribe or publish.`,
      });
    });
  }
}
