import { randomUUID } from 'node:crypto';
import mqtt, { type IPublishPacket, type MqttClient } from 'mqtt';
import { decodeMqttPayload, encodeMqttPayload } from './mqtt.ts';
import { hubTopicToMqtt, mqttFilterToHub, mqttTopicMatches, mqttTopicToHub } from './mqtt-topics.ts';
import { TokenBucket } from './rate-limit.ts';
import { GatewayError, type GatewayLimits, type Principal, type TopicEvent, type TopicHub } from './types.ts';

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
} as const;

/** The MQTT 5 user property on every message the bridge sends out: the bridge that sent it. */
export const ORIGIN_PROPERTY = 'arc-origin';

export interface MqttBridgeOptions {
  /** The external broker, e.g. mqtt://127.0.0.1:1883 (MQTT 5). */
  url: string;
  /** MQTT filters bridged both ways, e.g. `app/z1abc/#`. */
  filters: string[];
  /** Who the bridge publishes and subscribes as in the hub (an application's principal). */
  principal: Principal;
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
  /** Messages dropped, by reason (a GatewayError code, or LOOP for echoes of our own). */
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
  /** `topic\npayload JSON` → expiry time of each recent import (one entry per message). */
  readonly #recentImports = new Map<string, number[]>();
  readonly #bucket: TokenBucket;
  #importTail: Promise<void> = Promise.resolve();
  #importsInFlight = 0;
  #isSubscribed = false;
  readonly #onSubscribed: (() => void)[] = [];

  private constructor(
    readonly options: MqttBridgeOptions,
    client: MqttClient,
  ) {
    this.#client = client;
    this.#bucket = new TokenBucket(options.limits.didRatePerSec, options.limits.didBurst, options.now());
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
    client.on('message', (topic, payload, packet) => bridge.#import(topic, payload, packet));
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
          await options.hub.subscribe(options.principal, hubTopic, (event) => bridge.#export(filter, event), { ip: '' }),
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

  #drop(reason: string): void {
    const count = (this.stats.dropped[reason] ?? 0) + 1;
    this.stats.dropped[reason] = count;
    // The first of each reason, then every thousandth: enough to notice, not a flood.
    if (count === 1 || count % 1000 === 0) this.options.log(`mqtt bridge: dropped ${count} message(s): ${reason}`);
  }

  #import(topic: string, bytes: Buffer, packet: IPublishPacket) {
    const origin = packet.properties?.userProperties?.[ORIGIN_PROPERTY];
    if (origin === this.options.originId || (Array.isArray(origin) && origin.includes(this.options.originId))) return this.#drop('LOOP');
    const { limits, hub, principal, now } = this.options;
    const hubTopic = mqttTopicToHub(topic);
    if (hubTopic === null) return this.#drop('BAD_PAYLOAD');
    if (bytes.length > limits.messageBytesMax) return this.#drop('TOO_LARGE');
    if (!this.#bucket.take(now()) || this.#importsInFlight >= BRIDGE_LIMITS.importsInFlightMax) return this.#drop('RATE_LIMITED');
    let payload: unknown;
    try {
      payload = decodeMqttPayload(bytes);
    } catch (error) {
      return this.#drop(error instanceof GatewayError ? error.code : 'BAD_PAYLOAD');
    }
    const key = importKey(hubTopic, payload);
    this.#importsInFlight += 1;
    this.#importTail = this.#importTail.then(async () => {
      this.#remember(key);
      try {
        await hub.publish(principal, hubTopic, payload);
        this.stats.imported += 1;
      } catch (error) {
        this.#forget(key);
        this.#drop(error instanceof GatewayError ? error.code : 'INTERNAL');
        if (!(error instanceof GatewayError)) this.options.log(`mqtt bridge: import failed: ${(error as Error).stack ?? error}`);
      } finally {
        this.#importsInFlight -= 1;
      }
    });
  }

  #export(filter: string, event: TopicEvent) {
    if (this.#forget(importKey(event.topic, event.payload))) return;
    const topic = hubTopicToMqtt(event.topic);
    if (topic === null || !mqttTopicMatches(filter, topic)) return;
    if (!this.#client.connected) return this.#drop('DISCONNECTED');
    const pendingBytes = this.#client.stream?.writableLength ?? 0;
    if (pendingBytes > this.options.limits.clientBufferBytesMax) return this.#drop('SLOW_CONSUMER');
    const userProperties = { [ORIGIN_PROPERTY]: this.options.originId, 'arc-id': event.id, 'arc-seq': String(event.seq) };
    this.#client.publish(topic, encodeMqttPayload(event), { qos: 0, properties: { userProperties } });
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

function importKey(topic: string, payload: unknown): string {
  return `${topic}\n${JSON.stringify(payload ?? null)}`;
}

/** Parses MQTT_BRIDGE_TOPICS: comma-separated MQTT filters. */
export function parseBridgeFilters(text: string): string[] {
  return text
    .split(',')
    .map((filter) => filter.trim())
    .filter((filter) => filter.length > 0);
}
