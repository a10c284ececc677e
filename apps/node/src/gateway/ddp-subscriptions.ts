import type { z } from 'zod';
import { DDP_LIMITS, type DdpHub } from './ddp.ts';
import { type DdpError, ddpError, SUBSCRIPTIONS_COLLECTION, type SubIn, SubParams } from './ddp-messages.ts';
import type { GatewayLimits, Principal, TopicEvent } from './types.ts';

/** What the subscriptions need of their connection. */
export interface SubscriptionsHost {
  hub: DdpHub;
  limits: GatewayLimits;
  /** The client's address (the hub's per-address budget). */
  clientIp: string;
  /** Who the connection is now; it changes with login, logout and session expiry. */
  principal(): Principal;
  /** Bumped on every change of principal: a rule check made under an older one is not trusted. */
  generation(): number;
  /** Sends a frame; false (and nothing sent) when it cannot be serialized. */
  send(message: Record<string, unknown>): boolean;
  toDdpError(error: unknown): DdpError;
}

interface Subscription {
  id: string;
  name: string;
  /** The one callback every hub subscription of this DDP subscription delivers to (documents dedupe by id). */
  deliver: (event: TopicEvent) => void;
  /** Events that arrive while the retained ones are read; null once the subscription is live. */
  pending: TopicEvent[] | null;
  /** Ids of the documents the client holds for this subscription, oldest first. */
  documents: string[];
  held: Set<string>;
  /** The hub subscription now in force (null while the first rule check runs). */
  unsubscribe: (() => void) | null;
  stopped: boolean;
}

/**
 * The subscriptions of one DDP connection: a topic (or pattern) is a publication whose events are documents of a
 * collection named after it. Holds the documents each subscription keeps on the client (a bounded window, shared
 * between subscriptions of the same collection), and re-checks every subscription when the principal changes:
 * those the new principal may not hold are stopped by the server (`nosub` with an error, documents `removed`).
 */
export class DdpSubscriptions {
  readonly #subscriptions = new Map<string, Subscription>();
  /** collection → document id → how many subscriptions hold it (a document is added once, removed with the last). */
  readonly #collections = new Map<string, Map<string, number>>();

  constructor(readonly host: SubscriptionsHost) {}

  get size(): number {
    return this.#subscriptions.size;
  }

  has(id: string): boolean {
    return this.#subscriptions.has(id);
  }

