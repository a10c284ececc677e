import { randomUUID } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { Aedes, type AuthenticateError, type Client, type PublishPacket, type Subscription } from 'aedes';
import { hubTopicToMqtt, mqttFilterToHub, mqttTopicMatches, mqttTopicToHub } from './mqtt-topics.ts';
import { KeyedBuckets, TokenBucket } from './rate-limit.ts';
import { type GatewayAuth, GatewayError, type GatewayLimits, type Principal, type TopicEvent, type TopicHub } from './types.ts';

export const MQTT_LIMITS = {
  /** Open MQTT connections of one node. */
  connectionsMax: 10_000,
  /** Publishes of one connection handed to the hub and not yet answered; one more closes the connection. */
  publishesInFlightMax: 100,
  /** Longest username (a DID, or `app:` and a DID). */
  usernameBytesMax: 200,
  /** Longest password (a session token or an API key). */
  passwordBytesMax: 400,
  /** How long a client has to send CONNECT after opening the socket. */
  connectTimeoutMs: 10_000,
  /** setTimeout's ceiling: sessions expiring later are checked again then. */
  timerMsMax: 2 ** 31 - 1,
} as const;

/** The CONNACK return codes of MQTT 3.1.1 that a refused login answers with. */
const BAD_USERNAME_OR_PASSWORD = 4;
const NOT_AUTHORIZED = 5;

export interface MqttGatewayOptions {
  hub: TopicHub;
  auth: GatewayAuth;
  limits: GatewayLimits;
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  now: () => number;
  log: (line: string) => void;
  /** MQTT over TLS (mqtts) when a certificate is configured, as for HTTPS. */
  tls?: { cert: string; key: string };
}

interface Connection {
  client: Client;
  principal: Principal;
  bucket: TokenBucket;
  /** MQTT filter → the hub subscription that serves it. */
  subscriptions: Map<string, () => void>;
  /** The connection's publishes reach the hub one after the other, so their seqs keep the MQTT order. */
  publishTail: Promise<void>;
  publishesInFlight: number;
  expiryTimer: NodeJS.Timeout | null;
  closed: boolean;
}

function refusal(message: string, returnCode: number): AuthenticateError {
  return Object.assign(new Error(message), { returnCode }) as AuthenticateError;
}

