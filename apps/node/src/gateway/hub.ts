import { toHex } from '@arc/core';
import type { Database } from '../db/client.ts';
import type { BlockCommitted, Ledger } from '../ledger/ledger.ts';
import type { TopicBus, TopicMessage } from '../runtime/topics.ts';
import { isPattern, isValidTopic, patternRooms } from './topics.ts';
import { type GatewayAuth, GatewayError, type GatewayLimits, type Principal, type TopicEvent, type TopicHub } from './types.ts';

export const HUB_LIMITS = {
  /** Topics whose seq and retained events the hub keeps; the least recently published goes first. */
  topicsMax: 50_000,
  /** Local (in-process) subscriptions across all protocols. */
  localSubscribersMax: 100_000,
  /** Events one since() returns. */
  sinceLimitMax: 1000,
} as const;

/** Where an event goes besides local subscribers: the Socket.io rooms of this node, or of every node. */
export type FanoutScope = 'local' | 'cluster';
export type Fanout = (event: TopicEvent, scope: FanoutScope) => void;

/** Assigns per-topic seqs shared by every node (Redis INCR); without one, the hub counts locally. */
export type Sequencer = (topic: string) => Promise<number>;

/** Ledger topics: every node derives them from its own copy of the chain, so each node numbers and delivers its own. */
export function isNodeLocalTopic(topic: string): boolean {
  return topic.startsWith('chain:') || topic.startsWith('account:');
}

interface TopicState {
  seq: number;
  ring: TopicEvent[];
}

export interface HubDeps {
  auth: GatewayAuth;
  limits: GatewayLimits;
  nodeId: string;
  now: () => number;
  log: (line: string) => void;
}

/**
 * The topic hub of one node: numbers events per topic, keeps the last few per topic for resume, and hands each
 * to local subscribers (MQTT, DDP, in-process) and to the fan-out (Socket.io rooms, here and on other nodes).
 */
export class GatewayHub implements TopicHub {
  readonly #topics = new Map<string, TopicState>();
  readonly #subscribers = new Map<string, Set<(event: TopicEvent) => void>>();
  #subscriberCount = 0;
  fanout: Fanout = () => undefined;
  sequencer: Sequencer | null = null;
  /** Forwards an event to the hubs of other nodes (set with the Redis adapter). */
  forward: (event: TopicEvent) => void = () => undefined;

  constructor(readonly deps: HubDeps) {}

  async publish(principal: Principal, topic: string, payload: unknown): Promise<TopicEvent> {
    if (!isValidTopic(topic) || isPattern(topic))
      throw new GatewayError('BAD_PAYLOAD', `"${topic.slice(0, 300)}" is not a topic one can publish on.`);
    this.checkSize(payload);
    if (!(await this.deps.auth.canPublish(principal, topic))) throw new GatewayError('FORBIDDEN', `You may not publish on ${topic}.`);
    return this.publishAs(topic, payload, fromOf(principal));
  }

  /** Throws TOO_LARGE when the payload's JSON exceeds the message bound. */
  checkSize(payload: unknown): void {
    const bytes = Buffer.byteLength(JSON.stringify(payload ?? null) ?? 'null');
    if (bytes > this.deps.limits.messageBytesMax)
      throw new GatewayError('TOO_LARGE', `The message is ${bytes} bytes; the limit is ${this.deps.limits.messageBytesMax}.`);
  }

  /** Publishes without the rules (the node's own bridges, after their own checks). */
  async publishAs(topic: string, payload: unknown, from: string | null): Promise<TopicEvent> {
    const local = isNodeLocalTopic(topic) || this.sequencer === null;
    const seq = local ? this.#nextSeq(topic) : await (this.sequencer as Sequencer)(topic);
    const event: TopicEvent = {
      topic,
      id: `${seq}@${this.deps.nodeId}`,
      seq,
      payload: payload ?? null,
      publishedAtMs: this.deps.now(),
      from,
    };
    this.#record(event);
    this.#deliverLocal(event);
    this.fanout(event, isNodeLocalTopic(topic) ? 'local' : 'cluster');
    if (!isNodeLocalTopic(topic)) this.forward(event);
    return event;
  }

  /** An event another node published (its Socket.io clients were reached through the adapter already). */
  ingest(event: TopicEvent): void {
    this.#record(event);
    this.#deliverLocal(event);
  }

  async subscribe(principal: Principal, topic: string, deliver: (event: TopicEvent) => void): Promise<() => void> {
    await this.authorizeSubscribe(principal, topic);
    return this.subscribeUnchecked(topic, deliver);
  }