  /**
   * `sub`: counted against the connection's bound synchronously (before any await), so subs pipelined in one
   * write cannot all pass the check; then the hub's rules and budgets, then the retained events, the status
   * document and `ready`. Never throws: every failure is a `nosub` with an error.
   */
  async start(message: z.infer<typeof SubIn>): Promise<void> {
    const { limits } = this.host;
    const send = (message: Record<string, unknown>) => this.host.send(message);
    const params = SubParams.safeParse(message.params ?? []);
    if (!params.success)
      return void send({ msg: 'nosub', id: message.id, error: ddpError('BAD_PAYLOAD', 'sub params are [] or [{ afterSeq, epoch }].') });
    if (this.#subscriptions.size >= limits.subscriptionsPerConnectionMax)
      return void send({
        msg: 'nosub',
        id: message.id,
        error: ddpError('TOO_MANY_SUBSCRIPTIONS', `A connection has at most ${limits.subscriptionsPerConnectionMax} subscriptions.`),
      });
    const sub: Subscription = {
      id: message.id,
      name: message.name,
      deliver: (event) => {
        if (sub.pending === null) return this.#add(sub, event);
        sub.pending.push(event);
        if (sub.pending.length > DDP_LIMITS.pendingEventsMax) sub.pending.shift();
      },
      pending: [],
      documents: [],
      held: new Set(),
      unsubscribe: null,
      stopped: false,
    };
    this.#subscriptions.set(sub.id, sub);
    try {
      if (!(await this.#subscribeFirst(sub))) return;
      this.#goLive(sub, params.data[0] ?? undefined);
    } catch (error) {
      this.#stop(sub, this.host.toDdpError(error));
    }
  }

  /**
   * The first hub subscription, under the principal of the moment. A login or logout while the rule check runs
   * makes its answer stale: the check is made again under the new principal (a bounded number of times).
   */
  async #subscribeFirst(sub: Subscription): Promise<boolean> {
    const { hub, clientIp } = this.host;
    for (let attempt = 1; ; attempt++) {
      const generation = this.host.generation();
      let unsubscribe: () => void;
      try {
        unsubscribe = await hub.subscribe(this.host.principal(), sub.name, (event) => sub.deliver(event), { ip: clientIp });
      } catch (error) {
        if (sub.stopped) return false;
        if (generation !== this.host.generation() && attempt < DDP_LIMITS.subscribeAttemptsMax) continue;
        throw error;
      }
      if (sub.stopped) {
        unsubscribe();
        return false;
      }
      if (generation === this.host.generation()) {
        sub.unsubscribe = unsubscribe;
        return true;
      }
      unsubscribe();
      if (attempt >= DDP_LIMITS.subscribeAttemptsMax) {
        this.#stop(sub, ddpError('UNAUTHORIZED', 'The login changed while subscribing, again and again; subscribe once it settles.'));
        return false;
      }
    }
  }

  /** Retained events (or those after `afterSeq`), the status document with the gap signal, then `ready`. */
  #goLive(sub: Subscription, resumeFrom: { afterSeq?: number | undefined; epoch?: string | undefined } | undefined): void {
    const afterSeq = resumeFrom?.afterSeq;
    const resume = this.host.hub.resume(sub.name, afterSeq ?? 0, resumeFrom?.epoch, DDP_LIMITS.documentsPerSubscriptionMax);
    const pending = sub.pending ?? [];
    sub.pending = null;
    for (const event of resume.events) this.#add(sub, event);
    for (const event of pending) this.#add(sub, event);
    // Without afterSeq the client asked for "the newest", so older events are not missing to it: no gap.
    const gap = afterSeq === undefined ? null : resume.gap;
    this.host.send({
      msg: 'added',
      collection: SUBSCRIPTIONS_COLLECTION,
      id: sub.id,
      fields: { name: sub.name, seq: resume.seq, epoch: resume.epoch, gap },
    });
    this.host.send({ msg: 'ready', subs: [sub.id] });
  }

  /** `unsub` from the client: documents removed, then `nosub` (also for an id it does not hold, as Meteor does). */
  unsub(id: string): void {
    const sub = this.#subscriptions.get(id);
    if (sub) this.#stop(sub, null);
    else this.host.send({ msg: 'nosub', id });
  }

  /**
   * The principal changed (login as someone, logout, expiry): every live subscription is checked again by
   * subscribing in the hub under the new principal (its rules and budgets), then the old hub subscription is let
   * go; events of the overlap dedupe by document id. A refused one is stopped with `nosub` and the error
   * (`expiredCode` replaces a refusal's code when the session expired). Resolves when all were checked.
   */
  async reauthorize(expiredCode?: 'SESSION_EXPIRED'): Promise<void> {
    const generation = this.host.generation();
    const principal = this.host.principal();
    const live = [...this.#subscriptions.values()].filter((sub) => sub.unsubscribe !== null && !sub.stopped);
    await Promise.all(
      live.map(async (sub) => {
        let next: () => void;
        try {
          // A callback of its own: the hub keeps callbacks in a set, so the old subscription's release would take the
          // shared one with it.
          next = await this.host.hub.subscribe(principal, sub.name, (event) => sub.deliver(event), { ip: this.host.clientIp });
        } catch (error) {
          // A newer change of principal checks again; only the newest answer counts.
          if (sub.stopped || generation !== this.host.generation()) return;
          const refusal = this.host.toDdpError(error);
          this.#stop(
            sub,
            expiredCode && (refusal.error === 'UNAUTHORIZED' || refusal.error === 'FORBIDDEN')
              ? ddpError(expiredCode, `The session expired, so ${sub.name} was stopped; log in again and subscribe.`)
              : refusal,
          );
          return;
        }
        if (sub.stopped || generation !== this.host.generation()) return next();
        const previous = sub.unsubscribe;
        sub.unsubscribe = next;
        previous?.();
      }),
    );
  }

  /** Stops every subscription without a word to the client (the connection is gone). */
  dispose(): void {
    for (const sub of this.#subscriptions.values()) {
      sub.stopped = true;
      sub.unsubscribe?.();
    }
    this.#subscriptions.clear();
    this.#collections.clear();
  }

  /** Stops a subscription: hub subscription let go, documents and status document removed, `nosub` (with `error` when the server stopped it). */
  #stop(sub: Subscription, error: DdpError | null): void {
    if (this.#subscriptions.get(sub.id) !== sub) return;
    sub.stopped = true;
    sub.unsubscribe?.();
    sub.unsubscribe = null;
    for (const doc of sub.documents) this.#release(sub, doc);
    sub.documents = [];
    this.#subscriptions.delete(sub.id);
    // The status document exists once the subscription went live (pending is null from then on).
    if (sub.pending === null) this.host.send({ msg: 'removed', collection: SUBSCRIPTIONS_COLLECTION, id: sub.id });
    this.host.send({ msg: 'nosub', id: sub.id, ...(error ? { error } : {}) });
  }

  /** A pattern's events come from many topics, whose seqs (and so ids) repeat: their documents carry the topic in the id. */
  #documentId(sub: Subscription, event: TopicEvent): string {
    return sub.name === event.topic ? event.id : `${event.topic}/${event.id}`;
  }

  #add(sub: Subscription, event: TopicEvent): void {
    if (sub.stopped) return;
    const id = this.#documentId(sub, event);
    if (sub.held.has(id)) return;
    sub.held.add(id);
    sub.documents.push(id);
    let collection = this.#collections.get(sub.name);
    if (!collection) {
      collection = new Map();
      this.#collections.set(sub.name, collection);
    }
    const refs = collection.get(id) ?? 0;
    collection.set(id, refs + 1);
    if (refs === 0) {
      const fields = { topic: event.topic, seq: event.seq, epoch: event.epoch, publishedAtMs: event.publishedAtMs, from: event.from };
      // A payload that cannot be serialized (another protocol let something too deep through) goes as null, so the
      // client still holds the document it will be told to remove.
      if (!this.host.send({ msg: 'added', collection: sub.name, id, fields: { ...fields, payload: event.payload } }))
        this.host.send({ msg: 'added', collection: sub.name, id, fields: { ...fields, payload: null, unserializable: true } });
    }
    if (sub.documents.length > DDP_LIMITS.documentsPerSubscriptionMax) {
      const oldest = sub.documents.shift();
      if (oldest !== undefined) this.#release(sub, oldest);
    }
  }

  #release(sub: Subscription, id: string): void {
    sub.held.delete(id);
    const collection = this.#collections.get(sub.name);
    const refs = collection?.get(id) ?? 0;
    if (!collection || refs === 0) return;
    if (refs > 1) return void collection.set(id, refs - 1);
    collection.delete(id);
    if (collection.size === 0) this.#collections.delete(sub.name);
    this.host.send({ msg: 'removed', collection: sub.name, id });
  }
}