/** MQTT payload bytes as a hub payload: JSON when they parse as JSON, else the UTF-8 text; other bytes are refused. */
export function decodeMqttPayload(bytes: Buffer): unknown {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new GatewayError('BAD_PAYLOAD', 'MQTT payloads must be UTF-8 text or JSON.');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** A hub event as MQTT payload bytes: the JSON of its payload. */
export function encodeMqttPayload(event: TopicEvent): Buffer {
  return Buffer.from(JSON.stringify(event.payload ?? null));
}

/**
 * The embedded MQTT broker (aedes, MQTT 3.1.1): a front door to the hub, not a broker of its own. CONNECT logs in
 * (username = DID and password = session token, or `app:<appDid>` and an API key, or neither for anonymous);
 * every SUBSCRIBE becomes a hub subscription under the hub's rules; every PUBLISH goes to hub.publish and reaches
 * subscribers of every protocol, MQTT ones included, through the hub. aedes' own routing is switched off: only
 * packets this gateway hands a client are forwarded.
 */
export class MqttGateway {
  readonly broker: Aedes;
  readonly #server: Server;
  readonly #connections = new Map<Client, Connection>();
  readonly #didBuckets: KeyedBuckets;
  /** Marks the packets the gateway delivers; aedes forwards nothing else. Random, so no client id can equal it. */
  readonly #deliveryMark = `$gateway-${randomUUID()}`;
  #port = 0;

  private constructor(
    readonly options: MqttGatewayOptions,
    broker: Aedes,
  ) {
    this.broker = broker;
    this.#didBuckets = new KeyedBuckets(options.limits.didRatePerSec, options.limits.didBurst);
    this.#server = options.tls
      ? createTlsServer({ cert: options.tls.cert, key: options.tls.key }, (socket) => broker.handle(socket))
      : createServer((socket: Socket) => broker.handle(socket));
    this.#server.maxConnections = MQTT_LIMITS.connectionsMax;
  }

  /** Starts the broker and listens on host:port. */
  static async start(options: MqttGatewayOptions): Promise<MqttGateway> {
    const broker = await Aedes.createBroker({ connectTimeout: MQTT_LIMITS.connectTimeoutMs, heartbeatInterval: 60_000 });
    const gateway = new MqttGateway(options, broker);
    broker.authenticate = (client, username, password, done) => gateway.#authenticate(client, username, password, done);
    broker.authorizeSubscribe = (client, sub, done) => gateway.#authorizeSubscribe(client, sub, done);
    broker.authorizePublish = (client, packet, done) => gateway.#authorizePublish(client, packet, done);
    broker.authorizeForward = (_client, packet) => ((packet as { clientId?: string }).clientId === gateway.#deliveryMark ? packet : null);
    broker.on('unsubscribe', (filters, client) => {
      const connection = gateway.#connections.get(client);
      for (const filter of filters) {
        connection?.subscriptions.get(filter)?.();
        connection?.subscriptions.delete(filter);
      }
    });
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
    return gateway;
  }

  get port(): number {
    return this.#port;
  }

  get url(): string {
    return `mqtt://${this.options.host}:${this.#port}`;
  }

  async close(): Promise<void> {
    for (const connection of this.#connections.values()) this.#release(connection);
    const serverClosed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    await new Promise<void>((resolve) => this.broker.close(() => resolve()));
    await serverClosed;
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
      (principal) => {
        if (!claims(username, principal)) return done(refusal('the credential is not the username’s', NOT_AUTHORIZED), false);
        if (client.closed) return done(null, false);
        this.#open(client, principal);
        done(null, true);
      },
      (error: unknown) => {
        if (!(error instanceof GatewayError)) this.options.log(`mqtt: login failed: ${(error as Error).stack ?? error}`);
        done(refusal(error instanceof GatewayError ? error.message : 'login failed', BAD_USERNAME_OR_PASSWORD), false);
      },
    );
  }

  #open(client: Client, principal: Principal): void {
    const { limits, now } = this.options;
    const connection: Connection = {
      client,
      principal,
      bucket: new TokenBucket(limits.connectionRatePerSec, limits.connectionBurst, now()),
      subscriptions: new Map(),
      publishTail: Promise.resolve(),
      publishesInFlight: 0,
      expiryTimer: null,
      closed: false,
    };
    this.#connections.set(client, connection);
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
  }

  /** Refusal is a SUBACK failure (0x80) for that filter; the connection stays. Granted QoS is 0: the hub delivers at most once. */
  #authorizeSubscribe(client: Client, sub: Subscription, done: (error: Error | null, sub?: Subscription | null) => void) {
    const connection = this.#connections.get(client);
    const mapped = mqttFilterToHub(sub.topic);
    if (!connection || !mapped) return done(null, null);
    if (connection.subscriptions.has(sub.topic)) return done(null, { ...sub, qos: 0 });
    if (connection.subscriptions.size >= this.options.limits.subscriptionsPerConnectionMax) return done(null, null);
    const deliver = (event: TopicEvent) => this.#deliver(connection, mapped.filter, event);
    this.options.hub
      .subscribe(connection.principal, mapped.hubTopic, deliver, { ip: (client.conn as { remoteAddress?: string }).remoteAddress ?? '' })
      .then(
        (unsubscribe) => {
          if (connection.closed || connection.subscriptions.has(sub.topic)) {
            unsubscribe();
            return done(null, connection.closed ? null : { ...sub, qos: 0 });
          }
          connection.subscriptions.set(sub.topic, unsubscribe);
          done(null, { ...sub, qos: 0 });
        },
        (error: unknown) => {
          if (!(error instanceof GatewayError)) this.options.log(`mqtt: subscribe failed: ${(error as Error).stack ?? error}`);
          done(null, null);
        },
      );
  }

  #deliver(connection: Connection, filter: string, event: TopicEvent): void {
    const topic = hubTopicToMqtt(event.topic);
    if (topic === null || !mqttTopicMatches(filter, topic) || connection.closed) return;
    if (connection.client.conn.writableLength > this.options.limits.clientBufferBytesMax) {
      // A slow consumer is dropped rather than buffered without bound; it reconnects when it can read again.
      connection.client.close();
      return;
    }
    const packet = {
      cmd: 'publish',
      topic,
      payload: encodeMqttPayload(event),
      qos: 0,
      retain: false,
      dup: false,
      clientId: this.#deliveryMark,
    };
    connection.client.publish(packet as PublishPacket, () => undefined);
  }

  /**
   * MQTT 3.1.1 cannot tell a publisher "refused": a refused PUBLISH closes the connection (MQTT-3.3.5-2). An
   * accepted one is acknowledged (QoS 1/2) only after the hub took it.
   */
  #authorizePublish(client: Client | null, packet: PublishPacket, done: (error?: Error | null) => void) {
    const connection = client ? this.#connections.get(client) : undefined;
    if (!connection) return done(new GatewayError('UNAUTHORIZED', 'not logged in'));
    const { limits, now, hub } = this.options;
    const principal = connection.principal;
    let topic: string | null;
    let payload: unknown;
    try {
      topic = mqttTopicToHub(packet.topic);
      if (topic === null) throw new GatewayError('BAD_PAYLOAD', `${packet.topic.slice(0, 200)} has no gateway topic.`);
      const bytes = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
      if (bytes.length > limits.messageBytesMax) throw new GatewayError('TOO_LARGE', `payload over ${limits.messageBytesMax} bytes`);
      payload = decodeMqttPayload(bytes);
      if (principal.kind === 'did' && principal.expiresAtMs <= now())
        throw new GatewayError('SESSION_EXPIRED', 'The session expired; log in again.');
      const t = now();
      const key = principal.kind === 'did' ? principal.did : principal.kind === 'app' ? `app:${principal.appDid}` : null;
      if (!connection.bucket.take(t) || (key !== null && !this.#didBuckets.take(key, t)))
        throw new GatewayError('RATE_LIMITED', 'Too many messages.');
      if (connection.publishesInFlight >= MQTT_LIMITS.publishesInFlightMax)
        throw new GatewayError('RATE_LIMITED', 'Too many publishes in flight.');
    } catch (error) {
      return done(error as Error);
    }
    // aedes keeps retained messages of its own; the hub keeps the gateway's, so nothing is retained here.
    packet.retain = false;
    connection.publishesInFlight += 1;
    const hubTopic = topic;
    const published = connection.publishTail.then(() => hub.publish(principal, hubTopic, payload));
    connection.publishTail = published.then(
      () => undefined,
      () => undefined,
    );
    published.then(
      () => {
        connection.publishesInFlight -= 1;
        done(null);
      },
      (error: unknown) => {
        connection.publishesInFlight -= 1;
        if (!(error instanceof GatewayError)) this.options.log(`mqtt: publish failed: ${(error as Error).stack ?? error}`);
        done(error as Error);
      },
    );
  }
}

/** True when the username names the principal its credential resolved to (anonymous: no username). */
function claims(username: string | undefined, principal: Principal): boolean {
  if (!username) return principal.kind === 'anonymous';
  if (principal.kind === 'did') return username === principal.did;
  if (principal.kind === 'app') return username === `app:${principal.appDid}`;
  return false;
}
