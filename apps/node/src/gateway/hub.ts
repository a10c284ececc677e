import { randomBytes } from 'node:crypto';
import { JSON_BOUNDS, stringifyOrNull, valueDepth } from './bounded-json.ts';
import type { Retained } from './retained.ts';
import { type HubStats, RETAINED_STORE_LIMITS, RetainedStore } from './retained-store.ts';
import { SubscriptionBudget } from './subscription-budget.ts';
import { isPattern, isValidTopic, patternRooms, topicFamily } from './topics.ts';
import {
  type GatewayAuth,
  GatewayError,
  type GatewayLimits,
  type Principal,
  type RawPayload,
  type SubscriberClient,
  type TopicEvent,
  type TopicHub,
} from './types.ts';

export const HUB_LIMITS = {
  /** Local (in-process) subscriptions across all protocols (Socket.io rooms are counted too, see reserve()). */
  localSubscribersMax: 100_000,
  /** Events one since() or resume() returns. */
  sinceLimitMax: 1000,
  /** Dropped topics' seqs remembered, forgotten-seq buckets, bytes per retained event: see retained-store.ts. */
  ...RETAINED_STORE_LIMITS,
  /** Cluster epochs this hub has seen replaced: a late event of one of them is stale (dropped, not renumbered). */
  retiredEpochsMax: 16,
} as const;

/**
 * Whom an event concerns: only this node (`local`: ledger topics, each node derives its own) or every node of a
 * cluster (`cluster`). Either way the fan-out reaches this node's Socket.io rooms only: other nodes' clients hear
 * the event from their own hub (forward → ingest), so every node delivers in the order its hub records.
 */
export type FanoutScope = 'local' | 'cluster';
export type Fanout = (event: TopicEvent, scope: FanoutScope) => void;

/**
 * Assigns per-topic seqs shared by every node (Redis, one script: the cluster epoch and the topic's next seq,
 * together); without one, the hub counts locally under its own epoch.
 */
export type Sequencer = (topic: string) => Promise<{ seq: number; epoch: string }>;

/** Ledger topics: every node derives them from its own copy of the chain, so each node numbers and delivers its own. */
export function isNodeLocalTopic(topic: string): boolean {
  return topic.startsWith('chain:') || topic.startsWith('account:');
}

/** The epoch of shared topics until the cluster's own (kept in Redis) is known: set `clusterEpoch` at start. */
export const CLUSTER_EPOCH = 'cluster';

/** Why a resume cannot hand a client everything after its `afterSeq`. */
export type GapReason =
  /** Events after afterSeq were dropped from the retained ones (bounds by count or bytes, or the topic was dropped). */
  | 'EVICTED'
  /** More events are retained after afterSeq than one replay carries; the newest are replayed. */
  | 'TRUNCATED'
  /** The topic's numbering is not the one afterSeq came from (the node restarted, or it is another node's). */
  | 'RESTARTED';

/** Told to a resuming client that missed events it cannot get: it should resync (reload state) from `resumeFromSeq`. */
export interface ResumeGap {
  reason: GapReason;
  /** The first seq the client receives now (replayed or live); those between its afterSeq and this one are lost. */
  resumeFromSeq: number;
}

export interface Resume {
  /** Retained events after afterSeq, oldest first (the newest `limit` when more are retained). */
  events: TopicEvent[];
  /** The topic's current seq. */
  seq: number;
  /** The numbering the seqs belong to: send it back with the next afterSeq. */
  epoch: string;
  gap: ResumeGap | null;
}

export interface HubDeps {
  auth: GatewayAuth;
  limits: GatewayLimits;
  nodeId: string;
  now: () => number;
  log: (line: string) => void;
  /** This hub's numbering of node-local topics; new on every start unless given (tests). */
  epoch?: string;
}

/**
 * The topic hub of one node: numbers events per topic, keeps the last few per topic for resume (bounded by count
 * and bytes, per topic, per publisher and in all), and hands each to local subscribers (MQTT, DDP, in-process)
 * and to the fan-out (Socket.io rooms, here and on other nodes).
 *
 * Seqs never go back within an epoch: a dropped topic's last seq is remembered (then folded into a per-bucket
 * floor), so the topic goes on from there. A restart starts a new epoch; resume() tells a client from another
 * epoch, or one that asks for more than is retained, that it missed events.
 */
