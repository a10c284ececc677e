import { z } from 'zod';

/** Bounds of one topic subscription's bookkeeping. */
export const TOPIC_STREAM_LIMITS = {
  /** Concrete topics a pattern subscription remembers the (epoch, seq) of; the least recently heard is forgotten first. */
  patternTopicsMax: 10_000,
  /** Events held while a subscribe is on its way; past it the newest wait for the next resume (with afterSeq). */
  heldEventsMax: 10_000,
  /** Re-subscribes that may fail to fill one hole before it is reported as a gap (MISSED) and delivery goes on. */
  holeFillAttemptsMax: 5,
} as const;

/** One event as the gateway delivers it (see TopicEvent on the node). */
export interface RealtimeEvent<P = unknown> {
  topic: string;
  /** `<epoch>/<seq>@<node>`. */
  id: string;
  seq: number;
  /** The numbering `seq` belongs to: a node that restarts numbers anew under a new epoch. */
  epoch?: string;
  payload: P;
  publishedAtMs: number;
  from: string | null;
}

/** Events of `topic` before `resumeFromSeq` that a subscription will never get. */
export interface RealtimeGap {
  topic: string;
  /**
   * EVICTED: dropped by the node's bounds; TRUNCATED: more than one replay; RESTARTED: the node numbers anew
   * (`resumeFromSeq` is in the new numbering); MISSED: the node cannot replay them (a pattern subscription never
   * replays, so what a concrete topic of it published while the client was away is lost; or a hole the node
   * did not fill after `holeFillAttemptsMax` re-subscribes).
   */
  reason: 'EVICTED' | 'TRUNCATED' | 'RESTARTED' | 'MISSED';
  resumeFromSeq: number;
}

/** The wire form of an event; anything else on `event` is not from a gateway and is dropped. */
export const RealtimeEventWire = z.object({
  topic: z.string().min(1),
  id: z.string(),
  seq: z.number().int().positive(),
  epoch: z.string().min(1).optional(),
  payload: z.unknown(),
  publishedAtMs: z.number(),
  from: z.string().nullable(),
});

const GapWire = z.object({
  reason: z.enum(['EVICTED', 'TRUNCATED', 'RESTARTED']),
  resumeFromSeq: z.number().int().positive(),
});

/** The node's answer to subscribe, unsubscribe and publish. */
export const AckWire = z.union([
  z.object({
    ok: z.literal(true),
    seq: z.number().int().nonnegative().optional(),
    id: z.string().optional(),
    epoch: z.string().min(1).optional(),
    gap: GapWire.optional(),
  }),
  z.object({ ok: z.literal(false), code: z.string(), message: z.string(), retriable: z.boolean().optional() }),
]);
export type Ack = z.infer<typeof AckWire>;
export type SubscribeAck = Extract<Ack, { ok: true }>;

/** Where a subscription stands in one numbering. */
interface Cursor {
  /** Undefined until a node names it (and always, with a node that has no epochs). */
  epoch: string | undefined;
  /** The last seq delivered (or, before anything was, the one delivery goes on after). */
  seq: number;
}

/** What a stream asks of its owner after an event or an ack: nothing, or a re-subscribe to fill a hole. */
export type StreamNext = 'ok' | 'resubscribe';

/** Two epochs are one numbering unless both are known and differ (nodes without epochs send none). */
function sameEpoch(a: string | undefined, b: string | undefined): boolean {
  return a === undefined || b === undefined || a === b;
}

/** Held events in the order they must go out: each numbering in the order it was first heard, by seq within it. */
function inDeliveryOrder(events: RealtimeEvent[]): RealtimeEvent[] {
  const rank = new Map<string | undefined, number>();
  for (const event of events) if (!rank.has(event.epoch)) rank.set(event.epoch, rank.size);
  return [...events].sort((a, b) => (rank.get(a.epoch) ?? 0) - (rank.get(b.epoch) ?? 0) || a.seq - b.seq);
}

