import { stringifyOrNull } from './bounded-json.ts';
import { insertBySeq, type Retained, RetainedQueue } from './retained.ts';
import type { GatewayLimits, TopicEvent } from './types.ts';

export const RETAINED_STORE_LIMITS = {
  /** Topics whose last seq is remembered after the topic itself was dropped, so its seq goes on instead of back to 1. */
  droppedTopicSeqsMax: 100_000,
  /**
   * Buckets (by topic-name hash) of the highest seq of topics forgotten entirely: a topic the hub has no record of
   * starts above every forgotten topic of its bucket, so no topic ever reuses a seq within one epoch.
   */
  forgottenSeqBuckets: 4096,
  /** Bytes counted per retained event besides its payload JSON, topic and publisher (id, seq, times, framing). */
  eventOverheadBytes: 128,
} as const;

/** What the hub holds now (tests and operators). */
export interface HubStats {
  topics: number;
  retainedEvents: number;
  retainedBytes: number;
  publishers: number;
  droppedTopicSeqs: number;
}

interface TopicState {
  seq: number;
  /** The numbering `seq` and the ring belong to; an event of another one starts the topic afresh. */
  epoch: string;
  /** Retained events in seq order. */
  ring: Retained[];
  bytes: number;
}

interface PublisherState {
  bytes: number;
  queue: RetainedQueue;
}

export interface RetainedStoreDeps {
  /** The hub's own epoch: only its topics' seqs are remembered after a drop. */
  localEpoch: string;
  /** True for topics the hub numbers itself (Redis remembers the others' seqs). */
  numbersLocally: (topic: string) => boolean;
}

/**
 * The hub's retained events and per-topic seqs: bounded by count and bytes per topic, per publisher (one
 * publisher's flood evicts its own oldest events) and in all, and by the number of topics (least recently published
 * dropped first, its last seq remembered, then folded into a per-bucket floor so seqs never go back in an epoch).
 */
export class RetainedStore {
  /** Least recently published first. */
  readonly #topics = new Map<string, TopicState>();
  /** Last seq of topics dropped from #topics, least recently dropped first. */
  readonly #droppedSeqs = new Map<string, number>();
  readonly #forgottenSeqFloor = new Float64Array(RETAINED_STORE_LIMITS.forgottenSeqBuckets);
  readonly #retained = new RetainedQueue();
  readonly #publishers = new Map<string, PublisherState>();
  #retainedBytes = 0;

  constructor(
    readonly limits: GatewayLimits,
    readonly deps: RetainedStoreDeps,
  ) {}

  /** A topic's retained events in seq order (empty for none). */
  ring(topic: string): readonly Retained[] {
    return this.#topics.get(topic)?.ring ?? [];
  }

  /** The epoch of a topic's last recorded event, if any is held. */
  epochOf(topic: string): string | undefined {
    return this.#topics.get(topic)?.epoch;
  }

  /** The last seq of a topic (0 for none; above 0 for a locally numbered topic that was dropped). */
  lastSeq(topic: string): number {
    const state = this.#topics.get(topic);
    if (state) return state.seq;
    if (!this.deps.numbersLocally(topic)) return 0;
    return this.#droppedSeqs.get(topic) ?? this.#forgottenSeqFloor[bucketOf(topic)] ?? 0;
  }

