import { ERROR_CATALOG, isRetriable } from '@arc/core';
import { ClientError, ErrorPayloadWire, fromErrorPayload } from './errors.ts';
import { type Ack, AckWire, type SubscribeAck, TOPIC_STREAM_LIMITS } from './realtime-topic.ts';

/** What the realtime client reads off the wire (acks, node errors) and how long it waits between tries. */

/** Bounds of the realtime client (the defaults of the matching RealtimeOptions). */
export const REALTIME_LIMITS = {
  /** One subscribe, unsubscribe or publish waits this long for the node's answer. */
  ackTimeoutMs: 15_000,
  /**
   * Subscribes of one topic sent on one connection without an answer before the connection is taken for dead
   * (half-open) and replaced; each waits longer than the one before.
   */
  subscribeAttemptsMax: 3,
  /** From opening a transport to the node's CONNECT: past it the transport is dropped and another one tried. */
  connectTimeoutMs: 10_000,
  /** Waits before reconnecting (and between subscribe attempts) grow from this to reconnectDelayMaxMs. */
  reconnectDelayMs: 500,
  reconnectDelayMaxMs: 5_000,
  /** Topics a pattern subscription remembers the (epoch, seq) of, for dropping duplicates. */
  patternTopicsMax: TOPIC_STREAM_LIMITS.patternTopicsMax,
} as const;

/**
 * Refusals of the handshake that a later attempt can get past (the node starting, shedding load, restarting or
 * unable to check the credential for now): the catalogue's retriable codes.
 */
export const RETRIABLE_CONNECT_CODES: ReadonlySet<string> = new Set(Object.keys(ERROR_CATALOG).filter(isRetriable));

export function parseAck(raw: unknown, what: string): Ack {
  const parsed = AckWire.safeParse(raw);
  if (!parsed.success) throw new ClientError('BAD_RESPONSE', `the node answered ${what} with something that is not an ack`);
  return parsed.data;
}

/** Throws the ClientError of a refusing ack: the node's code and sentence, the catalogue's retriable flag. */
export function rejectAck(ack: Ack): asserts ack is SubscribeAck {
  if (!ack.ok) throw fromErrorPayload(ack);
}

/** The wait before the n-th retry (n from 0): doubling from reconnectDelayMs up to reconnectDelayMaxMs, with jitter. */
export function backoffMs(n: number): number {
  const ceiling = Math.min(REALTIME_LIMITS.reconnectDelayMaxMs, REALTIME_LIMITS.reconnectDelayMs * 2 ** Math.min(n, 16));
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

/** What the node sends on `error`: a code, a sentence and (newer nodes) whether a retry can help. */
export const NodeErrorWire = ErrorPayloadWire;