export type { HubStats } from './retained-store.ts';

export class GatewayHub implements TopicHub {
  readonly #store: RetainedStore;
  readonly #subscribers = new Map<string, Set<(event: TopicEvent) => void>>();
  #subscriberCount = 0;
  /** Subscriptions counted node-wide, per client address and for anonymous principals, every protocol. */
  readonly budget: SubscriptionBudget;
  readonly epoch: string;
  /** The epoch of topics the sequencer numbers (Redis keeps it; a Redis that lost its data makes a new one). */
  clusterEpoch: string = CLUSTER_EPOCH;
  readonly #retiredEpochs: string[] = [];
  fanout: Fanout = () => undefined;
  sequencer: Sequencer | null = null;
  /** Forwards an event to the hubs of other nodes (set with the Redis adapter). */
  forward: (event: TopicEvent) => void = () => undefined;
  /** Hears each message a client published on an application's topic (`app:<did>:…`): the economy bills it. */
  onAppMessage: (appDid: string) => void = () => undefined;

  constructor(readonly deps: HubDeps) {
    this.epoch = deps.epoch ?? `${deps.now().toString(36)}-${randomBytes(4).toString('hex')}`;
    this.#store = new RetainedStore(deps.limits, {
      localEpoch: this.epoch,
      numbersLocally: (topic) => this.#numbersLocally(topic),
    });
    this.budget = new SubscriptionBudget({
      totalMax: HUB_LIMITS.localSubscribersMax,
      perIpMax: deps.limits.subscriptionsPerIpMax,
      anonymousMax: deps.limits.anonymousSubscriptionsMax,
    });
  }

  /** `raw`: the bytes a byte protocol received (MQTT); `payload` is then their JSON view. */
  async publish(principal: Principal, topic: string, payload: unknown, raw?: RawPayload): Promise<TopicEvent> {
    if (!isValidTopic(topic) || isPattern(topic))
      throw new GatewayError('BAD_PAYLOAD', `"${topic.slice(0, 300)}" is not a topic one can publish on.`);
    if (raw) this.#checkBytes(raw.bytes.byteLength);
    else this.checkSize(payload);
    if (!(await this.deps.auth.canPublish(principal, topic))) throw new GatewayError('FORBIDDEN', `You may not publish on ${topic}.`);
    const event = await this.publishAs(topic, payload, fromOf(principal), raw);
    const family = topicFamily(topic);
    if (family.kind === 'app') this.onAppMessage(family.appDid);
    return event;
  }

  /** Throws BAD_PAYLOAD when the payload nests deeper than JSON_BOUNDS.depthMax, TOO_LARGE past the message bound. */
  checkSize(payload: unknown): void {
    checkDepth(payload);
    this.#checkBytes(Buffer.byteLength(stringifyOrNull(payload ?? null) ?? 'null'));
  }

  #checkBytes(bytes: number): void {
    if (bytes > this.deps.limits.messageBytesMax)
      throw new GatewayError('TOO_LARGE', `The message is ${bytes} bytes; the limit is ${this.deps.limits.messageBytesMax}.`);
  }

  /** Publishes without the rules (the node's own bridges, after their own checks). */
  async publishAs(topic: string, payload: unknown, from: string | null, raw?: RawPayload): Promise<TopicEvent> {
    // Before anything stringifies it (size, retained bytes, Socket.io's encoder): a deep value would throw there.
    checkDepth(payload);
    let seq: number;
    let epoch: string;
    if (this.#numbersLocally(topic)) {
      seq = this.currentSeq(topic) + 1;
      epoch = this.epochOf(topic);
    } else {
      ({ seq, epoch } = await (this.sequencer as Sequencer)(topic));
      this.#adoptClusterEpoch(epoch);
    }
    const event: TopicEvent = {
      topic,
      id: `${epoch}/${seq}@${this.deps.nodeId}`,
      seq,
      epoch,
      payload: payload ?? null,
      ...(raw ? { raw } : {}),
      publishedAtMs: this.deps.now(),
      from,
    };
    this.#store.record(event, this.epochOf(event.topic));
    this.#deliverLocal(event);
    this.fanout(event, isNodeLocalTopic(topic) ? 'local' : 'cluster');
    if (!isNodeLocalTopic(topic)) this.forward(event);
    return event;
  }

  /**
   * An event another node published: recorded, then delivered to this node's subscribers and Socket.io rooms in
   * the same step, so a subscribe (replay, then join) sees it exactly once, in the replay or live. An event of a
   * cluster epoch this hub saw replaced is stale (its numbering is gone) and dropped.
   */
  ingest(event: TopicEvent): void {
    if (!isNodeLocalTopic(event.topic) && this.sequencer !== null) {
      if (this.#retiredEpochs.includes(event.epoch)) {
        this.deps.log(`gateway hub: dropped ${event.id} of ${event.topic}: its epoch was replaced (Redis lost its counters)`);
        return;
      }
      this.#adoptClusterEpoch(event.epoch);
    }
    this.#store.record(event, this.epochOf(event.topic));
    this.#deliverLocal(event);
    this.fanout(event, isNodeLocalTopic(event.topic) ? 'local' : 'cluster');
  }

  /**
   * A sequencer that answers with an epoch other than the known one means Redis numbers anew (it lost its data):
   * what this hub holds of shared topics belongs to the old numbering, so it is dropped (resuming clients get a
   * RESTARTED gap and the new numbering from its start).
   */
  #adoptClusterEpoch(epoch: string): void {
    if (epoch === this.clusterEpoch) return;
    const old = this.clusterEpoch;
    this.clusterEpoch = epoch;
    const retired = this.#retiredEpochs.indexOf(epoch);
    if (retired >= 0) this.#retiredEpochs.splice(retired, 1);
    if (old !== CLUSTER_EPOCH) {
      this.#retiredEpochs.push(old);
      if (this.#retiredEpochs.length > HUB_LIMITS.retiredEpochsMax) this.#retiredEpochs.shift();
    }
    this.#store.forgetWhere((topic, topicEpoch) => !this.#numbersLocally(topic) && topicEpoch !== epoch);
  }

  /**
   * Reserves the budget before the rule check's await (so pipelined subscribes cannot all pass a check made
   * before any of them was counted), and gives it back when the check fails.
   */
  async subscribe(
    principal: Principal,
    topic: string,
    deliver: (event: TopicEvent) => void,
    client: SubscriberClient,
  ): Promise<() => void> {
    const release = this.budget.reserve(principal, client.ip);
    try {
      await this.authorizeSubscribe(principal, topic);
    } catch (error) {
      release();
      throw error;
    }
    return this.#add(topic, deliver, release);
  }

  /** Subscribes without the rules or the budgets (the node's own bridges). */
  subscribeUnchecked(topic: string, deliver: (event: TopicEvent) => void): () => void {
    return this.#add(topic, deliver, () => undefined);
  }

  #add(topic: string, deliver: (event: TopicEvent) => void, release: () => void): () => void {
    const set = this.#subscribers.get(topic) ?? new Set<(event: TopicEvent) => void>();
    this.#subscribers.set(topic, set);
    set.add(deliver);
    this.#subscriberCount += 1;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      set.delete(deliver);
      this.#subscriberCount -= 1;
      release();
      if (set.size === 0) this.#subscribers.delete(topic);
    };
  }

  async authorizeSubscribe(principal: Principal, topic: string): Promise<void> {
    if (!isValidTopic(topic)) throw new GatewayError('BAD_PAYLOAD', `"${topic.slice(0, 300)}" is not a topic or a pattern ending in ":*".`);
    if (principal.kind === 'did' && principal.expiresAtMs <= this.deps.now())
      throw new GatewayError('SESSION_EXPIRED', 'The session expired; log in again.');
    if (!(await this.deps.auth.canSubscribe(principal, topic))) {
      throw principal.kind === 'anonymous'
        ? new GatewayError('UNAUTHORIZED', `Log in to subscribe to ${topic}.`)
        : new GatewayError('FORBIDDEN', `You may not subscribe to ${topic}.`);
    }
  }

  async since(principal: Principal, topic: string, afterSeq: number, limit: number): Promise<TopicEvent[]> {
    await this.authorizeSubscribe(principal, topic);
    return this.retainedAfter(topic, afterSeq, limit);
  }

  /** Retained events after `afterSeq`, oldest first (no rule check: the caller has checked). Patterns have none. */
  retainedAfter(topic: string, afterSeq: number, limit: number): TopicEvent[] {
    const ring = this.#store.ring(topic);
    const bound = Math.min(limit, HUB_LIMITS.sinceLimitMax);
    const out: TopicEvent[] = [];
    for (const { event } of ring) {
      if (event.seq <= afterSeq) continue;
      out.push(event);
      if (out.length >= bound) break;
    }
    return out;
  }

  /**
   * What a client resuming after `afterSeq` (of `epoch`, when it knows one) gets: the retained events after it
   * (the newest `limit`, so they join the live stream without a hole) and, when anything after afterSeq is not
   * among them, a gap. No rule check: the caller has checked.
   */
  resume(topic: string, afterSeq: number, epoch: string | undefined, limit: number): Resume {
    const seq = this.currentSeq(topic);
    const topicEpoch = this.epochOf(topic);
    if (isPattern(topic)) return { events: [], seq, epoch: topicEpoch, gap: null };
    // A node-local numbering that never reached afterSeq is another one (a restart, or another node's).
    const restarted = (epoch !== undefined && epoch !== topicEpoch) || (this.#numbersLocally(topic) && afterSeq > seq);
    const from = restarted ? 0 : afterSeq;
    const ring = this.#store.ring(topic);
    let first = ring.length;
    while (first > 0 && (ring[first - 1] as Retained).event.seq > from) first -= 1;
    const available = ring.length - first;
    const bound = Math.max(0, Math.min(limit, HUB_LIMITS.sinceLimitMax));
    const events = ring.slice(Math.max(first, ring.length - bound)).map((entry) => entry.event);
    // Nothing newer than afterSeq is known here (a shared topic this node has not heard of yet): no claim.
    if (!restarted && from >= seq) return { events, seq, epoch: topicEpoch, gap: null };
    const resumeFromSeq = events[0]?.seq ?? seq + 1;
    const reason: GapReason | null = restarted
      ? 'RESTARTED'
      : resumeFromSeq <= from + 1
        ? null
        : events.length < available
          ? 'TRUNCATED'
          : 'EVICTED';
    return { events, seq, epoch: topicEpoch, gap: reason === null ? null : { reason, resumeFromSeq } };
  }

  /**
   * The numbering a topic's seqs belong to: that of its last recorded event (a gateway worker records the full
   * node's chain events), else this hub's epoch, or the cluster's for topics Redis numbers.
   */
  epochOf(topic: string): string {
    const known = this.#store.epochOf(topic);
    if (known !== undefined) return known;
    return this.#numbersLocally(topic) ? this.epoch : this.clusterEpoch;
  }

  /**
   * The last seq of a topic this node knows (0 for none; above 0 for a topic it has forgotten). Redis remembers
   * shared topics' seqs, so for those this is only what this node heard.
   */
  currentSeq(topic: string): number {
    return this.#store.lastSeq(topic);
  }

  stats(): HubStats {
    return this.#store.stats();
  }

  /** Bytes retained of one topic, and of one publisher (a DID, `app` DID or `blocklet:<name>`). */
  retainedBytesOf(what: { topic: string } | { publisher: string }): number {
    return this.#store.bytesOf(what);
  }

  #numbersLocally(topic: string): boolean {
    return isNodeLocalTopic(topic) || this.sequencer === null;
  }

  #deliverLocal(event: TopicEvent): void {
    if (this.#subscriberCount === 0) return;
    for (const key of [event.topic, ...patternRooms(event.topic)]) {
      const set = this.#subscribers.get(key);
      if (!set) continue;
      for (const deliver of set) {
        try {
          deliver(event);
        } catch (error) {
          this.deps.log(`a gateway subscriber of ${event.topic} failed: ${(error as Error).message}`);
        }
      }
    }
  }
}

/** BAD_PAYLOAD for a value nested deeper than JSON_BOUNDS.depthMax (counted without recursion). */
function checkDepth(payload: unknown): void {
  if (valueDepth(payload) > JSON_BOUNDS.depthMax)
    throw new GatewayError('BAD_PAYLOAD', `The payload nests deeper than ${JSON_BOUNDS.depthMax} levels; flatten it.`);
}

function fromOf(principal: Principal): string | null {
  if (principal.kind === 'did') return principal.did;
  if (principal.kind === 'app') return principal.appDid;
  // Not the application's DID: subscribers must not take a bridged message for the application's own.
  if (principal.kind === 'bridge') return `mqtt-bridge:${principal.appDid}`;
  return null;
}
