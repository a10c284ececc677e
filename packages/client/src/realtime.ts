import { challengeMessage, toHex } from '@arc/core';
import type { AppRouter } from '@arc/node/router';
import { createTRPCClient, httpLink } from '@trpc/client';
import { io, type Socket } from 'socket.io-client';
import { badInput, ClientError, toClientError } from './errors.ts';

/** Bounds of the realtime client. */
export const REALTIME_LIMITS = {
  /** One subscribe, unsubscribe or publish waits this long for the node's answer. */
  ackTimeoutMs: 15_000,
  /** Topics a pattern subscription remembers the last seq of (for dropping duplicates). */
  patternTopicsMax: 10_000,
  reconnectDelayMs: 500,
  reconnectDelayMaxMs: 5_000,
} as const;

/** One committed block, on `chain:blocks`. */
export interface BlockSummary {
  height: number;
  hash: string;
  txCount: number;
  timeMs: number;
}

/** Where a transaction ended, on `chain:tx:<hash>`. */
export type TxStatusEvent =
  | { hash: string; status: 'committed'; height: number }
  | { hash: string; status: 'rejected'; height: number; code: string; message: string };

/** A committed transaction touching an account, on `account:<did>`. */
export interface AccountTxSummary {
  hash: string;
  type: string;
  height: number;
}

/** The payload type of a topic family. */
export type TopicPayload<T extends string> = T extends 'chain:blocks'
  ? BlockSummary
  : T extends `chain:tx:${string}`
    ? TxStatusEvent
    : T extends `account:${string}`
      ? AccountTxSummary
      : unknown;

/** One event as the gateway delivers it (see TopicEvent on the node). */
export interface RealtimeEvent<P = unknown> {
  topic: string;
  id: string;
  seq: number;
  payload: P;
  publishedAtMs: number;
  from: string | null;
}

/** What signs the login challenge: a Wallet of this package, or anything with a DID, a public key and ed25519 signing. */
export interface RealtimeSigner {
  did: string;
  publicKey: Uint8Array;
  sign(message: Uint8Array): Uint8Array;
}

export interface RealtimeOptions {
  /** Log in as this DID (a challenge from the node, signed here). */
  wallet?: RealtimeSigner;
  /** Or a credential already at hand: a session token or an application's API key. */
  token?: string;
  /** Errors the node reports outside an answer (BAD_PAYLOAD, SLOW_CONSUMER…) and failed re-logins. */
  onError?: (error: ClientError) => void;
  /**
   * A resumed subscription missed events the node no longer holds (or the node restarted and numbers anew):
   * delivery goes on from `resumeFromSeq`; reload the state the topic feeds. Without it, gaps go to onError (GAP).
   */
  onGap?: (gap: RealtimeGap) => void;
  fetch?: typeof globalThis.fetch;
  /** Transports to use (default websocket, then polling). */
  transports?: ('websocket' | 'polling')[];
}

export interface SubscribeOptions {
  /** Replay retained events after this seq first (0: everything the node still holds). */
  afterSeq?: number;
}

export interface RealtimeSubscription {
  topic: string;
  /** The last seq delivered to the handler (per concrete topic for a pattern). */
  readonly lastSeq: number;
  unsubscribe(): Promise<void>;
}

export interface Realtime {
  /** The underlying Socket.io socket (for its connect/disconnect events). */
  readonly socket: Socket;
  /** Subscribes; `topic` may be a pattern ending in `:*`. Resolves once the node accepted it. */
  subscribe<T extends string>(
    topic: T,
    handler: (event: RealtimeEvent<TopicPayload<T>>) => void,
    options?: SubscribeOptions,
  ): Promise<RealtimeSubscription>;
  /** Publishes; resolves with the event's id and seq. */
  publish(topic: string, payload: unknown): Promise<{ id: string; seq: number }>;
  close(): void;
}

/** Events of `topic` before `resumeFromSeq` that a resumed subscription will never get. */
export interface RealtimeGap {
  topic: string;
  /** EVICTED: dropped by the node's bounds; TRUNCATED: more than one replay; RESTARTED: the node numbers anew. */
  reason: 'EVICTED' | 'TRUNCATED' | 'RESTARTED';
  resumeFromSeq: number;
}

type Ack =
  | { ok: true; seq?: number; id?: string; epoch?: string; gap?: Omit<RealtimeGap, 'topic'> }
  | { ok: false; code: string; message: string };

interface TopicState {
  topic: string;
  pattern: boolean;
  handlers: Set<(event: RealtimeEvent<never>) => void>;
  lastSeq: number;
  /** Per concrete topic, for a pattern. */
  lastSeqs: Map<string, number>;
  /** While a subscribe is on its way: events wait here and go out in seq order once it is answered. */
  resuming: boolean;
  held: RealtimeEvent[];
  afterSeq: number | undefined;
  /** The numbering lastSeq belongs to (from the node's ack); sent back on resume so a restart is noticed. */
  epoch: string | undefined;
  /** The subscribe on its way, if one is. */
  pending: Promise<void> | null;
}

