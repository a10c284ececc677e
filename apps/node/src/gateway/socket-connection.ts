import type { Socket } from 'socket.io';
import { z } from 'zod';
import { JSON_BOUNDS, valueDepth } from './bounded-json.ts';
import type { GatewayHub } from './hub.ts';
import { type KeyedBuckets, TokenBucket } from './rate-limit.ts';
import { GatewayError, type GatewayErrorCode, type GatewayLimits, gatewayErrorPayload, type Principal, type TopicEvent } from './types.ts';

export const SOCKET_CONNECTION_LIMITS = {
  /** Retained events replayed by one subscribe with afterSeq. */
  replayEventsMax: 1000,
  /** Characters of an unknown event's name echoed in the error. */
  eventNameEchoMax: 64,
} as const;

const SubscribeIn = z.strictObject({
  topic: z.string().min(1).max(256),
  afterSeq: z.number().int().nonnegative().optional(),
  /** The epoch of the ack that afterSeq came from (a restarted node numbers anew). */
  epoch: z.string().min(1).max(100).optional(),
});
const UnsubscribeIn = z.strictObject({ topic: z.string().min(1).max(256) });
const PublishIn = z.strictObject({ topic: z.string().min(1).max(256), payload: z.unknown() });
/** `subscriptions` takes nothing (or null, or an empty object). */
const SubscriptionsIn = z.union([z.undefined(), z.null(), z.strictObject({})]);

const KNOWN_EVENTS = new Set(['subscribe', 'unsubscribe', 'publish', 'subscriptions']);

type Ack = (reply: Record<string, unknown>) => void;
type ErrorCode = GatewayErrorCode;

export interface SocketData {
  principal: Principal;
}

/** What every connection shares: the hub, the limits, the per-DID rate buckets. */
export interface ConnectionContext {
  hub: GatewayHub;
  limits: GatewayLimits;
  didBuckets: KeyedBuckets;
  now: () => number;
  log: (line: string) => void;
}

/**
 * One subscription of a connection, counted from the moment its subscribe arrives (before the rule check's await),
 * so subscribes pipelined in one write cannot all pass a limit none of them was counted against yet.
 */
interface Held {
  /** Gives back the hub's budget (node, address, anonymous); idempotent. */
  release: () => void;
  joined: boolean;
  /** An unsubscribe or the disconnect came while the subscribe was waiting for the rules. */
  cancelled: boolean;
}

function errorReply(error: unknown): { code: ErrorCode; message: string } {
  if (error instanceof GatewayError) return { code: error.code, message: error.message };
  return { code: 'INTERNAL', message: 'The node failed to handle the request.' };
}

/**
 * The gateway's Socket.io protocol for one connection: every client message is rate-limited, parsed (depth first,
 * then zod) and answered `{ ok: true, … } | { ok: false, code, message, retriable }` by its ack, or by an `error` event when it
 * has none. No input throws out of a handler: Socket.io calls them from process.nextTick, where a throw would end
 * the process.
 */
export class SocketConnection {
  readonly #held = new Map<string, Held>();
  readonly #bucket: TokenBucket;
  readonly #ip: string;
  /** A RATE_LIMITED error event went out since the last message let through: a spammer hears it once per burst. */
  #limitedTold = false;

  constructor(
    readonly socket: Socket,
    readonly ctx: ConnectionContext,
  ) {
    this.#bucket = new TokenBucket(ctx.limits.connectionRatePerSec, ctx.limits.connectionBurst, ctx.now());
    this.#ip = socket.handshake.address ?? '';
    socket.on(
      'subscribe',
      this.#handler(SubscribeIn, (input) => this.#subscribe(input)),
    );
    socket.on(
      'unsubscribe',
      this.#handler(UnsubscribeIn, async (input) => this.#unsubscribe(input.topic)),
    );
    socket.on(
      'publish',
      this.#handler(PublishIn, (input) => this.#publish(input.topic, input.payload)),
    );
    socket.on(
      'subscriptions',
      this.#handler(SubscriptionsIn, async () => ({ topics: this.#subscriptions() })),
    );
    socket.onAny((...args: unknown[]) => this.#guard(null, () => this.#onAny(args)));
    socket.on('disconnect', () => this.#guard(null, () => this.#releaseAll()));
  }

  get #principal(): Principal {
    return (this.socket.data as SocketData).principal;
  }

  /** Runs `body`; a throw becomes an INTERNAL reply to this connection and a log line, never an uncaught exception. */
  #guard(ack: Ack | null, body: () => void): void {
    try {
      body();
    } catch (error) {
      this.ctx.log(`gateway: a socket handler failed: ${(error as Error)?.stack ?? String(error)}`);
      const reply = errorReply(error);
      this.#fail(reply.code, reply.message, ack);
    }
  }

