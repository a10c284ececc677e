import type { Server as HttpServer, IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { createWebSocketStream, type WebSocket, WebSocketServer } from 'ws';

/**
 * MQTT over WebSockets (what browser MQTT clients such as mqtt.js speak) on the node's HTTP port: each WebSocket
 * becomes a byte stream handed to the same broker as a TCP connection, so login, rules and limits are the same.
 */
export interface MqttWebSocketOptions {
  server: HttpServer;
  /** The HTTP path; other upgrade requests (Socket.io's, DDP's) are left to their own listeners. */
  path: string;
  /** Open MQTT-over-WebSocket connections; past it the upgrade is answered 503. */
  connectionsMax: number;
  /** Largest WebSocket message (one or more MQTT packets); larger closes the socket (1009). */
  frameBytesMax: number;
  /** Hands the stream to the broker (aedes' handle). */
  handle: (stream: Duplex, req: IncomingMessage) => void;
  log: (line: string) => void;
}

/** The WebSocket of each stream, so the broker can see how much is queued for a client (slow consumers). */
const socketOfStream = new WeakMap<object, WebSocket>();

/** Bytes queued for a client on a stream: the stream's own buffer plus, over WebSockets, what the socket holds. */
export function backlogBytesOf(conn: { writableLength?: number }): number {
  return (conn.writableLength ?? 0) + (socketOfStream.get(conn)?.bufferedAmount ?? 0);
}

/** The MQTT subprotocols browser clients ask for: `mqtt` (3.1.1 and 5) and `mqttv3.1`. */
const SUBPROTOCOLS = ['mqtt', 'mqttv3.1'];

export class MqttWebSocket {
  readonly #wss: WebSocketServer;
  #open = 0;

  constructor(readonly options: MqttWebSocketOptions) {
    this.#wss = new WebSocketServer({
      noServer: true,
      maxPayload: options.frameBytesMax,
      perMessageDeflate: false,
      handleProtocols: (protocols) => SUBPROTOCOLS.find((name) => protocols.has(name)) ?? false,
    });
    options.server.on('upgrade', this.#onUpgrade);
  }

  get connections(): number {
    return this.#open;
  }

  async close(): Promise<void> {
    this.options.server.off('upgrade', this.#onUpgrade);
    for (const ws of this.#wss.clients) ws.terminate();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }

  readonly #onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== this.options.path) {
      // Another protocol's upgrade; with no one else listening, nobody will answer it.
      if (this.options.server.listenerCount('upgrade') === 1) socket.destroy();
      return;
    }
    if (this.#open >= this.options.connectionsMax) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      this.#open += 1;
      ws.once('close', () => {
        this.#open -= 1;
      });
      const stream = createWebSocketStream(ws);
      // A socket error ends this connection only; aedes listens too, but not before handle() below.
      stream.on('error', (error) => this.options.log(`mqtt-ws: ${error.message}`));
      socketOfStream.set(stream, ws);
      // aedes and the gateway read the client address from the connection, as on TCP.
      Object.defineProperty(stream, 'remoteAddress', { value: req.socket.remoteAddress, enumerable: true });
      try {
        this.options.handle(stream, req);
      } catch (error) {
        this.options.log(`mqtt-ws: a connection failed to start: ${(error as Error).stack ?? error}`);
        ws.terminate();
      }
    });
  };
}
