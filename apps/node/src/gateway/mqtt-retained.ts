import { mqttTopicMatches } from './mqtt-topics.ts';

/** Bounds of the embedded broker's retained messages (MQTT's "last known value" per topic). */
export interface MqttRetainedLimits {
  /** Topics holding a retained message; past it the least recently set one is dropped. */
  topicsMax: number;
  /** Bytes of retained payloads and topic names in all; past it the least recently set ones are dropped. */
  bytesMax: number;
  /** Retained messages one SUBSCRIBE of a wildcard filter is sent (the most recently set ones). */
  perSubscribeMax: number;
}

export interface RetainedMessage {
  topic: string;
  bytes: Uint8Array;
}

/**
 * The last retained message of each MQTT topic, bounded by count and bytes (least recently set dropped first).
 * An empty payload clears a topic (MQTT-3.3.1-10). Kept in memory per node: a restart forgets them, and in a
 * cluster each node keeps those published through it.
 */
export class MqttRetained {
  /** Least recently set first. */
  readonly #messages = new Map<string, RetainedMessage>();
  #bytes = 0;

  constructor(readonly limits: MqttRetainedLimits) {}

  /** Keeps `bytes` as the topic's retained message, or clears it when empty. */
  set(topic: string, bytes: Uint8Array): void {
    this.#delete(topic);
    if (bytes.byteLength === 0) return;
    const cost = costOf(topic, bytes);
    // A message larger than the whole store is not kept (and does not flush everyone else's).
    if (cost > this.limits.bytesMax || this.limits.topicsMax === 0) return;
    this.#messages.set(topic, { topic, bytes });
    this.#bytes += cost;
    while (this.#messages.size > this.limits.topicsMax || this.#bytes > this.limits.bytesMax) {
      const oldest = this.#messages.keys().next().value;
      if (oldest === undefined) break;
      this.#delete(oldest);
    }
  }

  has(topic: string): boolean {
    return this.#messages.has(topic);
  }

  /** The retained messages whose topic the filter matches, the most recently set last, at most perSubscribeMax. */
  matching(filter: string): RetainedMessage[] {
    if (!filter.includes('+') && !filter.includes('#')) {
      const message = this.#messages.get(filter);
      return message ? [message] : [];
    }
    const found: RetainedMessage[] = [];
    for (const message of this.#messages.values()) if (mqttTopicMatches(filter, message.topic)) found.push(message);
    return found.slice(-this.limits.perSubscribeMax);
  }

  stats(): { topics: number; bytes: number } {
    return { topics: this.#messages.size, bytes: this.#bytes };
  }

  #delete(topic: string): void {
    const message = this.#messages.get(topic);
    if (!message) return;
    this.#messages.delete(topic);
    this.#bytes -= costOf(topic, message.bytes);
  }
}

/** What one retained message counts against bytesMax: its payload and topic. */
function costOf(topic: string, bytes: Uint8Array): number {
  return bytes.byteLength + Buffer.byteLength(topic);
}
