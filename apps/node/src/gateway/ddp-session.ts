import { randomUUID } from 'node:crypto';
import { type RawData, WebSocket } from 'ws';
import type { z } from 'zod';
import { NodeError } from '../errors.ts';
import { parseBoundedJson, stringifyOrNull } from './bounded-json.ts';
import { DDP_LIMITS, type DdpGatewayOptions } from './ddp.ts';
import {
  BlockletCallParams,
  DDP_VERSIONS,
  type DdpError,
  DdpIn,
  ddpError,
  LoginParams,
  type MethodIn,
  PublishParams,
} from './ddp-messages.ts';
import { DdpSubscriptions } from './ddp-subscriptions.ts';
import { TokenBucket } from './rate-limit.ts';
import { GatewayError, type Principal } from './types.ts';

/** WebSocket close codes the DDP gateway uses (4000–4999 are the application's). */
const CLOSE_SLOW_CONSUMER = 4008;
const CLOSE_IDLE = 4002;

/**
 * One DDP connection: its frames, its login (and the re-check of its subscriptions when that changes, and when
 * the session expires), its methods. Whatever a frame holds, the worst it gets is an `error`, `nosub` or `result`
 * error for this connection: nothing a client sends reaches the process as an uncaught exception.
 */
export class DdpSession {
  readonly id = randomUUID();
  #principal: Principal = { kind: 'anonymous' };
  /** Bumped on every change of principal (see DdpSubscriptions.reauthorize). */
  #generation = 0;
  readonly #ws: WebSocket;
  readonly #options: DdpGatewayOptions;
  readonly #bucket: TokenBucket;
  readonly #subscriptions: DdpSubscriptions;
  #connected = false;
  #methodsInFlight = 0;
  #heardSinceHeartbeat = true;
  /** Fires at the session's expiry (see #armExpiry). */
  #expiryTimer: NodeJS.Timeout | null = null;

