import type { Server as HttpServer, IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { InvokeOptions, InvokeOutcome } from '../runtime/service.ts';
import { DdpSession } from './ddp-session.ts';
import type { GatewayHub } from './hub.ts';
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
  /** Tries of a `sub` whose rule check raced a login or logout (each try re-checks under the newest principal). */
  subscribeAttemptsMax: 3,
  /** setTimeout's ceiling (2^31-1 ms); a session expiring later is re-armed when this fires. */
  timerDelayMaxMs: 2_147_483_647,
} as const;

/** Meteor's default DDP path (`ws://host/websocket`, what Meteor clients and ddp.js users connect to) and ours. */
export const DDP_PATHS = ['/ddp', '/websocket'] as const;

/** The hub as DDP uses it: the protocols' contract, plus resume() for the gap signal of a resumed `sub`. */
export type DdpHub = TopicHub & Pick<GatewayHub, 'resume'>;

export interface DdpGatewayOptions {
  server: HttpServer;
  /** The HTTP paths of the DDP websocket (default DDP_PATHS); other upgrade requests (Socket.io's, MQTT's) are left alone. */
  paths?: readonly string[];
  hub: DdpHub;
  auth: GatewayAuth;
  limits: GatewayLimits;
  /** Where `blocklet.call` goes (the blocklet runtime). */
  runtime: { invoke(name: string, options: InvokeOptions): Promise<InvokeOutcome> };
  now: () => number;
  log: (line: string) => void;
}

/**
 * DDP (Meteor's protocol, version 1) over a plain WebSocket at /ddp and /websocket (no SockJS). A topic is a publication: `sub` with the
 * topic as name sends the retained events as `added` documents of a collection named after the topic, then
 * `ready`, then an `added` per new event. Methods: `gateway.challenge`, `login`, `logout`, `publish` and
 * `blocklet.call`. Every frame is parsed; a bad one is answered `error` and the connection lives on.
 */
export class DdpGateway {
  /** The first of `paths` (`/ddp`). */
  readonly path: string;
  readonly paths: readonly string[];
  readonly #wss: WebSocketServer;
  readonly #sessions = new Set<DdpSession>();
  readonly #timer: NodeJS.Timeout;

  constructor(readonly options: DdpGatewayOptions) {
    this.paths = options.paths ?? DDP_PATHS;
    this.path = this.paths[0] ?? '/ddp';
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
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (!this.paths.includes(path)) {
      // Another protocol's upgrade (Socket.io and MQTT over WebSockets listen for their own paths); with no one
      // else listening, nobody would answer it: refuse it.
      if (this.options.server.listenerCount('upgrade') === 1) socket.destroy();
      return;
    }
    if (this.#sessions.size >= DDP_LIMITS.connectionsMax) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    // An upgrade listener that throws is an uncaught exception of the HTTP server: end this request instead.
    try {
      this.#wss.handleUpgrade(req, socket, head, (ws) => {
        const session = new DdpSession(ws, this.options, req.socket.remoteAddress);
        this.#sessions.add(session);
        ws.once('close', () => {
          session.dispose();
          this.#sessions.delete(session);
        });
      });
    } catch (error) {
      this.options.log(`ddp: an upgrade failed: ${(error as Error).stack ?? error}`);
      socket.destroy();
    }
  };
}