  /**
   * Answers by the ack when there is one; else an `error` event. Nothing keeps these beyond the transport's own
   * buffer (no recovery buffer), which the slow-consumer sweep bounds.
   */
  #fail(code: ErrorCode, message: string, ack: Ack | null): void {
    try {
      const payload = gatewayErrorPayload(code, message);
      if (ack) ack({ ok: false, ...payload });
      else this.socket.emit('error', payload);
    } catch (error) {
      this.ctx.log(`gateway: could not answer a socket: ${(error as Error)?.message ?? String(error)}`);
    }
  }

  /** Takes a token of the connection's bucket and of its DID's (or app's); RATE_LIMITED otherwise. */
  #allowed(ack: Ack | null): boolean {
    const t = this.ctx.now();
    const principal = this.#principal;
    const didKey = principal.kind === 'did' ? principal.did : principal.kind === 'app' ? `app:${principal.appDid}` : null;
    if (this.#bucket.take(t) && (didKey === null || this.ctx.didBuckets.take(didKey, t))) {
      this.#limitedTold = false;
      return true;
    }
    // Messages with an ack are always answered; the rest hear it once, so refusing spam costs no reply per message.
    if (ack || !this.#limitedTold) this.#fail('RATE_LIMITED', 'Too many messages; slow down.', ack);
    if (!ack) this.#limitedTold = true;
    return false;
  }

  #handler<T>(schema: z.ZodType<T>, run: (input: T) => Promise<Record<string, unknown>>): (...args: unknown[]) => void {
    return (...args: unknown[]) => {
      const last = args.at(-1);
      const ack = typeof last === 'function' ? (last as Ack) : null;
      const input = ack ? args.slice(0, -1) : args;
      this.#guard(ack, () => {
        if (!this.#allowed(ack)) return;
        // Before zod or anything else walks it: a deep value would overflow the stack of a recursive walk.
        if (valueDepth(input) > JSON_BOUNDS.depthMax + 1) {
          this.#fail('BAD_PAYLOAD', `The message nests deeper than ${JSON_BOUNDS.depthMax} levels; flatten it.`, ack);
          return;
        }
        const parsed = schema.safeParse(input[0]);
        if (!parsed.success) {
          const detail = parsed.error.issues.map((i) => `${i.path.join('.') || 'payload'}: ${i.message}`).join('; ');
          this.#fail('BAD_PAYLOAD', `Bad payload: ${detail.slice(0, 500)}`, ack);
          return;
        }
        run(parsed.data).then(
          (reply) => {
            try {
              ack?.({ ok: true, ...reply });
            } catch (error) {
              this.ctx.log(`gateway: could not ack a socket: ${(error as Error)?.message ?? String(error)}`);
            }
          },
          (error: unknown) => {
            if (!(error instanceof GatewayError))
              this.ctx.log(`gateway: a socket request failed: ${(error as Error)?.stack ?? String(error)}`);
            const reply = errorReply(error);
            this.#fail(reply.code, reply.message, ack);
          },
        );
      });
    };
  }

  /** Unknown events take a token like known ones (so spam is rate-limited) and get BAD_PAYLOAD. */
  #onAny(args: unknown[]): void {
    const [event] = args;
    if (typeof event === 'string' && KNOWN_EVENTS.has(event)) return;
    const last = args.at(-1);
    const ack = args.length > 1 && typeof last === 'function' ? (last as Ack) : null;
    if (!this.#allowed(ack)) return;
    const name = typeof event === 'string' || typeof event === 'number' ? String(event) : typeof event;
    this.#fail(
      'BAD_PAYLOAD',
      `Unknown event ${name.slice(0, SOCKET_CONNECTION_LIMITS.eventNameEchoMax)}; use subscribe, unsubscribe, publish or subscriptions.`,
      ack,
    );
  }

  /** Counts a subscription now (this connection's, then the hub's budget); throws TOO_MANY_SUBSCRIPTIONS. */
  #reserve(topic: string): Held {
    const max = this.ctx.limits.subscriptionsPerConnectionMax;
    if (this.#held.size >= max) throw new GatewayError('TOO_MANY_SUBSCRIPTIONS', `A connection has at most ${max} subscriptions.`);
    const held: Held = { release: this.ctx.hub.budget.reserve(this.#principal, this.#ip), joined: false, cancelled: false };
    this.#held.set(topic, held);
    return held;
  }

  async #subscribe({ topic, afterSeq, epoch }: z.infer<typeof SubscribeIn>): Promise<Record<string, unknown>> {
    const { hub } = this.ctx;
    // Synchronous up to the await: the count includes every subscribe still waiting for the rules.
    let held = this.#held.get(topic) ?? this.#reserve(topic);
    try {
      await hub.authorizeSubscribe(this.#principal, topic);
    } catch (error) {
      if (!held.joined && this.#held.get(topic) === held) {
        this.#held.delete(topic);
        held.release();
      }
      throw error;
    }
    if (held.cancelled || !this.socket.connected)
      throw new GatewayError('NOT_FOUND', `An unsubscribe from ${topic} came before this subscribe completed; subscribe again.`);
    // Another subscribe of the same topic held the count and failed meanwhile: count this one anew.
    if (this.#held.get(topic) !== held) held = this.#reserve(topic);
    // Replay, then join, in one synchronous step: the hub records an event and emits it to the rooms in one step
    // too (publishAs, ingest), so each event is either in this replay or arrives live: never both, never neither.
    const resumed = afterSeq === undefined ? null : hub.resume(topic, afterSeq, epoch, SOCKET_CONNECTION_LIMITS.replayEventsMax);
    for (const event of resumed?.events ?? []) this.socket.emit('event', socketEvent(event));
    this.socket.join(topic);
    held.joined = true;
    const gap = resumed?.gap ? { gap: resumed.gap } : {};
    return { topic, seq: hub.currentSeq(topic), epoch: hub.epochOf(topic), replayed: resumed?.events.length ?? 0, ...gap };
  }

  #unsubscribe(topic: string): Record<string, unknown> {
    const held = this.#held.get(topic);
    if (held) {
      this.#held.delete(topic);
      held.cancelled = true; // a subscribe of it still waiting for the rules must not join after this
      held.release();
    }
    this.socket.leave(topic);
    return { topic };
  }

  async #publish(topic: string, payload: unknown): Promise<Record<string, unknown>> {
    const principal = this.#principal;
    if (principal.kind === 'did' && principal.expiresAtMs <= this.ctx.now())
      throw new GatewayError('SESSION_EXPIRED', 'The session expired; log in again.');
    const event = await this.ctx.hub.publish(principal, topic, payload);
    return { id: event.id, seq: event.seq };
  }

  /** What the server holds for this connection: each joined topic with the seq and epoch this node knows now. */
  #subscriptions(): { topic: string; seq: number; epoch: string }[] {
    const { hub } = this.ctx;
    return [...this.#held]
      .filter(([, held]) => held.joined)
      .map(([topic]) => ({ topic, seq: hub.currentSeq(topic), epoch: hub.epochOf(topic) }));
  }

  /** Gives back every subscription's budget, once (a subscribe still waiting is cancelled). */
  #releaseAll(): void {
    for (const held of this.#held.values()) {
      held.cancelled = true;
      held.release();
    }
    this.#held.clear();
  }
}

/**
 * An event as Socket.io clients get it: the JSON view of the payload only. The raw bytes a byte protocol published
 * (MQTT) stay on the byte protocols; Socket.io clients would otherwise get them twice, as a binary attachment too.
 */
export function socketEvent(event: TopicEvent): Omit<TopicEvent, 'raw'> {
  if (event.raw === undefined) return event;
  const { raw: _raw, ...rest } = event;
  return rest;
}
