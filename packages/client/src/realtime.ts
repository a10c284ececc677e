import { challengeMessage, toHex } from '@arc/core';
import type { AppRouter } from '@arc/node/router';
import { createTRPCClient, httpLink } from '@trpc/client';
import { io, type Socket } from 'socket.io-client';
import { badInput, ClientError, toClientError } from './errors.ts';
import { AckWire, type RealtimeEvent, RealtimeEventWire, type RealtimeGap, TopicStream } from './realtime-topic.ts';
import type { Realtime, RealtimeOptions, RealtimeSigner } from './realtime-types.ts';
import { backoffMs, NodeErrorWire, parseAck, REALTIME_LIMITS, RETRIABLE_CONNECT_CODES, rejectAck } from './realtime-wire.ts';

export type { RealtimeEvent, RealtimeGap } from './realtime-topic.ts';
export type * from './realtime-types.ts';
export { REALTIME_LIMITS } from './realtime-wire.ts';

/** One topic this client holds, with every handler of it. */
interface TopicEntry {
  topic: string;
  stream: TopicStream;
  handlers: Set<(event: RealtimeEvent<never>) => void>;
  /** Bumped by every subscribe sent: an answer to an older one is ignored. */
  attempt: number;
  /** The subscribe on its way, if one is (unsubscribe waits for it: the node would join after leaving). */
  inFlight: Promise<void> | null;
  /** Settles the first subscribe() of the topic once the node accepted or refused it. */
  accepted: { resolve: () => void; reject: (error: ClientError) => void } | null;
  /** Settles with `accepted`: every subscribe() of the topic waits on it. */
  ready: Promise<void>;
  retryTimer: ReturnType<typeof setTimeout> | null;
}

