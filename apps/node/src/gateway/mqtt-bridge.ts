import { createHash, randomUUID } from 'node:crypto';
import mqtt, { type IPublishPacket, type MqttClient } from 'mqtt';
import { decodeMqttPayload, encodeMqttPayload } from './mqtt-payload.ts';
import { hubTopicToMqtt, mqttFilterToHub, mqttTopicMatches, mqttTopicToHub } from './mqtt-topics.ts';
import { TokenBucket } from './rate-limit.ts';
import { GatewayError, type GatewayLimits, type Principal, type RawPayload, type TopicEvent, type TopicHub } from './types.ts';

export const BRIDGE_LIMITS = {
  /** Bridged filters. */
  filtersMax: 100,
  /** Messages taken from the external broker and not yet in the hub; more are dropped (and counted). */
  importsInFlightMax: 1000,
  /** Messages just imported, remembered so the hub's echo of them is not sent back out. */
  recentImportsMax: 10_000,
  recentImportTtlMs: 30_000,
  connectTimeoutMs: 10_000,
  reconnectPeriodMs: 2_000,
  /** Characters of an MQTT 5 content type kept with an import; a longer one drops the message (BAD_PAYLOAD). */
  contentTypeLengthMax: 256,
  /** Characters of an unexpected error's message logged for a dropped message. */
  errorLogLengthMax: 500,
} as const;

/**
 * Who the bridge publishes imports as. `bridge` (the default): its own principal, which the rules count as
 * authenticated but never as the application, so an import lands only where the application's rule admits
 * `authenticated` or `anyone` (whoever can reach the external broker can publish there). `owner`: as the
 * application itself, for an operator who trusts everyone on the external broker (MQTT_BRIDGE_IMPORT_AS=owner).
 */
export type BridgeImportAs = 'bridge' | 'owner';

/** The MQTT 5 user property on every message the bridge sends out: the bridge that sent it. */
export const ORIGIN_PROPERTY = 'arc-origin';

export interface MqttBridgeOptions {
  /** The external broker, e.g. mqtt://127.0.0.1:1883 (MQTT 5). */
  url: string;
  /** MQTT filters bridged both ways, e.g. `app/z1abc/#`. */
  filters: string[];
  /** The application of the bridge's API key: the bridge reads the hub's events (exports) as it. */
  principal: Extract<Principal, { kind: 'app' }>;
  /** Who imports are published as (default `bridge`; see BridgeImportAs). */
  importAs?: BridgeImportAs;
  hub: TopicHub;
  limits: GatewayLimits;
  /** Marks what this bridge sent out, so it does not take it back in. */
  originId: string;
  username?: string;
  password?: string;
  now: () => number;
  log: (line: string) => void;
}

export interface BridgeStats {
  imported: number;
  exported: number;
  /**
   * Messages dropped, by reason: a GatewayError code (FORBIDDEN: the rules keep the bridge's principal from the
   * topic), LOOP for echoes of our own, DISCONNECTED, or INTERNAL for a fault of ours (logged with its message).
   */
  dropped: Record<string, number>;
}

/**
 * Carries the bridged topics between the hub and an external MQTT broker, both ways. Loops are cut twice:
 * messages the bridge sends out carry the user property `arc-origin` (and its subscriptions are no-local), and
 * an event the bridge just imported into the hub is recognised (topic + payload) and not exported again.
 */
export class MqttBridge {
  readonly stats: BridgeStats = { imported: 0, exported: 0, dropped: {} };
  readonly #client: MqttClient;
  readonly #unsubscribes: (() => void)[] = [];
  /** `topic\nSHA-256 of the payload bytes` → expiry time of each recent import (one entry per message). */
  readonly #recentImports = new Map<string, number[]>();
  readonly #bucket: TokenBucket;
  #importTail: Promise<void> = Promise.resolve();
  #importsInFlight = 0;
  #isSubscribed = false;
  readonly #onSubscribed: (() => void)[] = [];
  /** Who imports are published as in the hub. */
  readonly importer: Principal;

  private constructor(
    readonly options: MqttBridgeOptions,
    client: MqttClient,
  ) {
    this.#client = client;
    this.#bucket = new TokenBucket(options.limits.didRatePerSec, options.limits.didBurst, options.now());
    this.importer =
      options.importAs === 'owner'
        ? options.principal
        : { kind: 'bridge', appDid: options.principal.appDid, broker: brokerOf(options.url) };
  }