function rejectAck(ack: Ack): asserts ack is Extract<Ack, { ok: true }> {
  if (!ack.ok) throw new ClientError(ack.code, ack.message, { retriable: ack.code === 'RATE_LIMITED' });
}

/**
 * Connects to a node's realtime gateway (Socket.io at `<url>/socket.io`). Reconnects by itself; on reconnect it
 * resumes every subscription (Socket.io connection-state recovery, else a re-subscribe with the last seq seen),
 * and it drops duplicates by seq, so a handler sees each event once and in order.
 */
export async function connectRealtime(url: string, options: RealtimeOptions = {}): Promise<Realtime> {
  let base: URL;
  try {
    base = new URL(url);
  } catch {
    throw badInput(`${url} is not a URL`);
  }
  const origin = base.href.replace(/\/+$/, '');
  const trpc = createTRPCClient<AppRouter>({
    links: [httpLink({ url: `${origin}/trpc`, ...(options.fetch ? { fetch: options.fetch } : {}) })],
  });
  const login = async (wallet: RealtimeSigner): Promise<string> => {
    try {
      const challenge = await trpc.gateway.challenge.mutate();
      const signature = wallet.sign(challengeMessage(challenge.nonce, challenge.timeMs));
      const session = await trpc.gateway.login.mutate({
        did: wallet.did,
        publicKey: toHex(wallet.publicKey),
        nonce: challenge.nonce,
        timeMs: challenge.timeMs,
        signature: toHex(signature),
      });
      return session.token;
    } catch (error) {
      throw toClientError(error);
    }
  };
  let token: string | undefined = options.token ?? (options.wallet ? await login(options.wallet) : undefined);
  const reportError = (error: ClientError) => options.onError?.(error);

  const socket: Socket = io(origin, {
    path: '/socket.io',
    transports: options.transports ?? ['websocket', 'polling'],
    auth: (cb) => cb(token === undefined ? {} : { token }),
    reconnectionDelay: REALTIME_LIMITS.reconnectDelayMs,
    reconnectionDelayMax: REALTIME_LIMITS.reconnectDelayMaxMs,
  });
  const topics = new Map<string, TopicState>();

  const deliver = (state: TopicState, event: RealtimeEvent) => {
    if (state.pattern) {
      if (!state.lastSeqs.has(event.topic) && state.lastSeqs.size >= REALTIME_LIMITS.patternTopicsMax) state.lastSeqs.clear();
      state.lastSeqs.set(event.topic, event.seq);
    }
    state.lastSeq = Math.max(state.lastSeq, event.seq);
    for (const handler of state.handlers) handler(event as RealtimeEvent<never>);
  };
  const seen = (state: TopicState, event: RealtimeEvent) =>
    state.pattern ? event.seq <= (state.lastSeqs.get(event.topic) ?? 0) : event.seq <= state.lastSeq;

  const sendSubscribe = (state: TopicState): Promise<void> => {
    const sent = subscribeOnce(state).finally(() => {
      if (state.pending === sent) state.pending = null;
    });
    state.pending = sent;
    return sent;
  };
  const subscribeOnce = async (state: TopicState): Promise<void> => {
    state.resuming = true;
    const afterSeq = state.pattern ? undefined : state.lastSeq > 0 ? state.lastSeq : state.afterSeq;
    try {
      const ack = (await socket
        .timeout(REALTIME_LIMITS.ackTimeoutMs)
        .emitWithAck(
          'subscribe',
          afterSeq === undefined
            ? { topic: state.topic }
            : { topic: state.topic, afterSeq, ...(state.epoch === undefined ? {} : { epoch: state.epoch }) },
        )) as Ack;
      rejectAck(ack);
      if (ack.epoch !== undefined) state.epoch = ack.epoch;
      if (ack.gap && !state.pattern) {
        // Delivery goes on from the gap: a restarted node's seqs may be below the last one seen.
        state.lastSeq = ack.gap.resumeFromSeq - 1;
        const gap: RealtimeGap = { topic: state.topic, ...ack.gap };
        if (options.onGap) options.onGap(gap);
        else
          reportError(
            new ClientError('GAP', `missed events of ${gap.topic} before seq ${gap.resumeFromSeq} (${gap.reason}); reload its state`),
          );
      }
      const held = state.held.sort((a, b) => a.seq - b.seq);
      state.held = [];
      state.resuming = false;
      for (const event of held) if (!seen(state, event)) deliver(state, event);
      if (!state.pattern) state.lastSeq = Math.max(state.lastSeq, ack.seq ?? 0);
    } catch (error) {
      state.resuming = false;
      throw error instanceof ClientError ? error : new ClientError('TIMEOUT', `the node did not answer the subscribe to ${state.topic}`);
    }
  };

  socket.on('event', (event: RealtimeEvent) => {
    for (const state of topics.values()) {
      const matches = state.pattern ? event.topic.startsWith(state.topic.slice(0, -1)) : event.topic === state.topic;
      if (!matches || seen(state, event)) continue;
      if (state.resuming) {
        state.held.push(event);
      } else if (!state.pattern && state.lastSeq > 0 && event.seq > state.lastSeq + 1) {
        // A gap (a recovery that missed something): fetch the missing ones, then deliver in order.
        state.held.push(event);
        sendSubscribe(state).catch((error: unknown) => reportError(error as ClientError));
      } else {
        deliver(state, event);
      }
    }
  });
  socket.on('connect', () => {
    if (socket.recovered) return;
    for (const state of topics.values()) sendSubscribe(state).catch((error: unknown) => reportError(error as ClientError));
  });
  let closed = false;
  let lastNodeError: string | null = null;
  socket.on('error', (error: { code?: unknown; message?: unknown }) => {
    lastNodeError = String(error?.code ?? 'UNKNOWN');
    reportError(new ClientError(lastNodeError, String(error?.message ?? 'the node reported an error')));
  });
  // The node drops a session that expired and a client that read too slowly; Socket.io does not come back by
  // itself after a drop by the server, so the client does (logging in again first when it can).
  socket.on('disconnect', (reason) => {
    const code = lastNodeError;
    lastNodeError = null;
    if (closed || reason !== 'io server disconnect') return;
    if (code === 'SESSION_EXPIRED' && options.wallet) {
      login(options.wallet).then(
        (fresh) => {
          token = fresh;
          if (!closed) socket.connect();
        },
        (failure: unknown) => reportError(failure as ClientError),
      );
    } else if (code === 'SLOW_CONSUMER') {
      setTimeout(() => closed || socket.connect(), REALTIME_LIMITS.reconnectDelayMs);
    }
  });
  socket.on('connect_error', (error: Error & { data?: { code?: string } }) => {
    if (socket.active) return; // the client retries by itself
    const code = error.data?.code ?? 'UNAUTHORIZED';
    if (code === 'SESSION_EXPIRED' && options.wallet) {
      login(options.wallet).then(
        (fresh) => {
          token = fresh;
          socket.connect();
        },
        (failure: unknown) => reportError(failure as ClientError),
      );
      return;
    }
    reportError(new ClientError(code, error.message));
  });

  const waitConnected = (): Promise<void> =>
    socket.connected ? Promise.resolve() : new Promise((resolve) => socket.once('connect', () => resolve()));

  return {
    socket,
    async subscribe(topic, handler, subscribeOptions = {}) {
      let state = topics.get(topic);
      const fresh = state === undefined;
      if (!state) {
        state = {
          topic,
          pattern: topic.endsWith(':*'),
          handlers: new Set(),
          lastSeq: 0,
          lastSeqs: new Map(),
          resuming: false,
          held: [],
          afterSeq: subscribeOptions.afterSeq,
          epoch: undefined,
          pending: null,
        };
        topics.set(topic, state);
      }
      const entry = handler as (event: RealtimeEvent<never>) => void;
      state.handlers.add(entry);
      const current = state;
      if (fresh) {
        await waitConnected();
        try {
          // The connect handler may have sent it already.
          await (current.pending ?? sendSubscribe(current));
        } catch (error) {
          topics.delete(topic);
          throw error;
        }
      }
      return {
        topic,
        get lastSeq() {
          return current.lastSeq;
        },
        unsubscribe: async () => {
          current.handlers.delete(entry);
          if (current.handlers.size > 0 || topics.get(topic) !== current) return;
          topics.delete(topic);
          if (socket.connected)
            rejectAck((await socket.timeout(REALTIME_LIMITS.ackTimeoutMs).emitWithAck('unsubscribe', { topic })) as Ack);
        },
      };
    },
    async publish(topic, payload) {
      await waitConnected();
      let ack: Ack;
      try {
        ack = (await socket.timeout(REALTIME_LIMITS.ackTimeoutMs).emitWithAck('publish', { topic, payload })) as Ack;
      } catch {
        throw new ClientError('TIMEOUT', `the node did not answer the publish on ${topic}; it may or may not have gone out`);
      }
      rejectAck(ack);
      return { id: ack.id as string, seq: ack.seq as number };
    },
    close() {
      closed = true;
      socket.close();
    },
  };
}
