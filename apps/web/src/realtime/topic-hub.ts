import type { Realtime, RealtimeEvent, RealtimeSubscription } from '@arc/client/realtime';

/** A component's callback for a topic's events. */
export type TopicHandler = (event: RealtimeEvent<unknown>) => void;

/** What the hub needs of a realtime client (a fake in tests). */
export type TopicSource = Pick<Realtime, 'subscribe'>;

interface TopicEntry {
  handlers: Set<TopicHandler>;
  /** The node-side subscription on the current client; null while there is no client or after it failed. */
  subscription: Promise<RealtimeSubscription | null> | null;
}

/**
 * The page's topics, ref-counted: the first handler of a topic subscribes it on the node, the last one to leave
 * unsubscribes it, however many components watch the same topic. When the realtime client is replaced (the session
 * changed), every topic is subscribed again on the new one.
 */
export class TopicHub {
  private readonly topics = new Map<string, TopicEntry>();
  private source: TopicSource | null = null;

  constructor(private readonly onError: (topic: string, error: unknown) => void) {}

  /** Uses `source` from now on (null: none); the previous client's subscriptions ended with it. */
  attach(source: TopicSource | null): void {
    this.source = source;
    for (const [topic, entry] of this.topics) entry.subscription = source ? this.open(source, topic, entry) : null;
  }

  /** Adds a handler of `topic`; returns the function that removes it. */
  add(topic: string, handler: TopicHandler): () => void {
    let entry = this.topics.get(topic);
    if (entry === undefined) {
      const created: TopicEntry = { handlers: new Set(), subscription: null };
      entry = created;
      this.topics.set(topic, created);
      if (this.source) created.subscription = this.open(this.source, topic, created);
    }
    const current = entry;
    current.handlers.add(handler);
    return () => {
      current.handlers.delete(handler);
      if (current.handlers.size > 0 || this.topics.get(topic) !== current) return;
      this.topics.delete(topic);
      const subscription = current.subscription;
      current.subscription = null;
      void subscription?.then((open) => open?.unsubscribe()).catch((error: unknown) => this.onError(topic, error));
    };
  }

  /** How many handlers watch `topic` (0 when none). */
  handlerCount(topic: string): number {
    return this.topics.get(topic)?.handlers.size ?? 0;
  }

  private open(source: TopicSource, topic: string, entry: TopicEntry): Promise<RealtimeSubscription | null> {
    const dispatch = (event: RealtimeEvent<unknown>) => {
      // Events of a client that was replaced, or of a topic nobody watches any more, go nowhere.
      if (this.source !== source || this.topics.get(topic) !== entry) return;
      for (const handler of entry.handlers) handler(event);
    };
    return source.subscribe(topic, dispatch).catch((error: unknown) => {
      this.onError(topic, error);
      return null;
    });
  }
}