  constructor(
    ws: WebSocket,
    options: DdpGatewayOptions,
    /** The client's address (its sign-in challenges and subscriptions are counted against it). */
    readonly clientIp = '',
  ) {
    this.#ws = ws;
    this.#options = options;
    this.#bucket = new TokenBucket(options.limits.connectionRatePerSec, options.limits.connectionBurst, options.now());
    this.#subscriptions = new DdpSubscriptions({
      hub: options.hub,
      limits: options.limits,
      clientIp,
      principal: () => this.#principal,
      generation: () => this.#generation,
      send: (message) => this.#send(message),
      toDdpError: (error) => this.#toDdpError(error),
    });
    ws.on('message', (data, isBinary) => this.#onFrame(data, isBinary));
    ws.on('error', () => ws.terminate());
  }

  get principal(): Principal {
    return this.#principal;
  }

  heartbeat(): void {
    // The expiry timer ends an expired session; this is the backstop should the clock have jumped.
    if (this.#principal.kind === 'did' && this.#principal.expiresAtMs <= this.#options.now()) this.#expire();
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
    if (this.#expiryTimer) clearTimeout(this.#expiryTimer);
    this.#expiryTimer = null;
    this.#subscriptions.dispose();
  }

  /** Sends a frame; false (nothing sent, the reason logged) when it cannot be serialized. */
  #send(message: Record<string, unknown>): boolean {
    if (this.#ws.readyState !== WebSocket.OPEN) return true;
    if (this.#ws.bufferedAmount > this.#options.limits.clientBufferBytesMax) {
      this.#ws.close(CLOSE_SLOW_CONSUMER, 'slow consumer: read faster and reconnect');
      return true;
    }
    const text = stringifyOrNull(message);
    if (text === null) {
      this.#options.log(`ddp: a ${String(message.msg)} frame could not be serialized (too deep, or not JSON); not sent`);
      return false;
    }
    this.#ws.send(text);
    return true;
  }

  /** `error` for a frame that has no answer of its own; the frame is echoed only when it is small. */
  #error(reason: string, offending?: unknown): void {
    const text = offending === undefined ? null : stringifyOrNull(offending);
    const echo = text !== null && text.length <= DDP_LIMITS.echoBytesMax;
    this.#send({ msg: 'error', reason, ...(echo ? { offendingMessage: offending } : {}) });
  }

  /** Any throw while handling a frame is this connection's error, never the process's. */
  #onFrame(data: RawData, isBinary: boolean): void {
    try {
      this.#handleFrame(data, isBinary);
    } catch (error) {
      this.#options.log(`ddp: a frame failed: ${(error as Error).stack ?? error}`);
      this.#error('The node failed to handle the frame; this connection goes on.');
    }
  }

  #handleFrame(data: RawData, isBinary: boolean) {
    this.#heardSinceHeartbeat = true;
    if (isBinary) return this.#error('DDP frames are JSON text.');
    let json: unknown;
    try {
      // Bounded depth: the frame can then be validated, echoed and serialized without a stack overflow.
      const text = Buffer.isBuffer(data)
        ? data.toString('utf8')
        : Array.isArray(data)
          ? Buffer.concat(data).toString('utf8')
          : Buffer.from(data).toString('utf8');
      json = parseBoundedJson(text, this.#options.limits.messageBytesMax * 2 + DDP_LIMITS.frameOverheadBytes);
    } catch (error) {
      if (error instanceof GatewayError) return this.#error(`The frame is not DDP: ${error.message}`);
      throw error;
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
    if (message.msg === 'ping') return void this.#send({ msg: 'pong', ...(message.id === undefined ? {} : { id: message.id }) });
    if (!this.#bucket.take(this.#options.now())) {
      const error = ddpError('RATE_LIMITED', 'Too many messages; slow down.');
      if (message.msg === 'method') return this.#result(message.id, { error });
      if (message.msg === 'sub') return void this.#send({ msg: 'nosub', id: message.id, error });
      return this.#error(error.reason, json);
    }
    if (message.msg === 'sub') {
      if (this.#subscriptions.has(message.id)) return this.#error(`The subscription id ${message.id} is in use.`, message);
      return void this.#subscriptions.start(message).catch((error) => this.#failed('sub', error));
    }
    if (message.msg === 'unsub') return this.#subscriptions.unsub(message.id);
    return void this.#method(message).catch((error) => this.#failed('method', error));
  }

  /** A sub or method path threw past its own handling (a bug): logged, and the connection is told. */
  #failed(what: string, error: unknown): void {
    this.#options.log(`ddp: a ${what} failed: ${(error as Error).stack ?? error}`);
    this.#error(`The node failed to handle a ${what}; try again.`);
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

  // ---- login ----

  /**
   * Meteor's semantics: a change of user re-runs the connection's subscriptions. Those the new principal may not
   * hold are stopped (`nosub` with an error) before the method's `result` goes out.
   */
  async #setPrincipal(principal: Principal, expiredCode?: 'SESSION_EXPIRED'): Promise<void> {
    this.#principal = principal;
    this.#generation += 1;
    this.#armExpiry();
    await this.#subscriptions.reauthorize(expiredCode);
  }

  /** A timer at the session's expiry (re-armed past setTimeout's ceiling), so subscriptions end then, not at a heartbeat. */
  #armExpiry(): void {
    if (this.#expiryTimer) clearTimeout(this.#expiryTimer);
    this.#expiryTimer = null;
    const principal = this.#principal;
    if (principal.kind !== 'did') return;
    const delayMs = Math.min(Math.max(0, principal.expiresAtMs - this.#options.now()), DDP_LIMITS.timerDelayMaxMs);
    this.#expiryTimer = setTimeout(() => {
      this.#expiryTimer = null;
      if (this.#principal !== principal) return;
      if (principal.expiresAtMs <= this.#options.now()) this.#expire();
      else this.#armExpiry();
    }, delayMs);
    this.#expiryTimer.unref();
  }

  /** The session expired: the connection goes on anonymous; what it may no longer hold ends with SESSION_EXPIRED. */
  #expire(): void {
    if (this.#principal.kind !== 'did') return;
    this.#setPrincipal({ kind: 'anonymous' }, 'SESSION_EXPIRED').catch((error) => this.#failed('session expiry', error));
  }

  // ---- methods ----

  #result(id: string, outcome: { result: unknown } | { error: DdpError }): void {
    if (!this.#send({ msg: 'result', id, ...outcome }))
      this.#send({ msg: 'result', id, error: ddpError('BAD_PAYLOAD', 'The result cannot be serialized as JSON (too deep?).') });
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
          await this.#setPrincipal(principal);
          return principal.kind === 'did' ? { did: principal.did, expiresAtMs: principal.expiresAtMs } : { appDid: principal.appDid };
        }
        const { token, principal } = await auth.login(input);
        await this.#setPrincipal(principal);
        return { token, did: input.did, expiresAtMs: principal.kind === 'did' ? principal.expiresAtMs : 0 };
      }
      case 'logout':
        await this.#setPrincipal({ kind: 'anonymous' });
        return null;
      case 'publish': {
        const [topic, payload] = parseParams(PublishParams, params, 'publish takes [topic, payload]');
        const principal = this.#principal;
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