/**
 * The part of a subscription that decides what its handler sees: each event once, in seq order, within one
 * numbering (epoch). It holds events while a subscribe is on its way, asks for a re-subscribe when it sees a hole
 * or another epoch, and reports what can never come as a gap. No I/O: the realtime client feeds it.
 */
export class TopicStream {
  readonly pattern: boolean;
  #cursor: Cursor;
  /** Per concrete topic, for a pattern (insertion order = least recently heard first). */
  readonly #cursors = new Map<string, Cursor>();
  /** Whether a subscribe asks for a replay: after the first ack, or when the caller gave afterSeq. */
  #resume: boolean;
  #subscribing = false;
  #held: RealtimeEvent[] = [];
  #heldOverflowed = false;
  #holeFillAttempts = 0;
  #lastDelivered = 0;

  constructor(
    readonly topic: string,
    start: { afterSeq?: number; epoch?: string },
    private readonly deliver: (event: RealtimeEvent) => void,
    private readonly gap: (gap: RealtimeGap) => void,
  ) {
    this.pattern = topic.endsWith(':*');
    this.#cursor = { epoch: start.epoch, seq: start.afterSeq ?? 0 };
    this.#resume = start.afterSeq !== undefined;
  }

  /** The last seq delivered (of the last concrete topic heard, for a pattern). */
  get lastSeq(): number {
    return this.pattern ? this.#lastDelivered : this.#cursor.seq;
  }

  get epoch(): string | undefined {
    return this.#cursor.epoch;
  }

