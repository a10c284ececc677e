import { randomUUID } from 'node:crypto';
import type { Server as HttpServer, IncomingMessage } from 'node:http';
import { createServer, type Server } from 'node:net';
import type { Duplex } from 'node:stream';
import { createServer as createTlsServer } from 'node:tls';
import { Aedes, type AuthenticateError, type Client, type ConnectPacket, type PublishPacket, type Subscription } from 'aedes';
import { clientKeyOf } from './auth.ts';
import type { GatewayHub } from './hub.ts';
import { attachPacketHooks, CONNACK_V5_UNSUPPORTED_VERSION } from './mqtt-aedes.ts';
import {
  addressOf,
  BAD_USERNAME_OR_PASSWORD,
  type Connection,
  claims,
  IDENTIFIER_REJECTED,
  MQTT_LIMITS,
  NOT_AUTHORIZED,
  refusal,
  SUBACK_FAILURE,
  samePrincipal,
} from './mqtt-connection.ts';
import { encodeMqttPayload } from './mqtt-payload.ts';
import { MqttPublishes } from './mqtt-publish.ts';
import { MqttRetained, type MqttRetainedLimits } from './mqtt-retained.ts';
import { hubTopicToMqtt, mqttFilterToHub, mqttTopicMatches, mqttTopicToHub } from './mqtt-topics.ts';
import { backlogBytesOf, MqttWebSocket } from './mqtt-ws.ts';
import { TokenBucket } from './rate-limit.ts';
import { type GatewayAuth, GatewayError, type GatewayLimits, type Principal, type TopicEvent } from './types.ts';

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
  readonly #connections = new Map<Client, Connection>();
  /** Who holds each client id, so a client id cannot be taken over by someone else. */
  readonly #byClientId = new Map<string, Connection>();
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
    const { hub, limits, now, log } = options;
    this.#publishes = new MqttPublishes({ hub, limits, retained: this.retained, now, log });
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
        () => gateway.#preConnect(client, packet, done),
        () => done(null, false),
      );
    broker.authenticate = (client, username, password, done) =>
      guard(
        'authenticate',
        client,
        () => gateway.#authenticate(client, username, password, done),
        () => done(null, false),
      );
    broker.authorizeSubscribe = (client, sub, done) =>
      guard(
        'subscribe',
        client,
        () => gateway.#authorizeSubscribe(client, sub, done),
        () => done(null, null),
      );
    broker.authorizePublish = (client, packet, done) =>
      guard(
        'publish',
        client,
        () => gateway.#publishes.authorize(client ? gateway.#connections.get(client) : undefined, packet, done),
        () => done(new Error('refused')),
      );
    broker.authorizeForward = (_client, packet) => ((packet as { clientId?: string }).clientId === gateway.#deliveryMark ? packet : null);
    broker.on('subscribe', (subs, client) =>
      guard(
        'retained',
        client,
        () => gateway.#sendRetained(client, subs),
        () => undefined,
      ),
    );
    broker.on('unsubscribe', (filters, client) =>
      guard(
        'unsubscribe',
        client,
        () => gateway.#unsubscribe(client, filters),
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
    let subscriptions = 0;
    for (const connection of this.#connections.values()) subscriptions += connection.subscriptions.size;
    return { connections: this.#connections.size, subscriptions, retainedTopics: this.retained.stats().topics };
  }

  async close(): Promise<void> {
    await this.#webSocket?.close();
    for (const connection of this.#connections.values()) this.#release(connection);
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
        onPubrel: (messageId) => this.#connections.get(client)?.qos2AwaitingRelease.delete(messageId),
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

  /** MQTT 5 is answered in its own version ("unsupported protocol version"), then closed: aedes speaks 3.1.1. */
  #preConnect(client: Client, packet: ConnectPacket, done: (error: Error | null, ok: boolean) => void): void {
    if ((packet.protocolVersion as number) === 5) {
      client.conn.end(CONNACK_V5_UNSUPPORTED_VERSION);
      done(null, false);
      return;
    }
    done(null, true);
  }

  #authenticate(
    client: Client,
    username: string | undefined,
    password: Buffer | undefined,
    done: (error: AuthenticateError | null, ok: boolean | null) => void,
  ) {
    const credential = password?.toString('utf8') ?? '';
    if ((username?.length ?? 0) > MQTT_LIMITS.usernameBytesMax || credential.length > MQTT_LIMITS.passwordBytesMax)
      return done(refusal('username or password too long', BAD_USERNAME_OR_PASSWORD), false);
    if (!username && credential) return done(refusal('a password needs a username', BAD_USERNAME_OR_PASSWORD), false);
    if (username && !credential) return done(refusal('a username needs a password', BAD_USERNAME_OR_PASSWORD), false);
    this.options.auth.resolve(credential || null).then(
      (principal) =>
        this.#guard(
          'authenticate',
          client,
          () => this.#loggedIn(client, username, principal, done),
          () => done(null, false),
        ),
      (error: unknown) => {
        if (!(error instanceof GatewayError)) this.options.log(`mqtt: login failed: ${(error as Error).stack ?? error}`);
        done(refusal(error instanceof GatewayError ? error.message : 'login failed', BAD_USERNAME_OR_PASSWORD), false);
      },
    );
  }

  #loggedIn(
    client: Client,
    username: string | undefined,
    principal: Principal,
    done: (error: AuthenticateError | null, ok: boolean | null) => void,
  ): void {
    if (!claims(username, principal)) {
      done(refusal('the credential is not the username’s', NOT_AUTHORIZED), false);
      return;
    }
    if (client.closed) {
      done(null, false);
      return;
    }
    const address = clientKeyOf(addressOf(client));
    // A client id in use is taken over (MQTT-3.1.4-2) only by the same principal; anyone else is refused.
    const holder = this.#byClientId.get(client.id);
    if (holder && !holder.closed && !samePrincipal(holder, principal, address)) {
      done(refusal('the client id is in use by another user; choose another one', IDENTIFIER_REJECTED), false);
      return;
    }
    this.#open(client, principal, address);
    done(null, true);
  }

  #open(client: Client, principal: Principal, address: string): void {
    const { limits, now } = this.options;
    const connection: Connection = {
      client,
      principal,
      address,
      bucket: new TokenBucket(limits.connectionRatePerSec, limits.connectionBurst, now()),
      subscriptions: new Map(),
      subscribesPending: 0,
      qos2AwaitingRelease: new Set(),
      publishTail: Promise.resolve(),
      publishesInFlight: 0,
      expiryTimer: null,
      closed: false,
    };
    this.#connections.set(client, connection);
    this.#byClientId.set(client.id, connection);
    client.conn.once('close', () => this.#release(connection));
    if (principal.kind === 'did') this.#closeAtExpiry(connection, principal.expiresAtMs);
  }

  #closeAtExpiry(connection: Connection, expiresAtMs: number): void {
    const waitMs = Math.min(Math.max(0, expiresAtMs - this.options.now()), MQTT_LIMITS.timerMsMax);
    connection.expiryTimer = setTimeout(() => {
      if (this.options.now() >= expiresAtMs) connection.client.close();
      else this.#closeAtExpiry(connection, expiresAtMs);
    }, waitMs);
    connection.expiryTimer.unref();
  }

  #release(connection: Connection): void {
    if (connection.closed) return;
    connection.closed = true;
    if (connection.expiryTimer) clearTimeout(connection.expiryTimer);
    for (const unsubscribe of connection.subscriptions.values()) unsubscribe();
    connection.subscriptions.clear();
    this.#connections.delete(connection.client);
    if (this.#byClientId.get(connection.client.id) === connection) this.#byClientId.delete(connection.client.id);
  }

  /**
   * Refusal is a SUBACK failure (0x80) for that filter; the connection stays. Granted QoS is 0 (set before aedes
   * answers, mqtt-aedes.ts): the hub delivers at most once. The per-connection bound counts subscribes still
   * waiting for the rule check, so subscribes pipelined in one write cannot all pass it.
   */
  #authorizeSubscribe(client: Client, sub: Subscription, done: (error: Error | null, sub?: Subscription | null) => void) {
    const connection = this.#connections.get(client);
    const mapped = mqttFilterToHub(sub.topic);
    if (!connection || !mapped) return done(null, null);
    const granted = { ...sub, qos: 0 } as Subscription;
    if (connection.subscriptions.has(sub.topic)) return done(null, granted);
    if (connection.subscriptions.size + connection.subscribesPending >= this.options.limits.subscriptionsPerConnectionMax)
      return done(null, null);
    connection.subscribesPending += 1;
    const deliver = (event: TopicEvent) => this.#deliver(connection, mapped.filter, event);
    this.options.hub.subscribe(connection.principal, mapped.hubTopic, deliver, { ip: addressOf(client) }).then(
      (unsubscribe) => {
        connection.subscribesPending -= 1;
        if (connection.closed || connection.subscriptions.has(sub.topic)) {
          unsubscribe();
          return done(null, connection.closed ? null : granted);
        }
        connection.subscriptions.set(sub.topic, unsubscribe);
        done(null, granted);
      },
      (error: unknown) => {
        connection.subscribesPending -= 1;
        if (!(error instanceof GatewayError)) this.options.log(`mqtt: subscribe failed: ${(error as Error).stack ?? error}`);
        done(null, null);
      },
    );
  }

  #unsubscribe(client: Client, filters: string[]): void {
    const connection = this.#connections.get(client);
    if (!connection) return;
    for (const filter of filters) {
      connection.subscriptions.get(filter)?.();
      connection.subscriptions.delete(filter);
    }
  }

  /**
   * After a SUBACK: the retained messages of the granted filters, flagged retain, each only when the subscriber
   * may subscribe to that very topic (a filter's pattern may cover topics under other rules, and rules change).
   */
  #sendRetained(client: Client, subs: Subscription[]): void {
    const connection = this.#connections.get(client);
    if (!connection) return;
    for (const sub of subs) {
      if ((sub.qos as number) === SUBACK_FAILURE || !connection.subscriptions.has(sub.topic)) continue;
      for (const message of this.retained.matching(sub.topic)) {
        const hubTopic = mqttTopicToHub(message.topic);
        if (hubTopic === null) continue;
        this.options.auth.canSubscribe(connection.principal, hubTopic).then(
          (allowed) => {
            if (allowed) this.#send(connection, message.topic, Buffer.from(message.bytes), true);
          },
          (error: unknown) => this.options.log(`mqtt: a retained message was not sent: ${(error as Error).message}`),
        );
      }
    }
  }

  #deliver(connection: Connection, filter: string, event: TopicEvent): void {
    const topic = hubTopicToMqtt(event.topic);
    if (topic === null || !mqttTopicMatches(filter, topic)) return;
    this.#send(connection, topic, encodeMqttPayload(event), false);
  }

  #send(connection: Connection, topic: string, payload: Buffer, retain: boolean): void {
    if (connection.closed) return;
    if (backlogBytesOf(connection.client.conn) > this.options.limits.clientBufferBytesMax) {
      // A slow consumer is dropped rather than buffered without bound; it reconnects when it can read again.
      connection.client.close();
      return;
    }
    const packet = { cmd: 'publish', topic, payload, qos: 0, retain, dup: false, clientId: this.#deliveryMark };
    connection.client.publish(packet as PublishPacket, () => undefined);
  }
}
