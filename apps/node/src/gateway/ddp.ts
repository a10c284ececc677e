import type { Server as HttpServer, IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { InvokeOptions, InvokeOutcome } from '../runtime/service.ts';
import { DdpSession } from './ddp-session.ts';
import type { GatewayAuth, GatewayLimits, TopicHub } from './types.ts';

export const DDP_LIMITS = {
  connectionsMax: 10_000,
  /** Documents a subscription keeps on the client: past this the oldest is `removed` (topics are streams, not tables). */
  documentsPerSubscriptionMax: 100,
  /** Events held for a subscription while its retained events are read. */
  pendingEventsMax: 1000,
  methodsInFlightMax: 10,
  /** A frame may hold a payload at the gateway's bound plus this much DDP around it. */
  frameOverheadBytes: 4096,
  /** How often the server pings; a connection silent for two periods is closed. */
  heartbeatMs: 25_000,
  /** An offending frame is echoed back in `error` only below this size. */
  echoBytesMax: 1024,
} as const;

export interface DdpGatewayOptions {
  server: HttpServer;
  /** The HTTP path of the DDP websocket; other upgrade requests (Socket.io's) are left alone. */
  path?: string;
  hub: TopicHub;
  auth: GatewayAuth;
  limits: GatewayLimits;
  /** Where `blocklet.call` goes (the blocklet runtime). */
  runtime: { invoke(name: string, options: InvokeOptions): Promise<InvokeOutcome> };
  now: () => number;
  log: (line: string) => void;
}

/**
 * DDP (Meteor's protocol, version 1) over a plain WebSocket at /ddp. A topic is a publication: `sub` with the
 * topic as name sends the retained events as `added` documents of a collection named after the topic, then
 * `ready`, then an `added` per new event. Methods: `gateway.challenge`, `login`, `logout`, `publish` and
 * `blocklet.call`. Every frame is parsed; a bad one is answered `error` and the connection lives on.
 */
export class DdpGateway {
  readonly path: string;
  readonly #wss: WebSocketServer;
  readonly #sessions = new Set<DdpSession>();
  readonly #timer: NodeJS.Timeout;

  constructor(readonly options: DdpGatewayOptions) {
    this.path = options.path ?? '/ddp';
    this.#wss = new WebSocketServer({
      noServer: true,
      maxPayload: options.limits.messageBytesMax * 2 + DDP_LIMITS.frameOverheadBytes,
      perMessageDeflate: false,
    });
    options.server.on('upgrade', this.#onUpgrade);
    this.#timer = setInterval(() => {
      for (const session of this.#sessions) session.heartbeat();
    }, DDP_LIMITS.heartbeatMs);
    this.#timer.unref();
  }

  get connections(): number {
    return this.#sessions.size;
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    this.options.server.off('upgrade', this.#onUpgrade);
    for (const session of this.#sessions) session.terminate();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }

  readonly #onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== this.path) {
      // Another protocol's upgrade (Socket.io listens for its own path); with no one else listening, refuse it.
      if (this.options.server.listenerCount('upgrade') === 1) socket.destroy();
      return;
    }
    if (this.#sessions.size >= DDP_LIMITS.connectionsMax) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      const session = new DdpSession(ws, this.options, req.socket.remoteAddress);
      this.#sessions.add(session);
      ws.once('close', () => {
        session.dispose();
        this.#sessions.delete(session);
      });
    });
  };
}