  /** Subscribes without the rules (the node's own bridges). */
  subscribeUnchecked(topic: string, deliver: (event: TopicEvent) => void): () => void {
    if (this.#subscriberCount >= HUB_LIMITS.localSubscribersMax)
      throw new GatewayError('TOO_MANY_SUBSCRIPTIONS', `The node holds at most ${HUB_LIMITS.localSubscribersMax} subscriptions.`);
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
    const ring = this.#topics.get(topic)?.ring ?? [];
    const bound = Math.min(limit, HUB_LIMITS.sinceLimitMax);
    const out: TopicEvent[] = [];
    for (const event of ring) {
      if (event.seq <= afterSeq) continue;
      out.push(event);
      if (out.length >= bound) break;
    }
    return out;
  }

  /** The last seq of a topic this node knows (0 for none). */
  currentSeq(topic: string): number {
    return this.#topics.get(topic)?.seq ?? 0;
  }

  #nextSeq(topic: string): number {
    return (this.#topics.get(topic)?.seq ?? 0) + 1;
  }

  #record(event: TopicEvent): void {
    let state = this.#topics.get(event.topic);
    if (state)
      this.#topics.delete(event.topic); // re-inserted below: the map's order is least recently published first
    else state = { seq: 0, ring: [] };
    if (event.seq > state.seq) state.seq = event.seq;
    insertBySeq(state.ring, event);
    if (state.ring.length > this.deps.limits.retainedPerTopicMax) state.ring.shift();
    this.#topics.set(event.topic, state);
    if (this.#topics.size > HUB_LIMITS.topicsMax) {
      const oldest = this.#topics.keys().next().value;
      if (oldest !== undefined) this.#topics.delete(oldest);
    }
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

/** Keeps a ring in seq order: an event forwarded by another node can land after a later local one. Drops a repeat. */
function insertBySeq(ring: TopicEvent[], event: TopicEvent): void {
  let at = ring.length;
  while (at > 0 && (ring[at - 1] as TopicEvent).seq > event.seq) at -= 1;
  if (at > 0 && (ring[at - 1] as TopicEvent).seq === event.seq) return;
  if (at === ring.length) ring.push(event);
  else ring.splice(at, 0, event);
}

function fromOf(principal: Principal): string | null {
  if (principal.kind === 'did') return principal.did;
  if (principal.kind === 'app') return principal.appDid;
  return null;
}

/** Marks TopicBus messages the gateway put there, so the bus bridge does not carry them back. */
const FROM_GATEWAY = '#gateway';

/**
 * Carries the ledger and the runtime's TopicBus into the hub, and client publishes on `app:*` into the TopicBus
 * (so blocklet topic triggers hear them). Events are bridged in commit order, one block at a time.
 */
export class HubBridges {
  #chain: Promise<void> = Promise.resolve();
  #unsubscribeBus: (() => void) | null = null;
  #unsubscribeApp: (() => void) | null = null;

  constructor(
    readonly hub: GatewayHub,
    readonly deps: { ledger: Ledger; db: Database; bus: TopicBus; log: (line: string) => void },
  ) {}

  start(): void {
    this.deps.ledger.events.on('block', this.#onBlock);
    this.#unsubscribeBus = this.deps.bus.subscribe('*', this.#onBus);
    this.#unsubscribeApp = this.hub.subscribeUnchecked('app:*', this.#onApp);
  }

  /** Resolves once every block seen so far is bridged. */
  idle(): Promise<void> {
    return this.#chain;
  }

  stop(): void {
    this.deps.ledger.events.off('block', this.#onBlock);
    this.#unsubscribeBus?.();
    this.#unsubscribeApp?.();
  }

  readonly #onBlock = (block: BlockCommitted) => {
    this.#chain = this.#chain
      .then(() => this.#bridgeBlock(block))
      .catch((error: unknown) => {
        this.deps.log(`the gateway could not bridge block ${block.header.height}: ${(error as Error).message}`);
      });
  };

  async #bridgeBlock(block: BlockCommitted): Promise<void> {
    const { height, timeMs } = block.header;
    await this.hub.publishAs('chain:blocks', { height, hash: toHex(block.hash), txCount: block.txHashes.length, timeMs }, null);
    for (const hash of block.txHashes) await this.hub.publishAs(`chain:tx:${hash}`, { hash, status: 'committed', height }, null);
    for (const r of block.rejected)
      await this.hub.publishAs(
        `chain:tx:${r.hashHex}`,
        { hash: r.hashHex, status: 'rejected', height, code: r.code, message: r.message },
        null,
      );
    if (block.txHashes.length === 0) return;
    const rows = await this.deps.db.query<{ hash: string; type: string; accounts: string[] }>(
      `SELECT encode(hash, 'hex') AS hash, type, accounts FROM txs WHERE height = $1 ORDER BY idx`,
      [height],
    );
    for (const row of rows)
      for (const did of new Set(row.accounts)) await this.hub.publishAs(`account:${did}`, { hash: row.hash, type: row.type, height }, null);
  }

  /** Blocklet publishes and logs, into the hub (not what the gateway itself put on the bus). */
  readonly #onBus = (message: TopicMessage) => {
    if (message.origin === FROM_GATEWAY) return;
    if (!isValidTopic(message.topic) || isPattern(message.topic)) return;
    // A blocklet may not speak for the chain: those topics come from the ledger only.
    if (message.origin !== undefined && isNodeLocalTopic(message.topic)) return;
    void this.hub
      .publishAs(message.topic, message.message, message.origin === undefined ? null : `blocklet:${message.origin}`)
      .catch((error: unknown) => {
        this.deps.log(`the gateway could not carry ${message.topic}: ${(error as Error).message}`);
      });
  };

  /** Client publishes on app topics, onto the bus for blocklet topic triggers (not what came from the bus). */
  readonly #onApp = (event: TopicEvent) => {
    if (event.from?.startsWith('blocklet:')) return;
    this.deps.bus.publish(event.topic, event.payload, FROM_GATEWAY);
  };
}
