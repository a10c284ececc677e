import { randomUUID } from 'node:crypto';
import type { Server as HttpServer, IncomingMessage } from 'node:http';
import { createServer, type Server } from 'node:net';
import type { Duplex } from 'node:stream';
import { createServer as createTlsServer } from 'node:tls';
import { Aedes, type Client } from 'aedes';
import type { GatewayHub } from './hub.ts';
import { attachPacketHooks } from './mqtt-aedes.ts';
import { MQTT_LIMITS } from './mqtt-connection.ts';
import { MqttPublishes } from './mqtt-publish.ts';
import { MqttRetained, type MqttRetainedLimits } from './mqtt-retained.ts';
import { MqttSessions } from './mqtt-sessions.ts';
import { MqttSubscriptions } from './mqtt-subscriptions.ts';
import { MqttWebSocket } from './mqtt-ws.ts';
import type { GatewayAuth, GatewayLimits } from './types.ts';

export { MQTT_LIMITS } from './mqtt-connection.ts';
export { decodeMqttPayload, encodeMqttPayload } from './mqtt-payload.ts';

/** What the broker needs of the hub: publish with raw bytes, subscribe under the rules and budgets. */
export type MqttHub = Pick<GatewayHub, 'publish' | 'subscribe'>;

export interface MqttGatewayOptions {
  hub: MqttHub;
  auth: GatewayAuth;
  limits: GatewayLimits;
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  now: () => number;
  log: (line: string) => void;
  /** MQTT over TLS (mqtts) when a certificate is configured, as for HTTPS. */
  tls?: { cert: string; key: string };
  /** MQTT over WebSockets at MQTT_LIMITS.webSocketPath on this HTTP server (the node's). */
  httpServer?: HttpServer;
  /** Overrides of the retained-message bounds (tests). */
  retained?: Partial<MqttRetainedLimits>;
}

/**
 * The embedded MQTT broker (aedes, MQTT 3.1.1): a front door to the hub, not a broker of its own. CONNECT logs in
 * (username = DID and password = session token, or `app:<appDid>` and an API key, or neither for anonymous);
 * every SUBSCRIBE becomes a hub subscription under the hub's rules; every PUBLISH goes to hub.publish with its
 * bytes and reaches subscribers of every protocol through the hub. aedes' own routing is switched off: only
 * packets this gateway hands a client are forwarded. Every hook of ours turns a throw into a refusal of that
 * message or a closed connection, never a crash (see #guard).
 */
export class MqttGateway {
  readonly broker: Aedes;
  /** The last retained message per MQTT topic. */
  readonly retained: MqttRetained;
  readonly #server: Server;
  readonly #sessions: MqttSessions;
  readonly #subscriptions: MqttSubscriptions;
  readonly #publishes: MqttPublishes;
  /** Marks the packets the gateway delivers; aedes forwards nothing else. Random, so no client id can equal it. */
  readonly #deliveryMark = `$gateway-${randomUUID()}`;
  #webSocket: MqttWebSocket | null = null;
  #port = 0;