  /** Forgets every topic `drop` names (by topic and epoch). */
  forgetWhere(drop: (topic: string, epoch: string) => boolean): void {
    for (const [topic, state] of [...this.#topics]) if (drop(topic, state.epoch)) this.forget(topic);
  }

  stats(): HubStats {
    return {
      topics: this.#topics.size,
      retainedEvents: this.#retained.live,
      retainedBytes: this.#retainedBytes,
      publishers: this.#publishers.size,
      droppedTopicSeqs: this.#droppedSeqs.size,
    };
  }

  bytesOf(what: { topic: string } | { publisher: string }): number {
    return 'topic' in what ? (this.#topics.get(what.topic)?.bytes ?? 0) : (this.#publishers.get(what.publisher)?.bytes ?? 0);
  }

  /** Records an event under its topic (in seq order), its publisher and the total, evicting past the bounds. */
  record(event: TopicEvent, topicEpoch: string): void {
    const limits = this.limits;
    let state = this.#topics.get(event.topic);
    if (state && state.epoch !== event.epoch) {
      // Another numbering (Redis numbers anew, or a worker hears another node's chain): its seqs start afresh.
      this.forget(event.topic);
      state = undefined;
    }
    if (state) {
      this.#topics.delete(event.topic); // re-inserted below: the map's order is least recently published first
    } else {
      state = { seq: topicEpoch === event.epoch ? this.lastSeq(event.topic) : 0, epoch: event.epoch, ring: [], bytes: 0 };
      this.#droppedSeqs.delete(event.topic);
    }
    this.#topics.set(event.topic, state);
    if (event.seq > state.seq) state.seq = event.seq;
    const entry: Retained = { event, bytes: retainedBytesOf(event), gone: false };
    if (insertBySeq(state.ring, entry)) {
      state.bytes += entry.bytes;
      this.#retainedBytes += entry.bytes;
      this.#retained.push(entry);
      if (event.from !== null) {
        const publisher = this.#publishers.get(event.from) ?? { bytes: 0, queue: new RetainedQueue() };
        this.#publishers.set(event.from, publisher);
        publisher.bytes += entry.bytes;
        publisher.queue.push(entry);
        while (publisher.bytes > limits.retainedBytesPerPublisherMax) this.#evict(publisher.queue.oldest());
      }
      while (state.ring.length > limits.retainedPerTopicMax || state.bytes > limits.retainedBytesPerTopicMax) this.#evict(state.ring[0]);
      while (this.#retainedBytes > limits.retainedBytesMax) this.#evict(this.#retained.oldest());
    }
    while (this.#topics.size > limits.retainedTopicsMax) {
      const oldest = this.#topics.keys().next().value;
      if (oldest === undefined) break;
      this.#dropTopic(oldest);
    }
  }

  /** Drops one retained event from its topic, its publisher's account and the total. */
  #evict(entry: Retained | undefined): void {
    if (!entry || entry.gone) throw new Error('gateway hub: an eviction found no retained event to drop (accounting is off)');
    entry.gone = true;
    const { event } = entry;
    const state = this.#topics.get(event.topic);
    if (state) {
      const at = state.ring[0] === entry ? 0 : state.ring.indexOf(entry);
      if (at >= 0) state.ring.splice(at, 1);
      state.bytes -= entry.bytes;
    }
    this.#retainedBytes -= entry.bytes;
    this.#retained.evicted();
    if (event.from === null) return;
    const publisher = this.#publishers.get(event.from);
    if (!publisher) return;
    publisher.bytes -= entry.bytes;
    publisher.queue.evicted();
    if (publisher.queue.live === 0) this.#publishers.delete(event.from);
  }

  /** Drops a topic's retained events and state without remembering its seq (its numbering is gone). */
  forget(topic: string): void {
    const state = this.#topics.get(topic);
    if (!state) return;
    while (state.ring.length > 0) this.#evict(state.ring[0]);
    this.#topics.delete(topic);
  }

  /**
   * Drops a topic and its retained events; a topic this hub numbers has its last seq remembered so it goes on from
   * it (Redis remembers shared topics' seqs).
   */
  #dropTopic(topic: string): void {
    const state = this.#topics.get(topic);
    if (!state) return;
    while (state.ring.length > 0) this.#evict(state.ring[0]);
    this.#topics.delete(topic);
    if (!this.deps.numbersLocally(topic) || state.epoch !== this.deps.localEpoch) return;
    this.#droppedSeqs.set(topic, state.seq);
    while (this.#droppedSeqs.size > RETAINED_STORE_LIMITS.droppedTopicSeqsMax) {
      const [name, seq] = this.#droppedSeqs.entries().next().value as [string, number];
      this.#droppedSeqs.delete(name);
      const bucket = bucketOf(name);
      this.#forgottenSeqFloor[bucket] = Math.max(this.#forgottenSeqFloor[bucket] ?? 0, seq);
    }
  }
}

/** What a retained event costs: its payload JSON (and raw bytes), topic and publisher, plus a fixed overhead. */
function retainedBytesOf(event: TopicEvent): number {
  return (
    Buffer.byteLength(stringifyOrNull(event.payload) ?? 'null') +
    (event.raw?.bytes.byteLength ?? 0) +
    Buffer.byteLength(event.topic) +
    (event.from === null ? 0 : Buffer.byteLength(event.from)) +
    RETAINED_STORE_LIMITS.eventOverheadBytes
  );
}

/** The forgotten-seq bucket of a topic name (FNV-1a). */
function bucketOf(topic: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < topic.length; i++) hash = Math.imul(hash ^ topic.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % RETAINED_STORE_LIMITS.forgottenSeqBuckets;
}