/**
 * Connects to a node's realtime gateway (Socket.io at `<url>/socket.io`). It reconnects by itself whatever ended
 * the connection (the node restarting, dropping a slow reader or an expired session, a dead or frozen network),
 * until close(). After every connect it re-subscribes every topic with the last seq and epoch it delivered, and it
 * hands each event to the handlers once and in seq order; what the node can no longer send is reported to onGap.
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
  const reportGap = (gap: RealtimeGap) => {
    if (options.onGap) options.onGap(gap);
    else
      reportError(
        new ClientError('GAP', `missed events of ${gap.topic} before seq ${gap.resumeFromSeq} (${gap.reason}); reload its state`),
      );
  };
  const ackTimeoutMs = options.ackTimeoutMs ?? REALTIME_LIMITS.ackTimeoutMs;
  const connectTimeoutMs = options.connectTimeoutMs ?? REALTIME_LIMITS.connectTimeoutMs;

  const socket: Socket = io(origin, {
    path: '/socket.io',
    transports: options.transports ?? ['websocket', 'polling'],
    auth: (cb) => cb(token === undefined ? {} : { token }),
    reconnectionDelay: REALTIME_LIMITS.reconnectDelayMs,
    reconnectionDelayMax: REALTIME_LIMITS.reconnectDelayMaxMs,
    timeout: connectTimeoutMs,
  });
  const topics = new Map<string, TopicEntry>();
  let closed = false;
  /** Bumped on every connect: an answer to a subscribe sent on an older connection is not this one's. */
  let connection = 0;
  let connectedAtMs = 0;
  /** Drops by the node in a row (connections shorter than reconnectDelayMaxMs), for the backoff. */
  let nodeDrops = 0;
  let lastNodeError: string | null = null;
  let reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  let connectWatchdog: ReturnType<typeof setTimeout> | null = null;

  const handOut = (entry: TopicEntry, event: RealtimeEvent) => {
    for (const handler of entry.handlers) {
      try {
        handler(event as RealtimeEvent<never>);
      } catch (error) {
        // The application's bug: it must not stop the other handlers or this topic's bookkeeping.
        if (options.onError) reportError(new ClientError('HANDLER_FAILED', `a handler of ${entry.topic} threw`, { cause: error }));
        else
          queueMicrotask(() => {
            throw error;
          });
      }
    }
  };

  const isCurrent = (entry: TopicEntry, attempt: number, sentOn: number) =>
    !closed && entry.attempt === attempt && sentOn === connection && topics.get(entry.topic) === entry;

  /** Sends the topic's subscribe now if connected (else the next connect does), after `delayMs` when given. */
  const sendSubscribe = (entry: TopicEntry, tries: number, delayMs = 0): void => {
    if (entry.retryTimer !== null) clearTimeout(entry.retryTimer);
    entry.retryTimer = null;
    if (delayMs > 0) {
      entry.retryTimer = setTimeout(() => sendSubscribe(entry, tries), delayMs);
      return;
    }
    if (closed || topics.get(entry.topic) !== entry || !socket.connected) return;
    entry.attempt += 1;
    const attempt = entry.attempt;
    const sentOn = connection;
    entry.stream.beginSubscribe();
    const answered = socket
      .timeout(ackTimeoutMs)
      .emitWithAck('subscribe', entry.stream.request())
      .then(
        (raw: unknown) => {
          if (isCurrent(entry, attempt, sentOn)) onSubscribeAnswer(entry, raw, tries);
        },
        () => {
          // Not answered: lost with a connection that dropped (the next connect sends it again), or no answer in time.
          if (isCurrent(entry, attempt, sentOn) && socket.connected) onSubscribeUnanswered(entry, tries);
        },
      );
    entry.inFlight = answered.finally(() => {
      if (entry.attempt === attempt) entry.inFlight = null;
    });
  };

  const onSubscribeAnswer = (entry: TopicEntry, raw: unknown, tries: number) => {
    const parsed = AckWire.safeParse(raw);
    if (!parsed.success) {
      reportError(new ClientError('BAD_RESPONSE', `the node answered the subscribe to ${entry.topic} with something that is not an ack`));
      onSubscribeUnanswered(entry, tries);
      return;
    }
    const ack = parsed.data;
    if (!ack.ok) {
      if (ack.code === 'RATE_LIMITED') {
        // Bounded in rate, not in count: the subscription stays wanted, at most one try per backoff.
        if (tries + 1 >= REALTIME_LIMITS.subscribeAttemptsMax)
          reportError(
            new ClientError('RATE_LIMITED', `the node keeps refusing the subscribe to ${entry.topic} for now: ${ack.message}`, {
              retriable: true,
            }),
          );
        sendSubscribe(entry, tries + 1, backoffMs(tries));
        return;
      }
      // Refused for good (rules, limits, session): the subscription ends here.
      topics.delete(entry.topic);
      const error = new ClientError(ack.code, `the node refused the subscription to ${entry.topic}: ${ack.message}`);
      if (entry.accepted) entry.accepted.reject(error);
      else reportError(error);
      entry.accepted = null;
      return;
    }
    const next = entry.stream.onAck(ack);
    entry.accepted?.resolve();
    entry.accepted = null;
    if (next === 'resubscribe') {
      // A hole the replay did not fill: ask again, waiting longer each time it stays unfilled.
      const attempts = entry.stream.holeFillAttempts;
      sendSubscribe(entry, 0, attempts <= 1 ? 0 : backoffMs(attempts - 2));
    }
  };

  const onSubscribeUnanswered = (entry: TopicEntry, tries: number) => {
    if (tries + 1 < REALTIME_LIMITS.subscribeAttemptsMax) {
      sendSubscribe(entry, tries + 1, backoffMs(tries));
      return;
    }
    // A connection that answers nothing is half-open (or frozen): replace it; the next connect re-subscribes all.
    reportError(
      new ClientError('TIMEOUT', `the node did not answer ${tries + 1} subscribes to ${entry.topic}; reconnecting`, { retriable: true }),
    );
    socket.io.engine?.close();
  };

  socket.on('event', (raw: unknown) => {
    const parsed = RealtimeEventWire.safeParse(raw);
    if (!parsed.success) {
      reportError(new ClientError('BAD_RESPONSE', 'the node sent an event that is not a gateway event; it was dropped'));
      return;
    }
    const event = parsed.data as RealtimeEvent;
    for (const entry of topics.values()) {
      const matches = entry.stream.pattern ? event.topic.startsWith(entry.topic.slice(0, -1)) : event.topic === entry.topic;
      if (matches && entry.stream.onEvent(event) === 'resubscribe') sendSubscribe(entry, 0);
    }
  });

  // A transport that opens and then never completes the handshake (a frozen network) is replaced.
  socket.io.on('open', () => {
    if (connectWatchdog !== null) clearTimeout(connectWatchdog);
    connectWatchdog = setTimeout(() => {
      connectWatchdog = null;
      if (!closed && !socket.connected) socket.io.engine?.close();
    }, connectTimeoutMs);
  });
  socket.on('connect', () => {
    if (connectWatchdog !== null) clearTimeout(connectWatchdog);
    connectWatchdog = null;
    connection += 1;
    connectedAtMs = Date.now();
    // Every topic is asserted again, whatever the node says it recovered: afterwards both sides hold the same set.
    for (const entry of topics.values()) sendSubscribe(entry, 0);
  });

  const reconnectLater = () => {
    if (Date.now() - connectedAtMs > REALTIME_LIMITS.reconnectDelayMaxMs) nodeDrops = 0;
    const delayMs = backoffMs(nodeDrops);
    nodeDrops += 1;
    if (reconnectTimer !== null) clearTimeout(reconnectTimer);
    reconnectTimer = setTimeout(() => {
      reconnectTimer = null;
      if (!closed && !socket.connected) socket.connect();
    }, delayMs);
  };
  const loginAgain = (wallet: RealtimeSigner) => {
    login(wallet).then(
      (fresh) => {
        token = fresh;
        if (!closed) socket.connect();
      },
      (failure: unknown) => {
        const error = failure as ClientError;
        reportError(error);
        // The node may be down or starting: try again later; a refusal (bad key…) ends it.
        if (!closed && error.retriable) setTimeout(() => closed || loginAgain(wallet), backoffMs(nodeDrops++));
      },
    );
  };

  socket.on('error', (raw: unknown) => {
    const parsed = NodeErrorWire.safeParse(raw);
    const code = parsed.success ? parsed.data.code : 'UNKNOWN';
    lastNodeError = code;
    // Expected: the node closes the transport next, and this client reconnects and resumes.
    if (code === 'RESTARTING') return;
    reportError(new ClientError(code, parsed.success ? parsed.data.message : 'the node reported an error'));
  });
  // Socket.io does not come back by itself after a disconnect by the node (older nodes restarting, a slow
  // reader, an expired session): this client does, logging in again first when the session expired.
  socket.on('disconnect', (reason) => {
    const code = lastNodeError;
    lastNodeError = null;
    if (closed || reason !== 'io server disconnect') return;
    if (code === 'SESSION_EXPIRED' && options.wallet) loginAgain(options.wallet);
    else reconnectLater();
  });
  socket.on('connect_error', (error: Error & { data?: { code?: string } }) => {
    if (socket.active || closed) return; // a network failure: Socket.io retries by itself
    const code = error.data?.code ?? 'UNAUTHORIZED';
    if (code === 'SESSION_EXPIRED' && options.wallet) loginAgain(options.wallet);
    else if (RETRIABLE_CONNECT_CODES.has(code)) reconnectLater();
    else reportError(new ClientError(code, error.message));
  });

  const waitConnected = (): Promise<void> =>
    socket.connected ? Promise.resolve() : new Promise((resolve) => socket.once('connect', () => resolve()));

  return {
    socket,
    async subscribe(topic, handler, subscribeOptions = {}) {
      if (closed) throw badInput('this realtime client was closed');
      let entry = topics.get(topic);
      if (entry === undefined) {
        let accepted: TopicEntry['accepted'] = null;
        const ready = new Promise<void>((resolve, reject) => {
          accepted = { resolve, reject };
        });
        const start = {
          ...(subscribeOptions.afterSeq === undefined ? {} : { afterSeq: subscribeOptions.afterSeq }),
          ...(subscribeOptions.epoch === undefined ? {} : { epoch: subscribeOptions.epoch }),
        };
        const created: TopicEntry = {
          topic,
          stream: new TopicStream(topic, start, (event) => handOut(created, event), reportGap),
          handlers: new Set(),
          attempt: 0,
          inFlight: null,
          accepted,
          ready,
          retryTimer: null,
        };
        entry = created;
        topics.set(topic, created);
        sendSubscribe(created, 0);
      }
      const current = entry;
      const own = handler as (event: RealtimeEvent<never>) => void;
      current.handlers.add(own);
      try {
        await current.ready;
      } catch (error) {
        current.handlers.delete(own);
        throw error;
      }
      return {
        topic,
        get lastSeq() {
          return current.stream.lastSeq;
        },
        get epoch() {
          return current.stream.pattern ? undefined : current.stream.epoch;
        },
        unsubscribe: async () => {
          current.handlers.delete(own);
          if (current.handlers.size > 0 || topics.get(topic) !== current) return;
          topics.delete(topic);
          if (current.retryTimer !== null) clearTimeout(current.retryTimer);
          // A subscribe still on its way would join the topic after the leave: let it land first.
          if (current.inFlight) await current.inFlight;
          if (!socket.connected) return; // the next connect does not subscribe it again
          let raw: unknown;
          try {
            raw = await socket.timeout(ackTimeoutMs).emitWithAck('unsubscribe', { topic });
          } catch {
            throw new ClientError('TIMEOUT', `the node did not answer the unsubscribe from ${topic}; a reconnect ends it`);
          }
          rejectAck(parseAck(raw, 'the unsubscribe'));
        },
      };
    },
    async publish(topic, payload) {
      if (closed) throw badInput('this realtime client was closed');
      await waitConnected();
      let raw: unknown;
      try {
        raw = await socket.timeout(ackTimeoutMs).emitWithAck('publish', { topic, payload });
      } catch {
        throw new ClientError('TIMEOUT', `the node did not answer the publish on ${topic}; it may or may not have gone out`);
      }
      const ack = parseAck(raw, 'the publish');
      rejectAck(ack);
      if (ack.id === undefined || ack.seq === undefined)
        throw new ClientError('BAD_RESPONSE', `the node's answer to the publish on ${topic} has no id or seq`);
      return { id: ack.id, seq: ack.seq };
    },
    close() {
      closed = true;
      for (const timer of [reconnectTimer, connectWatchdog]) if (timer !== null) clearTimeout(timer);
      for (const entry of topics.values()) {
        if (entry.retryTimer !== null) clearTimeout(entry.retryTimer);
        entry.accepted?.reject(
          new ClientError('CLOSED', `the realtime client was closed before the node answered the subscribe to ${entry.topic}`),
        );
        entry.accepted = null;
      }
      topics.clear();
      socket.close();
    },
  };
}