  private constructor(
    readonly options: MqttGatewayOptions,
    broker: Aedes,
  ) {
    this.broker = broker;
    this.retained = new MqttRetained({
      topicsMax: MQTT_LIMITS.retainedTopicsMax,
      bytesMax: MQTT_LIMITS.retainedBytesMax,
      perSubscribeMax: MQTT_LIMITS.retainedPerSubscribeMax,
      ...options.retained,
    });
    const { hub, auth, limits, now, log } = options;
    this.#sessions = new MqttSessions({ auth, limits, now, log }, (hook, client, run, refuse) => this.#guard(hook, client, run, refuse));
    const { connections } = this.#sessions;
    const { retained } = this;
    this.#subscriptions = new MqttSubscriptions({ hub, auth, limits, log, connections, retained, deliveryMark: this.#deliveryMark });
    this.#publishes = new MqttPublishes({ hub, limits, retained, now, log });
    this.#server = options.tls
      ? createTlsServer({ cert: options.tls.cert, key: options.tls.key }, (socket) => this.#accept(socket))
      : createServer((socket) => this.#accept(socket));
    this.#server.maxConnections = MQTT_LIMITS.connectionsMax;
  }

  /** Starts the broker, listens on host:port, and serves MQTT over WebSockets on the HTTP server when given. */
  static async start(options: MqttGatewayOptions): Promise<MqttGateway> {
    const broker = await Aedes.createBroker({
      connectTimeout: MQTT_LIMITS.connectTimeoutMs,
      heartbeatInterval: 60_000,
      maxInflightInbound: MQTT_LIMITS.qos2AwaitingReleaseMax,
    });
    const gateway = new MqttGateway(options, broker);
    const guard = gateway.#guard.bind(gateway);
    broker.preConnect = (client, packet, done) =>
      guard(
        'preConnect',
        client,
        () => gateway.#sessions.preConnect(client, packet, done),
        () => done(null, false),
      );
    broker.authenticate = (client, username, password, done) =>
      guard(
        'authenticate',
        client,
        () => gateway.#sessions.authenticate(client, username, password, done),
        () => done(null, false),
      );
    broker.authorizeSubscribe = (client, sub, done) =>
      guard(
        'subscribe',
        client,
        () => gateway.#subscriptions.authorize(client, sub, done),
        () => done(null, null),
      );
    broker.authorizePublish = (client, packet, done) =>
      guard(
        'publish',
        client,
        () => gateway.#publishes.authorize(client ? gateway.#sessions.connections.get(client) : undefined, packet, done),
        () => done(new Error('refused')),
      );
    broker.authorizeForward = (_client, packet) => ((packet as { clientId?: string }).clientId === gateway.#deliveryMark ? packet : null);
    broker.on('subscribe', (subs, client) =>
      guard(
        'retained',
        client,
        () => gateway.#subscriptions.sendRetained(client, subs),
        () => undefined,
      ),
    );
    broker.on('unsubscribe', (filters, client) =>
      guard(
        'unsubscribe',
        client,
        () => gateway.#subscriptions.unsubscribe(client, filters),
        () => undefined,
      ),
    );
    // aedes emits 'error' when its persistence fails; unheard, an EventEmitter 'error' would end the process.
    (broker as unknown as NodeJS.EventEmitter).on('error', (error: Error) => options.log(`mqtt: broker error: ${error.stack ?? error}`));
    await new Promise<void>((resolve, reject) => {
      const failed = (error: NodeJS.ErrnoException) => {
        broker.close();
        const inUse = `The MQTT port ${options.port} is in use; set MQTT_PORT to a free port, or to off.`;
        reject(error.code === 'EADDRINUSE' ? new Error(inUse, { cause: error }) : error);
      };
      gateway.#server.once('error', failed);
      gateway.#server.listen(options.port, options.host, () => {
        gateway.#server.off('error', failed);
        resolve();
      });
    });
    const address = gateway.#server.address();
    gateway.#port = typeof address === 'object' && address ? address.port : options.port;
    if (options.httpServer) {
      gateway.#webSocket = new MqttWebSocket({
        server: options.httpServer,
        path: MQTT_LIMITS.webSocketPath,
        connectionsMax: MQTT_LIMITS.connectionsMax,
        frameBytesMax: options.limits.messageBytesMax * 2 + MQTT_LIMITS.packetOverheadBytes,
        handle: (stream, req) => gateway.#accept(stream, req),
        log: options.log,
      });
    }
    return gateway;
  }

  get port(): number {
    return this.#port;
  }

  get url(): string {
    return `mqtt://${this.options.host}:${this.#port}`;
  }

  /** What the broker holds now (tests and operators): logged-in connections and their subscriptions. */
  stats(): { connections: number; subscriptions: number; retainedTopics: number } {
    const { connections } = this.#sessions;
    let subscriptions = 0;
    for (const connection of connections.values()) subscriptions += connection.subscriptions.size;
    return { connections: connections.size, subscriptions, retainedTopics: this.retained.stats().topics };
  }

  async close(): Promise<void> {
    await this.#webSocket?.close();
    for (const connection of [...this.#sessions.connections.values()]) this.#sessions.release(connection);
    const serverClosed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    await new Promise<void>((resolve) => this.broker.close(() => resolve()));
    await serverClosed;
  }

  /** A new connection (TCP, TLS or WebSocket stream): aedes takes it, with the gateway's packet hooks on. */
  #accept(stream: Duplex, req?: IncomingMessage): void {
    stream.on('error', () => undefined); // aedes closes the client on errors; this keeps a late one from escaping
    try {
      const client = this.broker.handle(stream, req);
      attachPacketHooks(client, {
        packetBytesMax: this.options.limits.messageBytesMax + MQTT_LIMITS.packetOverheadBytes,
        onPubrel: (messageId) => this.#sessions.connections.get(client)?.qos2AwaitingRelease.delete(messageId),
        onRefused: (reason) => this.options.log(`mqtt: connection closed: ${reason}`),
      });
    } catch (error) {
      this.options.log(`mqtt: a connection failed to start: ${(error as Error).stack ?? error}`);
      stream.destroy();
    }
  }

  /**
   * Runs one of our aedes hooks so that a throw in it ends only that connection (or refuses that message) and
   * is logged: a bug or a frame we did not foresee must not end the process.
   */
  #guard(hook: string, client: Client | null, run: () => void, refuse: () => void): void {
    try {
      run();
    } catch (error) {
      this.options.log(`mqtt: the ${hook} hook failed: ${(error as Error).stack ?? error}`);
      try {
        refuse();
      } finally {
        client?.conn.destroy();
      }
    }
  }
}