  /** The subscribe to send now: with the last seq and epoch once there is something to resume from. */
  request(): { topic: string; afterSeq?: number; epoch?: string } {
    if (this.pattern || !this.#resume) return { topic: this.topic };
    const { epoch, seq } = this.#cursor;
    return epoch === undefined ? { topic: this.topic, afterSeq: seq } : { topic: this.topic, afterSeq: seq, epoch };
  }

  /** A subscribe goes out: hold events until its ack says where delivery goes on. */
  beginSubscribe(): void {
    this.#subscribing = true;
  }

  onEvent(event: RealtimeEvent): StreamNext {
    if (this.pattern) {
      this.#deliverToPattern(event);
      return 'ok';
    }
    const cursor = this.#cursor;
    const sameNumbering = sameEpoch(cursor.epoch, event.epoch);
    if (sameNumbering && event.seq <= cursor.seq) return 'ok'; // seen
    if (this.#subscribing) {
      this.#hold(event);
      return 'ok';
    }
    if (sameNumbering && event.seq === cursor.seq + 1) {
      this.#deliverExact(event);
      return 'ok';
    }
    // A hole (something went missing in transit) or another numbering (the node restarted): the node fills the
    // one and reports the other when asked again with afterSeq and epoch.
    this.#hold(event);
    return 'resubscribe';
  }

  /** The node accepted a subscribe: deliver what was held, in order, and say whether another is needed. */
  onAck(ack: SubscribeAck): StreamNext {
    this.#subscribing = false;
    if (this.pattern) return 'ok';
    const held = inDeliveryOrder(this.#held);
    this.#held = [];
    const ackEpoch = ack.epoch;
    if (!this.#resume) {
      // From now: what came before the node's current seq is not part of this subscription.
      this.#cursor = { epoch: ackEpoch ?? this.#cursor.epoch, seq: Math.max(this.#cursor.seq, ack.seq ?? 0) };
      this.#resume = true;
    } else {
      // What this client already holds of its own numbering goes out first: it was received, only not yet delivered.
      if (this.#cursor.epoch !== undefined) this.#deliverRun(held);
      const restarted = !sameEpoch(this.#cursor.epoch, ackEpoch) || ack.gap?.reason === 'RESTARTED';
      if (restarted) {
        const resumeFromSeq = ack.gap?.resumeFromSeq ?? 1;
        this.#cursor = { epoch: ackEpoch, seq: resumeFromSeq - 1 };
        this.gap({ topic: this.topic, reason: 'RESTARTED', resumeFromSeq });
      } else {
        if (ackEpoch !== undefined) this.#cursor.epoch = ackEpoch;
        if (ack.gap && ack.gap.resumeFromSeq - 1 > this.#cursor.seq) {
          this.#cursor.seq = ack.gap.resumeFromSeq - 1;
          this.gap({ topic: this.topic, ...ack.gap });
        }
      }
    }
    let rest = this.#deliverRun(held);
    const first = rest[0];
    if (first !== undefined && this.#holeFillAttempts >= TOPIC_STREAM_LIMITS.holeFillAttemptsMax) {
      // The node sent later events but cannot replay the ones before: say so and go on rather than ask forever.
      this.gap({ topic: this.topic, reason: 'MISSED', resumeFromSeq: first.seq });
      this.#cursor.seq = first.seq - 1;
      rest = this.#deliverRun(rest);
    }
    if (rest.length === 0 && !this.#heldOverflowed) {
      this.#holeFillAttempts = 0;
      return 'ok';
    }
    // Held events beyond a hole (or more than could be held): keep them and ask again from the last one delivered.
    this.#heldOverflowed = false;
    this.#holeFillAttempts += 1;
    for (const event of rest) this.#hold(event);
    return 'resubscribe';
  }

  /** Re-subscribes in a row that did not fill a hole: the owner waits longer before each. */
  get holeFillAttempts(): number {
    return this.#holeFillAttempts;
  }

  /**
   * Delivers the events of `events` (in delivery order) that continue the cursor's numbering without a hole;
   * returns those after a hole, dropping the already seen and those of another numbering (older connections').
   */
  #deliverRun(events: RealtimeEvent[]): RealtimeEvent[] {
    const rest: RealtimeEvent[] = [];
    for (const event of events) {
      const cursor = this.#cursor;
      if (!sameEpoch(cursor.epoch, event.epoch) || event.seq <= cursor.seq) continue;
      if (event.seq === cursor.seq + 1 && rest.length === 0) this.#deliverExact(event);
      else rest.push(event);
    }
    return rest;
  }

  #deliverExact(event: RealtimeEvent): void {
    this.#cursor = { epoch: event.epoch ?? this.#cursor.epoch, seq: event.seq };
    this.deliver(event);
  }

  #hold(event: RealtimeEvent): void {
    if (this.#held.length >= TOPIC_STREAM_LIMITS.heldEventsMax) {
      // The next resume (afterSeq) gets it again from the node.
      this.#heldOverflowed = true;
      return;
    }
    this.#held.push(event);
  }

  /** A pattern does not replay (the node has no retained events of a pattern): dedupe and report holes per topic. */
  #deliverToPattern(event: RealtimeEvent): void {
    const cursor = this.#cursors.get(event.topic);
    if (cursor !== undefined) {
      const sameNumbering = sameEpoch(cursor.epoch, event.epoch);
      if (sameNumbering && event.seq <= cursor.seq) return; // seen
      if (!sameNumbering) this.gap({ topic: event.topic, reason: 'RESTARTED', resumeFromSeq: event.seq });
      else if (event.seq > cursor.seq + 1) this.gap({ topic: event.topic, reason: 'MISSED', resumeFromSeq: event.seq });
      this.#cursors.delete(event.topic);
    } else if (this.#cursors.size >= TOPIC_STREAM_LIMITS.patternTopicsMax) {
      const oldest = this.#cursors.keys().next().value;
      if (oldest !== undefined) this.#cursors.delete(oldest);
    }
    this.#cursors.set(event.topic, { epoch: event.epoch, seq: event.seq });
    this.#lastDelivered = event.seq;
    this.deliver(event);
  }
}