  /**
   * Subscribes in the hub and connects to the external broker in the background (a broker that is down does not
   * hold the node up: the bridge keeps reconnecting, and what it would export meanwhile is dropped and counted).
   */
  static async start(options: MqttBridgeOptions): Promise<MqttBridge> {
    if (options.filters.length === 0 || options.filters.length > BRIDGE_LIMITS.filtersMax)
      throw new Error(`MQTT_BRIDGE_TOPICS needs 1 to ${BRIDGE_LIMITS.filtersMax} MQTT filters.`);
    const mapped = options.filters.map((filter) => {
      const subscription = mqttFilterToHub(filter);
      if (!subscription) throw new Error(`MQTT_BRIDGE_TOPICS: ${filter} has no gateway topic; see gateway/PROTOCOLS.md.`);
      return subscription;
    });
    const client = mqtt.connect(options.url, {
      protocolVersion: 5,
      clientId: `arc-bridge-${randomUUID()}`,
      clean: true,
      connectTimeout: BRIDGE_LIMITS.connectTimeoutMs,
      reconnectPeriod: BRIDGE_LIMITS.reconnectPeriodMs,
      // Nothing piles up while the external broker is away: QoS 0 messages are dropped, not queued.
      queueQoSZero: false,
      // Subscribed again on every connect below; mqtt.js' own resubscribe would do it twice.
      resubscribe: false,
      ...(options.username === undefined ? {} : { username: options.username }),
      ...(options.password === undefined ? {} : { password: options.password }),
    });
    const bridge = new MqttBridge(options, client);
    client.on('error', (error) => options.log(`mqtt bridge: ${error.message}`));
    // Whatever arrives, nothing it carries may end the node: a throw drops that message (counted, logged).
    client.on('message', (topic, payload, packet) => bridge.#guard(() => bridge.#import(topic, payload, packet)));
    client.on('connect', () => {
      // No-local: what the bridge publishes there does not come back to it.
      const subscriptions = Object.fromEntries(options.filters.map((topic) => [topic, { qos: 0 as const, nl: true }]));
      client.subscribeAsync(subscriptions).then(
        () => bridge.#markSubscribed(),
        (error: unknown) => options.log(`mqtt bridge: subscribing at ${options.url} failed: ${(error as Error).message}`),
      );
    });
    try {
      for (const { hubTopic, filter } of mapped)
        bridge.#unsubscribes.push(
          await options.hub.subscribe(options.principal, hubTopic, (event) => bridge.#guard(() => bridge.#export(filter, event)), {
            ip: '',
          }),
        );
    } catch (error) {
      await bridge.close();
      throw error;
    }
    return bridge;
  }

  /** Resolves once the bridge is connected and subscribed at the external broker (rejects after `timeoutMs`). */
  subscribed(timeoutMs = BRIDGE_LIMITS.connectTimeoutMs): Promise<void> {
    if (this.#isSubscribed) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the MQTT bridge did not subscribe at ${this.options.url} in ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.#onSubscribed.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  #markSubscribed(): void {
    this.#isSubscribed = true;
    for (const notify of this.#onSubscribed.splice(0)) notify();
  }

  async close(): Promise<void> {
    for (const unsubscribe of this.#unsubscribes.splice(0)) unsubscribe();
    await this.#client.endAsync(true);
    await this.#importTail;
  }

  /** Runs one message's work; a throw drops the message as INTERNAL (a bug of ours: logged with its message). */
  #guard(work: () => void): void {
    try {
      work();
    } catch (error) {
      this.#fault(error);
    }
  }

  #fault(error: unknown): void {
    if (error instanceof GatewayError) {
      this.#drop(error.code);
      return;
    }
    this.#drop('INTERNAL');
    const text = error instanceof Error ? error.message : String(error);
    this.options.log(`mqtt bridge: a message failed: ${text.slice(0, BRIDGE_LIMITS.errorLogLengthMax)}`);
  }

  #drop(reason: string): void {
    const count = (this.stats.dropped[reason] ?? 0) + 1;
    this.stats.dropped[reason] = count;
    // The first of each reason, then every thousandth: enough to notice, not a flood.
    if (count === 1 || count % 1000 === 0) this.options.log(`mqtt bridge: dropped ${count} message(s): ${reason}`);
  }

  /**
   * One message from the external broker into the hub: its bytes kept as they came (raw, with the MQTT 5 content
   * type), beside a JSON view parsed within the size and depth bounds; published as `importer`, under its rules.
   */
  #import(topic: string, bytes: Buffer, packet: IPublishPacket) {
    const origin = packet.properties?.userProperties?.[ORIGIN_PROPERTY];
    if (origin === this.options.originId || (Array.isArray(origin) && origin.includes(this.options.originId))) return this.#drop('LOOP');
    const { limits, hub, now } = this.options;
    const hubTopic = mqttTopicToHub(topic);
    if (hubTopic === null) return this.#drop('BAD_PAYLOAD');
    if (bytes.length > limits.messageBytesMax) return this.#drop('TOO_LARGE');
    const contentType = packet.properties?.contentType;
    if (contentType !== undefined && contentType.length > BRIDGE_LIMITS.contentTypeLengthMax) return this.#drop('BAD_PAYLOAD');
    if (!this.#bucket.take(now()) || this.#importsInFlight >= BRIDGE_LIMITS.importsInFlightMax) return this.#drop('RATE_LIMITED');
    // A copy: the hub retains it, and it must not pin the client's receive buffer.
    const raw: RawPayload = { bytes: new Uint8Array(bytes), ...(contentType === undefined ? {} : { contentType }) };
    // Same view as the embedded broker's (mqtt-payload.ts): JSON within the depth and size bounds, else text, else $binary.
    const payload = decodeMqttPayload(raw.bytes, limits.messageBytesMax);
    const key = importKey(hubTopic, raw.bytes);
    this.#importsInFlight += 1;
    this.#importTail = this.#importTail.then(async () => {
      this.#remember(key);
      try {
        await hub.publish(this.importer, hubTopic, payload, raw);
        this.stats.imported += 1;
      } catch (error) {
        this.#forget(key);
        this.#fault(error);
      } finally {
        this.#importsInFlight -= 1;
      }
    });
  }

  /** One hub event out to the external broker: its raw bytes unchanged when it has them, else its payload's JSON. */
  #export(filter: string, event: TopicEvent) {
    const topic = hubTopicToMqtt(event.topic);
    if (topic === null || !mqttTopicMatches(filter, topic)) return;
    const bytes = encodeMqttPayload(event);
    if (this.#forget(importKey(event.topic, bytes))) return;
    if (!this.#client.connected) return this.#drop('DISCONNECTED');
    const pendingBytes = this.#client.stream?.writableLength ?? 0;
    if (pendingBytes > this.options.limits.clientBufferBytesMax) return this.#drop('SLOW_CONSUMER');
    const userProperties = { [ORIGIN_PROPERTY]: this.options.originId, 'arc-id': event.id, 'arc-seq': String(event.seq) };
    const contentType = event.raw?.contentType;
    this.#client.publish(topic, bytes, {
      qos: 0,
      properties: { userProperties, ...(contentType === undefined ? {} : { contentType }) },
    });
    this.stats.exported += 1;
  }

  #remember(key: string): void {
    const now = this.options.now();
    if (this.#recentImports.size >= BRIDGE_LIMITS.recentImportsMax) {
      for (const [k, expiries] of this.#recentImports) if ((expiries.at(-1) ?? 0) <= now) this.#recentImports.delete(k);
      const oldest = this.#recentImports.keys().next().value;
      if (this.#recentImports.size >= BRIDGE_LIMITS.recentImportsMax && oldest !== undefined) this.#recentImports.delete(oldest);
    }
    const expiries = this.#recentImports.get(key) ?? [];
    expiries.push(now + BRIDGE_LIMITS.recentImportTtlMs);
    this.#recentImports.set(key, expiries);
  }

  /** Consumes one remembered import of this key; true when there was one (the event is the echo of an import). */
  #forget(key: string): boolean {
    const expiries = this.#recentImports.get(key);
    if (!expiries) return false;
    const now = this.options.now();
    while (expiries.length > 0 && (expiries[0] ?? 0) <= now) expiries.shift();
    const found = expiries.shift() !== undefined;
    if (expiries.length === 0) this.#recentImports.delete(key);
    return found;
  }
}

/** Names an import by its topic and a digest of its bytes (a message may be 64 KiB; 10,000 are remembered). */
function importKey(topic: string, bytes: Uint8Array): string {
  return `${topic}\n${createHash('sha256').update(bytes).digest('base64')}`;
}

/** The external broker as the bridge's principal names it: scheme, host and port, never credentials. */
function brokerOf(url: string): string {
  // The config parsed the URL already (zod); one that does not parse here is named by nothing secret.
  if (!URL.canParse(url)) return 'mqtt';
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}`;
}

/** Parses MQTT_BRIDGE_TOPICS: comma-separated MQTT filters. */
export function parseBridgeFilters(text: string): string[] {
  return text
    .split(',')
    .map((filter) => filter.trim())
    .filter((filter) => filter.length > 0);
}
