import { randomUUID } from 'node:crypto';
import { type RawData, WebSocket } from 'ws';
import type { z } from 'zod';
import { NodeError } from '../errors.ts';
import { DDP_LIMITS, type DdpGatewayOptions } from './ddp.ts';
import {
  BlockletCallParams,
  DDP_VERSIONS,
  DdpIn,
  LoginParams,
  type MethodIn,
  PublishParams,
  type SubIn,
  SubParams,
} from './ddp-messages.ts';
import { TokenBucket } from './rate-limit.ts';
import { GatewayError, type Principal, type TopicEvent } from './types.ts';

/** One DDP connection: its login, its subscriptions and the documents they hold on the client, its methods. */

/** WebSocket close codes the DDP gateway uses (4000–4999 are the application's). */
const CLOSE_SLOW_CONSUMER = 4008;
const CLOSE_SESSION_EXPIRED = 4001;
const CLOSE_IDLE = 4002;

/** A DDP error object, as Meteor's clients expect it. */
interface DdpError {
  error: string;
  reason: string;
  message: string;
  errorType: 'Meteor.Error';
}

function ddpError(code: string, reason: string): DdpError {
  return { error: code, reason, message: `${reason} [${code}]`, errorType: 'Meteor.Error' };
}

interface Subscription {
  id: string;
  name: string;
  /** Events that arrive while the retained ones are read; null once the subscription is live. */
  pending: TopicEvent[] | null;
  /** Ids of the documents the client holds for this subscription, oldest first. */
  documents: string[];
  held: Set<string>;
  unsubscribe: (() => void) | null;
  stopped: boolean;
}

export class DdpSession {
  readonly id = randomUUID();
  principal: Principal = { kind: 'anonymous' };
  readonly #ws: WebSocket;
  readonly #options: DdpGatewayOptions;
  readonly #bucket: TokenBucket;
  readonly #subscriptions = new Map<string, Subscription>();
  /** collection → document id → how many subscriptions hold it (a document is added once, removed with the last). */
  readonly #collections = new Map<string, Map<string, number>>();
  #connected = false;
  #methodsInFlight = 0;
  #heardSinceHeartbeat = true;

