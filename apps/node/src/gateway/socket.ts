import type { Server as HttpServer } from 'node:http';
import { Server, type ServerOptions, type Socket } from 'socket.io';
import { type CorsOrigins, originAllowed, originRefusal } from '../config/cors.ts';
import { type GatewayHub, isNodeLocalTopic } from './hub.ts';
import { KeyedBuckets } from './rate-limit.ts';
import { SOCKET_CONNECTION_LIMITS, SocketConnection, type SocketData, socketEvent } from './socket-connection.ts';
import { patternRooms } from './topics.ts';
import { type GatewayAuth, GatewayError, type GatewayLimits, gatewayErrorPayload } from './types.ts';

export const SOCKET_LIMITS = {
  /** How often every connection is checked: pending outgoing bytes against clientBufferBytesMax, session expiry. */
  slowConsumerCheckMs: 200,
  /** Retained events replayed by one subscribe with afterSeq. */
  replayEventsMax: SOCKET_CONNECTION_LIMITS.replayEventsMax,
  /** How long close() lets transports flush the RESTARTING notice before it cuts the ones still open. */
  closeFlushMs: 1000,
} as const;

const RESTARTING = gatewayErrorPayload(
  'RESTARTING',
  'The node is restarting: your client reconnects by itself; resubscribe with afterSeq and epoch to resume.',
);

export interface SocketGatewayOptions {
  server: HttpServer;
  hub: GatewayHub;
  auth: GatewayAuth;
  limits: GatewayLimits;
  now: () => number;
  log: (line: string) => void;
  /**
   * Web pages whose browsers may connect (config/cors.ts); any when absent. Checked on every handshake and upgrade,
   * since browsers do not apply CORS to websockets: a refused origin gets HTTP 403 with a sentence.
   */
  corsOrigins?: CorsOrigins;
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

/** The engine.io connection under a Socket.io socket: closing it is a "transport close" to the client. */
interface EngineConnection {
  readyState: string;
  close(discard?: boolean): void;
  once(event: 'close', listener: () => void): void;
}

/**
 * The Socket.io protocol of the gateway on the node's HTTP server: topics are rooms of this node, events are
 * 'event' (each node's clients hear them from its own hub: published here, or ingested from another node), every
 * client message is handled by a SocketConnection.
 *
 * Connection-state recovery is off: it kept every emit of a connection (error replies included) for its window, and
 * its in-memory restore did not check the old socket was gone. Clients resume with `afterSeq` + `epoch` instead.
 */
export class SocketGateway {
  readonly io: Server;
  readonly #didBuckets: KeyedBuckets;
  readonly #timer: NodeJS.Timeout;

