import type { PublishPacket } from 'aedes';
import type { GatewayHub } from './hub.ts';
import type { Connection } from './mqtt-connection.ts';
import { MQTT_LIMITS } from './mqtt-connection.ts';
import { mqttPayloadOf } from './mqtt-payload.ts';
import type { MqttRetained } from './mqtt-retained.ts';
import { mqttTopicToHub } from './mqtt-topics.ts';
import { KeyedBuckets } from './rate-limit.ts';
import { GatewayError, type GatewayLimits } from './types.ts';

export interface MqttPublishDeps {
  hub: Pick<GatewayHub, 'publish'>;
  limits: GatewayLimits;
  retained: MqttRetained;
  now: () => number;
  log: (line: string) => void;
}

/** MQTT PUBLISH → the hub: checks, rate limits, QoS 2 exactly once, the bytes and their JSON view, retained. */
export class MqttPublishes {
  /** Token buckets per DID (or app) across its MQTT connections. */
  readonly #didBuckets: KeyedBuckets;

  constructor(readonly deps: MqttPublishDeps) {
    this.#didBuckets = new KeyedBuckets(deps.limits.didRatePerSec, deps.limits.didBurst);
  }

  /**
   * MQTT 3.1.1 cannot tell a publisher "refused": a refused PUBLISH closes the connection (MQTT-3.3.5-2). An
   * accepted one is acknowledged (QoS 1/2) only after the hub took it. A QoS 2 PUBLISH retransmitted (DUP) before
   * its PUBREL is acknowledged without reaching the hub again: exactly once.
   */
  authorize(connection: Connection | undefined, packet: PublishPacket, done: (error?: Error | null) => void) {
    if (!connection) return done(new GatewayError('UNAUTHORIZED', 'not logged in'));
    // aedes' own retained store is not used (the gateway keeps its own, under the rules); nor its routing.
    const retain = packet.retain;
    packet.retain = false;
    const qos2Id = packet.qos === 2 ? packet.messageId : undefined;
    if (qos2Id !== undefined && packet.dup && connection.qos2AwaitingRelease.has(qos2Id)) return done(null);
    const { limits, now, hub, log } = this.deps;
    const principal = connection.principal;
    let topic: string | null;
    const bytes = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    try {
      topic = mqttTopicToHub(packet.topic);
      if (topic === null) throw new GatewayError('BAD_PAYLOAD', `${packet.topic.slice(0, 200)} has no gateway topic.`);
      if (bytes.length > limits.messageBytesMax) throw new GatewayError('TOO_LARGE', `payload over ${limits.messageBytesMax} bytes`);
      if (principal.kind === 'did' && principal.expiresAtMs <= now())
        throw new GatewayError('SESSION_EXPIRED', 'The session expired; log in again.');
      const t = now();
      const key = principal.kind === 'did' ? principal.did : principal.kind === 'app' ? `app:${principal.appDid}` : null;
      if (!connection.bucket.take(t) || (key !== null && !this.#didBuckets.take(key, t)))
        throw new GatewayError('RATE_LIMITED', 'Too many messages.');
      if (connection.publishesInFlight >= MQTT_LIMITS.publishesInFlightMax)
        throw new GatewayError('RATE_LIMITED', 'Too many publishes in flight.');
      if (qos2Id !== undefined && connection.qos2AwaitingRelease.size >= MQTT_LIMITS.qos2AwaitingReleaseMax)
        throw new GatewayError('RATE_LIMITED', 'Too many QoS 2 publishes waiting for PUBREL.');
    } catch (error) {
      return done(error as Error);
    }
    // Remembered before the hub's await, so a DUP pipelined right behind it is not published a second time.
    if (qos2Id !== undefined) connection.qos2AwaitingRelease.add(qos2Id);
    connection.publishesInFlight += 1;
    const hubTopic = topic;
    const mqttTopic = packet.topic;
    const { payload, raw } = mqttPayloadOf(bytes, limits.messageBytesMax);
    const published = connection.publishTail.then(() => hub.publish(principal, hubTopic, payload, raw));
    connection.publishTail = published.then(
      () => undefined,
      () => undefined,
    );
    published.then(
      () => {
        connection.publishesInFlight -= 1;
        // MQTT-3.3.1-5..10: the last retained message per topic; an empty one clears it.
        if (retain) this.deps.retained.set(mqttTopic, bytes);
        done(null);
      },
      (error: unknown) => {
        connection.publishesInFlight -= 1;
        if (qos2Id !== undefined) connection.qos2AwaitingRelease.delete(qos2Id);
        if (!(error instanceof GatewayError)) log(`mqtt: publish failed: ${(error as Error).stack ?? error}`);
        done(error as Error);
      },
    );
  }
}