  constructor(
    ws: WebSocket,
    options: DdpGatewayOptions,
    /** The client's address (its sign-in challenges are counted against it). */
    readonly clientIp = '',
  ) {
    this.#ws = ws;
    this.#options = options;
    this.#bucket = new TokenBucket(options.limits.connectionRatePerSec, options.limits.connectionBurst, options.now());
    ws.on('message', (data, isBinary) => this.#onFrame(data, isBinary));
    ws.on('error', () => ws.terminate());
  }

  heartbeat(): void {
    if (this.principal.kind === 'did' && this.principal.expiresAtMs <= this.#options.now()) {
      this.#ws.close(CLOSE_SESSION_EXPIRED, 'session expired; log in again');
      return;
    }
    if (!this.#heardSinceHeartbeat) {
      this.#ws.close(CLOSE_IDLE, 'no answer to ping');
      return;
    }
    this.#heardSinceHeartbeat = false;
    if (this.#connected) this.#send({ msg: 'ping', id: randomUUID() });
  }

  terminate(): void {
    this.#ws.terminate();
  }

  dispose(): void {
    for (const sub of this.#subscriptions.values()) {
      sub.stopped = true;
      sub.unsubscribe?.();
    }
    this.#subscriptions.clear();
    this.#collections.clear();
  }

  #send(message: Record<string, unknown>): void {
    if (this.#ws.readyState !== WebSocket.OPEN) return;
    if (this.#ws.bufferedAmount > this.#options.limits.clientBufferBytesMax) {
      this.#ws.close(CLOSE_SLOW_CONSUMER, 'slow consumer: read faster and reconnect');
      return;
    }
    this.#ws.send(JSON.stringify(message));
  }

  #error(reason: string, offending?: unknown): void {
    const echo = offending !== undefined && JSON.stringify(offending).length <= DDP_LIMITS.echoBytesMax;
    this.#send({ msg: 'error', reason, ...(echo ? { offendingMessage: offending } : {}) });
  }

  #onFrame(data: RawData, isBinary: boolean) {
    this.#heardSinceHeartbeat = true;
    if (isBinary) return this.#error('DDP frames are JSON text.');
    let json: unknown;
    try {
      json = JSON.parse(data.toString());
    } catch {
      return this.#error('The frame is not JSON.');
    }
    const parsed = DdpIn.safeParse(json);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'frame'}: ${i.message}`).join('; ');
      return this.#error(`Not a DDP message: ${issues.slice(0, 500)}`, json);
    }
    const message = parsed.data;
    if (message.msg === 'connect') return this.#connect(message.version, message.support);
    if (!this.#connected) return this.#error('Send connect first.', json);
    if (message.msg === 'pong') return;
    if (message.msg === 'ping') return this.#send({ msg: 'pong', ...(message.id === undefined ? {} : { id: message.id }) });
    if (!this.#bucket.take(this.#options.now())) {
      const error = ddpError('RATE_LIMITED', 'Too many messages; slow down.');
      if (message.msg === 'method') return this.#result(message.id, { error });
      if (message.msg === 'sub') return this.#send({ msg: 'nosub', id: message.id, error });
      return this.#error(error.reason, json);
    }
    if (message.msg === 'sub') return void this.#sub(message);
    if (message.msg === 'unsub') return this.#unsub(message.id);
    return void this.#method(message);
  }

  #connect(version: string, support: string[] | undefined): void {
    if (this.#connected) {
      this.#error('Already connected.');
      return;
    }
    const offered = [version, ...(support ?? [])];
    if (!offered.some((v) => (DDP_VERSIONS as readonly string[]).includes(v))) {
      this.#send({ msg: 'failed', version: DDP_VERSIONS[0] });
      this.#ws.close(1000, 'unsupported DDP version');
      return;
    }
    this.#connected = true;
    this.#send({ msg: 'connected', session: this.id });
  }

  // ---- publications ----

  async #sub(message: z.infer<typeof SubIn>): Promise<void> {
    const { hub, limits } = this.#options;
    if (this.#subscriptions.has(message.id)) return this.#error(`The subscription id ${message.id} is in use.`, message);
    const params = SubParams.safeParse(message.params ?? []);
    if (!params.success)
      return this.#send({ msg: 'nosub', id: message.id, error: ddpError('BAD_PAYLOAD', 'sub params are [] or [{ afterSeq }].') });
    if (this.#subscriptions.size >= limits.subscriptionsPerConnectionMax)
      return this.#send({
        msg: 'nosub',
        id: message.id,
        error: ddpError('TOO_MANY_SUBSCRIPTIONS', `A connection has at most ${limits.subscriptionsPerConnectionMax} subscriptions.`),
      });
    const sub: Subscription = {
      id: message.id,
      name: message.name,
      pending: [],
      documents: [],
      held: new Set(),
      unsubscribe: null,
      stopped: false,
    };
    this.#subscriptions.set(sub.id, sub);
    const principal = this.principal;
    try {
      // Subscribe first and hold what arrives, then read the retained events: nothing falls in between.
      const unsubscribe = await hub.subscribe(
        principal,
        sub.name,
        (event) => {
          if (sub.pending === null) return this.#add(sub, event);
          sub.pending.push(event);
          if (sub.pending.length > DDP_LIMITS.pendingEventsMax) sub.pending.shift();
        },
        { ip: this.clientIp },
      );
      if (sub.stopped) return unsubscribe();
      sub.unsubscribe = unsubscribe;
      const retained = await hub.since(principal, sub.name, params.data[0]?.afterSeq ?? 0, limits.retainedPerTopicMax);
      if (sub.stopped) return;
      const pending = sub.pending ?? [];
      sub.pending = null;
      for (const event of retained.slice(-DDP_LIMITS.documentsPerSubscriptionMax)) this.#add(sub, event);
      for (const event of pending) this.#add(sub, event);
      this.#send({ msg: 'ready', subs: [sub.id] });
    } catch (error) {
      sub.unsubscribe?.();
      if (this.#subscriptions.get(sub.id) === sub) this.#subscriptions.delete(sub.id);
      this.#send({ msg: 'nosub', id: sub.id, error: this.#toDdpError(error) });
    }
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
      const fields = { topic: event.topic, seq: event.seq, payload: event.payload, publishedAtMs: event.publishedAtMs, from: event.from };
      this.#send({ msg: 'added', collection: sub.name, id, fields });
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
    this.#send({ msg: 'removed', collection: sub.name, id });
  }

  #unsub(id: string): void {
    const sub = this.#subscriptions.get(id);
    if (sub) {
      sub.stopped = true;
      sub.unsubscribe?.();
      for (const doc of sub.documents) this.#release(sub, doc);
      sub.documents = [];
      this.#subscriptions.delete(id);
    }
    this.#send({ msg: 'nosub', id });
  }

  // ---- methods ----

  #result(id: string, outcome: { result: unknown } | { error: DdpError }): void {
    this.#send({ msg: 'result', id, ...outcome });
    this.#send({ msg: 'updated', methods: [id] });
  }

  async #method(message: z.infer<typeof MethodIn>): Promise<void> {
    if (this.#methodsInFlight >= DDP_LIMITS.methodsInFlightMax)
      return this.#result(message.id, {
        error: ddpError('RATE_LIMITED', `At most ${DDP_LIMITS.methodsInFlightMax} methods run at once per connection.`),
      });
    this.#methodsInFlight += 1;
    try {
      const result = await this.#run(message.method, message.params ?? []);
      this.#result(message.id, { result: result ?? null });
    } catch (error) {
      this.#result(message.id, { error: this.#toDdpError(error) });
    } finally {
      this.#methodsInFlight -= 1;
    }
  }

  async #run(method: string, params: unknown[]): Promise<unknown> {
    const { auth, hub, runtime, now } = this.#options;
    switch (method) {
      case 'gateway.challenge':
        return auth.challenge({ ip: this.clientIp });
      case 'login': {
        const [input] = parseParams(
          LoginParams,
          params,
          'login takes [{ did, publicKey, nonce, timeMs, signature }] or [{ resume: token }]',
        );
        if ('resume' in input) {
          const principal = await auth.resolve(input.resume);
          if (principal.kind === 'anonymous') throw new GatewayError('UNAUTHORIZED', 'Not a session token or API key.');
          this.principal = principal;
          return principal.kind === 'did' ? { did: principal.did, expiresAtMs: principal.expiresAtMs } : { appDid: principal.appDid };
        }
        const { token, principal } = await auth.login(input);
        this.principal = principal;
        return { token, did: input.did, expiresAtMs: principal.kind === 'did' ? principal.expiresAtMs : 0 };
      }
      case 'logout':
        this.principal = { kind: 'anonymous' };
        return null;
      case 'publish': {
        const [topic, payload] = parseParams(PublishParams, params, 'publish takes [topic, payload]');
        const principal = this.principal;
        if (principal.kind === 'did' && principal.expiresAtMs <= now())
          throw new GatewayError('SESSION_EXPIRED', 'The session expired; log in again.');
        const event = await hub.publish(principal, topic, payload);
        return { id: event.id, seq: event.seq };
      }
      case 'blocklet.call': {
        const [name, input] = parseParams(BlockletCallParams, params, 'blocklet.call takes [name, input]');
        const outcome = await runtime.invoke(name, { handler: 'call', input: input ?? null, trigger: 'call' });
        if (!outcome.ok)
          throw new NodeError((outcome.error?.code ?? 'BLOCKLET_ERROR') as never, outcome.error?.message ?? 'The blocklet failed.');
        return outcome.output ?? null;
      }
      default:
        throw new GatewayError(
          'NOT_FOUND',
          `No method ${method.slice(0, 64)}; methods: gateway.challenge, login, logout, publish, blocklet.call.`,
        );
    }
  }

  #toDdpError(error: unknown): DdpError {
    if (error instanceof GatewayError || error instanceof NodeError) return ddpError(error.code, error.message);
    this.#options.log(`ddp: a request failed: ${(error as Error).stack ?? error}`);
    return ddpError('INTERNAL', 'The node failed to handle the request; try again.');
  }
}

function parseParams<T>(schema: z.ZodType<T>, params: unknown[], usage: string): T {
  const parsed = schema.safeParse(params);
  if (!parsed.success) throw new GatewayError('BAD_PAYLOAD', usage);
  return parsed.data;
}