  constructor(readonly options: SocketGatewayOptions) {
    const { limits, hub, log } = options;
    this.#didBuckets = new KeyedBuckets(limits.didRatePerSec, limits.didBurst);
    const corsOrigins = options.corsOrigins ?? '*';
    this.io = new Server(options.server, {
      path: '/socket.io',
      serveClient: false,
      // The headers say which origin may read the answers (one allowed origin, echoed); allowRequest refuses the rest.
      cors: { origin: corsOrigins === '*' ? '*' : true, methods: ['GET', 'POST'] },
      allowRequest: (req, callback) => {
        const origin = req.headers.origin;
        if (originAllowed(origin, corsOrigins, req.headers.host)) callback(null, true);
        else callback(originRefusal(String(origin)), false);
      },
      // Room for a message at the bound plus framing: a bigger one is answered TOO_LARGE, not by a dropped connection.
      maxHttpBufferSize: limits.messageBytesMax * 2 + 4096,
      perMessageDeflate: false,
      ...(options.adapter ? { adapter: options.adapter } : {}),
    });
    this.io.use((socket, next) => {
      try {
        const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
        options.auth
          .resolve(typeof token === 'string' ? token : null)
          .then((principal) => {
            (socket.data as SocketData).principal = principal;
            next();
          })
          .catch((error: unknown) => {
            if (!(error instanceof GatewayError)) log(`gateway: a Socket.io handshake failed: ${(error as Error)?.stack ?? String(error)}`);
            // Not a refusal of the credential but a failure to check it (the database, say): a later try can pass.
            const data =
              error instanceof GatewayError
                ? gatewayErrorPayload(error.code, error.message)
                : gatewayErrorPayload('UNAVAILABLE', 'The node could not check the credential; try again.');
            next(Object.assign(new Error(data.message), { data }));
          });
      } catch (error) {
        log(`gateway: a Socket.io handshake failed: ${(error as Error)?.stack ?? String(error)}`);
        const data = gatewayErrorPayload('UNAVAILABLE', 'The node could not check the credential; try again.');
        next(Object.assign(new Error(data.message), { data }));
      }
    });
    const context = { hub, limits, didBuckets: this.#didBuckets, now: options.now, log };
    this.io.on('connection', (socket) => {
      try {
        new SocketConnection(socket, context);
      } catch (error) {
        log(`gateway: could not set up a Socket.io connection: ${(error as Error)?.stack ?? String(error)}`);
        socket.disconnect(true);
      }
    });
    hub.fanout = (event) => {
      const rooms = [event.topic, ...patternRooms(event.topic)];
      const local = this.io.of('/').adapter.rooms;
      // Per-transaction and per-account topics are many and mostly unwatched: skip those no one here is in.
      if (isNodeLocalTopic(event.topic) && event.topic !== 'chain:blocks' && !rooms.some((room) => local.has(room))) return;
      // This node's rooms only: other nodes' clients hear the event from their own hub (forward → ingest).
      this.io.local.to(rooms).emit('event', socketEvent(event));
    };
    this.#timer = setInterval(() => this.#sweep(), SOCKET_LIMITS.slowConsumerCheckMs);
    this.#timer.unref();
  }

  /**
   * Tells every client the node is restarting, then closes their transports (not a Socket.io DISCONNECT, after
   * which a client stays away for good): each sees "transport close" and reconnects by itself.
   */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    this.options.hub.fanout = () => undefined;
    for (const socket of this.io.of('/').sockets.values()) socket.emit('error', RESTARTING);
    const connections = Object.values((this.io.engine as unknown as { clients: Record<string, EngineConnection> }).clients);
    const closed = Promise.all(
      connections.map((conn) => new Promise<void>((resolve) => (conn.readyState === 'closed' ? resolve() : conn.once('close', resolve)))),
    );
    // Not discarding: each flushes what it has queued (the notice) before its transport closes.
    for (const conn of connections) conn.close();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([closed, new Promise<void>((resolve) => (timer = setTimeout(resolve, SOCKET_LIMITS.closeFlushMs)))]);
    clearTimeout(timer);
    await this.io.of('/').adapter.close();
    // Not io.close(): that also closes the HTTP server and waits for its keep-alive connections; the node owns it.
    this.io.engine.close();
  }

  /** Drops this node's connections made with a revoked API key (each is told why first). */
  dropApiKey(keyId: string): void {
    for (const socket of this.io.of('/').sockets.values()) {
      const principal = (socket.data as SocketData).principal;
      if (principal?.kind !== 'app' || principal.keyId !== keyId) continue;
      socket.emit('error', gatewayErrorPayload('UNAUTHORIZED', 'The API key was revoked.'));
      socket.disconnect(true);
    }
  }

  /** Drops slow consumers, and sessions that expired (they would go on hearing private topics otherwise). */
  #sweep(): void {
    const max = this.options.limits.clientBufferBytesMax;
    const now = this.options.now();
    for (const socket of this.io.of('/').sockets.values()) {
      try {
        const principal = (socket.data as SocketData).principal;
        if (principal?.kind === 'did' && principal.expiresAtMs <= now) {
          socket.emit('error', gatewayErrorPayload('SESSION_EXPIRED', 'The session expired; log in again.'));
          socket.disconnect(true);
        } else if (pendingBytes(socket) > max) {
          socket.emit(
            'error',
            gatewayErrorPayload('SLOW_CONSUMER', `More than ${max} bytes waited to be read; reconnect and read faster.`),
          );
          socket.disconnect(true);
        }
      } catch (error) {
        this.options.log(`gateway: the slow-consumer sweep failed on a socket: ${(error as Error)?.stack ?? String(error)}`);
      }
    }
  }
}
