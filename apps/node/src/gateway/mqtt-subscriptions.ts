import type { Client, PublishPacket, Subscription } from 'aedes';
import type { GatewayHub } from './hub.ts';
import { addressOf, type Connection, SUBACK_FAILURE } from './mqtt-connection.ts';
import { encodeMqttPayload } from './mqtt-payload.ts';
import type { MqttRetained } from './mqtt-retained.ts';
import { hubTopicToMqtt, mqttFilterToHub, mqttTopicMatches, mqttTopicToHub } from './mqtt-topics.ts';
import { backlogBytesOf } from './mqtt-ws.ts';
import { type GatewayAuth, GatewayError, type GatewayLimits, type TopicEvent } from './types.ts';

export interface MqttSubscriptionsOptions {
  hub: Pick<GatewayHub, 'subscribe'>;
  auth: GatewayAuth;
  limits: GatewayLimits;
  log: (line: string) => void;
  /** The logged-in connections (mqtt-sessions.ts). */
  connections: Map<Client, Connection>;
  retained: MqttRetained;
  /** Marks the packets the gateway delivers; aedes forwards nothing else. */
  deliveryMark: string;
}

/**
 * SUBSCRIBE and UNSUBSCRIBE of logged-in connections: each MQTT filter becomes a hub subscription under the hub's
 * rules and budgets; what the hub delivers, and the retained messages of a new subscription, are sent to the client
 * as packets bearing the delivery mark.
 */
export class MqttSubscriptions {
  constructor(readonly options: MqttSubscriptionsOptions) {}

  /**
   * Refusal is a SUBACK failure (0x80) for that filter; the connection stays. Granted QoS is 0 (set before aedes
   * answers, mqtt-aedes.ts): the hub delivers at most once. The per-connection bound counts subscribes still
   * waiting for the rule check, so subscribes pipelined in one write cannot all pass it.
   */
  authorize(client: Client, sub: Subscription, done: (error: Error | null, sub?: Subscription | null) => void) {
    const connection = this.options.connections.get(client);
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

  unsubscribe(client: Client, filters: string[]): void {
    const connection = this.options.connections.get(client);
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
  sendRetained(client: Client, subs: Subscription[]): void {
    const connection = this.options.connections.get(client);
    if (!connection) return;
    for (const sub of subs) {
      if ((sub.qos as number) === SUBACK_FAILURE || !connection.subscriptions.has(sub.topic)) continue;
      for (const message of this.options.retained.matching(sub.topic)) {
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
    const packet = { cmd: 'publish', topic, payload, qos: 0, retain, dup: false, clientId: this.options.deliveryMark };
    connection.client.publish(packet as PublishPacket, () => undefined);
  }
}
