/** Bounds of the in-process topic bus. */
export const TOPIC_LIMITS = { subscribersMax: 10_000, messageBytesMax: 64 * 1024 } as const;

export interface TopicMessage {
  topic: string;
  message: unknown;
  publishedAtMs: number;
  /** The blocklet that published it, when one did. */
  origin?: string;
}

/** True when `topic` matches `pattern`, where `*` in a pattern stands for any run of characters. */
export function topicMatches(pattern: string, topic: string): boolean {
  if (!pattern.includes('*')) return pattern === topic;
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`).test(topic);
}

/**
 * The node's in-process topics: blocklets publish here (after their invocation commits), topic triggers and
 * log tails subscribe. The gateway issue carries these topics to browsers, MQTT and other nodes.
 */
export class TopicBus {
  readonly #subscribers = new Set<{ pattern: string; handler: (message: TopicMessage) => void }>();

  constructor(
    readonly now: () => number = Date.now,
    /** Where a subscriber's failure is reported (it never reaches the publisher). */
    readonly onError: (error: unknown, topic: string) => void = () => undefined,
  ) {}

  /** Delivers to every matching subscriber; a subscriber that throws does not stop the others. */
  publish(topic: string, message: unknown, origin?: string): number {
    const delivery: TopicMessage = { topic, message, publishedAtMs: this.now(), ...(origin === undefined ? {} : { origin }) };
    let delivered = 0;
    for (const subscriber of this.#subscribers) {
      if (!topicMatches(subscriber.pattern, topic)) continue;
      delivered += 1;
      queueMicrotask(() => {
        try {
          subscriber.handler(delivery);
        } catch (error) {
          this.onError(error, topic);
        }
      });
    }
    return delivered;
  }

  subscribe(pattern: string, handler: (message: TopicMessage) => void): () => void {
    if (this.#subscribers.size >= TOPIC_LIMITS.subscribersMax)
      throw new RangeError(`at most ${TOPIC_LIMITS.subscribersMax} topic subscriptions`);
    const entry = { pattern, handler };
    this.#subscribers.add(entry);
    return () => {
      this.#subscribers.delete(entry);
    };
  }
}
