/**
 * The gateway's core contract: one topic hub that every protocol (Socket.io, MQTT, DDP) publishes into and
 * subscribes from, under one set of auth rules. Implemented in hub.ts / auth.ts; protocols in their own files.
 */

import { type ErrorCode, type ErrorCodeOf, errorSentence, isRetriable } from '@arc/core';
import { z } from 'zod';

/** Who is on the other end of a connection, whatever the protocol: what a credential resolves to. */
export type ConnectionPrincipal =
  | { kind: 'anonymous' }
  /** A DID that signed the server's challenge; the session expires. */
  | { kind: 'did'; did: string; sessionId: string; expiresAtMs: number }
  /** A server of an application, by API key. */
  | { kind: 'app'; appDid: string; keyId: string };

/**
 * Who publishes or subscribes in the hub: a connection's principal, or the MQTT bridge importing what anyone on an
 * external broker sent on an application's bridged topics. The bridge is not the application (whoever reaches that
 * broker can publish there): it counts as authenticated, never as the owner (mqtt-bridge.ts, PROTOCOLS.md).
 */
export type Principal = ConnectionPrincipal | { kind: 'bridge'; appDid: string; broker: string };

/** Payload bytes exactly as a byte protocol (MQTT) received them, delivered as such to byte protocols. */
export interface RawPayload {
  bytes: Uint8Array;
  /** The MQTT 5 content type, when the publisher gave one. */
  contentType?: string;
}

/** One delivered message: an id unique per node, a per-topic sequence with no gaps, the payload, the time. */
export interface TopicEvent {
  topic: string;
  /** `<epoch>/<topic seq>@<node id>`: unique, also across restarts; stable across redeliveries. */
  id: string;
  /** 1, 2, 3 … per topic, in publish order within one epoch. A client that sees seq n+2 after n knows it missed n+1. */
  seq: number;
  /**
   * The numbering `seq` belongs to. A topic is numbered anew (from 1) under a new epoch when the node restarts (or
   * Redis lost its counters): a client that sees an epoch other than its last one must resume, not compare seqs.
   */
  epoch: string;
  /** The payload as JSON protocols see it (for a byte payload: its JSON, or its text, or null when binary). */
  payload: unknown;
  /** The payload's bytes as a byte protocol published them; MQTT delivers these unchanged. */
  raw?: RawPayload;
  publishedAtMs: number;
  /** The publishing DID or app, when one is known. */
  from: string | null;
}

/**
 * The gateway's codes (family 'gateway' of the catalogue in @arc/core: BAD_PAYLOAD, UNAUTHORIZED, FORBIDDEN,
 * SESSION_EXPIRED, TOO_LARGE, RATE_LIMITED, TOO_MANY_SUBSCRIPTIONS, SLOW_CONSUMER, NOT_FOUND, RESTARTING: reconnect
 * and resume, REPLAYED: sign again with a new time, …).
 */
export type GatewayErrorCode = ErrorCodeOf<'gateway'>;

/** What every protocol sends for a refusal: the code, a sentence, and whether the same request can succeed later. */
export interface GatewayErrorPayload {
  code: ErrorCode;
  message: string;
  retriable: boolean;
}

export class GatewayError extends Error {
  override name = 'GatewayError';
  readonly retriable: boolean;
  constructor(
    readonly code: GatewayErrorCode,
    message: string = errorSentence(code),
    /** For RATE_LIMITED: how long until a retry can succeed, when known. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.retriable = isRetriable(code);
  }
}

/** The wire form of a refusal, its retriable flag read from the catalogue. */
export function gatewayErrorPayload(code: ErrorCode, message: string = errorSentence(code)): GatewayErrorPayload {
  return { code, message, retriable: isRetriable(code) };
}

/** Named, configurable bounds (env `GATEWAY_*`, see GATEWAY_ENV below). */
export interface GatewayLimits {
  messageBytesMax: number;
  subscriptionsPerConnectionMax: number;
  /** Subscriptions of all connections from one client address (an IPv6 /64 counts as one), every protocol. */
  subscriptionsPerIpMax: number;
  /** Subscriptions of anonymous connections in all, every protocol: anonymous clients cannot lock out the rest. */
  anonymousSubscriptionsMax: number;
  /** Token bucket per connection: sustained messages per second and burst. */
  connectionRatePerSec: number;
  connectionBurst: number;
  /** Token bucket per DID across its connections. */
  didRatePerSec: number;
  didBurst: number;
  /** Bytes queued for one client before it is disconnected as a slow consumer. */
  clientBufferBytesMax: number;
  /** Messages kept per topic for resume (ring buffer). */
  retainedPerTopicMax: number;
  /** Topics the hub keeps retained events and seqs of; the least recently published is dropped first (its seq is remembered). */
  retainedTopicsMax: number;
  /** Bytes of retained events (payload JSON + topic + framing) the hub keeps in all; the oldest event goes first. */
  retainedBytesMax: number;
  /** Bytes of retained events one topic keeps; its oldest event goes first. */
  retainedBytesPerTopicMax: number;
  /** Bytes of retained events of one publisher (a DID, an app, a blocklet) across topics; its oldest goes first. */
  retainedBytesPerPublisherMax: number;
  challengeTtlMs: number;
  /** Sign-in challenges outstanding for one client address (an IPv6 /64 counts as one); past it, RATE_LIMITED. */
  challengesPerIpMax: number;
  /** Sign-in challenges outstanding in all; past it the oldest is voided (its client asks again), nobody is refused. */
  challengesMax: number;
  sessionTtlMs: number;
}

export const DEFAULT_GATEWAY_LIMITS: GatewayLimits = {
  messageBytesMax: 64 * 1024,
  subscriptionsPerConnectionMax: 100,
  subscriptionsPerIpMax: 2000,
  anonymousSubscriptionsMax: 20_000,
  connectionRatePerSec: 50,
  connectionBurst: 100,
  didRatePerSec: 200,
  didBurst: 400,
  clientBufferBytesMax: 1024 * 1024,
  retainedPerTopicMax: 1000,
  retainedTopicsMax: 50_000,
  retainedBytesMax: 128 * 1024 * 1024,
  retainedBytesPerTopicMax: 4 * 1024 * 1024,
  retainedBytesPerPublisherMax: 16 * 1024 * 1024,
  challengeTtlMs: 60_000,
  challengesPerIpMax: 20,
  challengesMax: 10_000,
  sessionTtlMs: 24 * 3600_000,
};

const MiB = 1024 * 1024;

/** The `GATEWAY_*` environment variables (spread into config/env.ts, which alone reads process.env). */
export const GATEWAY_ENV = {
  GATEWAY_MESSAGE_BYTES_MAX: z.coerce
    .number()
    .int()
    .min(256)
    .max(16 * MiB)
    .default(DEFAULT_GATEWAY_LIMITS.messageBytesMax),
  GATEWAY_SUBSCRIPTIONS_PER_CONNECTION_MAX: z.coerce
    .number()
    .int()
    .min(1)
    .max(100_000)
    .default(DEFAULT_GATEWAY_LIMITS.subscriptionsPerConnectionMax),
  GATEWAY_SUBSCRIPTIONS_PER_IP_MAX: z.coerce.number().int().min(1).max(10_000_000).default(DEFAULT_GATEWAY_LIMITS.subscriptionsPerIpMax),
  GATEWAY_ANONYMOUS_SUBSCRIPTIONS_MAX: z.coerce
    .number()
    .int()
    .min(0)
    .max(10_000_000)
    .default(DEFAULT_GATEWAY_LIMITS.anonymousSubscriptionsMax),
  GATEWAY_CONNECTION_RATE_PER_SEC: z.coerce.number().min(0.1).default(DEFAULT_GATEWAY_LIMITS.connectionRatePerSec),
  GATEWAY_CONNECTION_BURST: z.coerce.number().int().min(1).default(DEFAULT_GATEWAY_LIMITS.connectionBurst),
  GATEWAY_DID_RATE_PER_SEC: z.coerce.number().min(0.1).default(DEFAULT_GATEWAY_LIMITS.didRatePerSec),
  GATEWAY_DID_BURST: z.coerce.number().int().min(1).default(DEFAULT_GATEWAY_LIMITS.didBurst),
  GATEWAY_CLIENT_BUFFER_BYTES_MAX: z.coerce.number().int().min(1024).default(DEFAULT_GATEWAY_LIMITS.clientBufferBytesMax),
  GATEWAY_RETAINED_PER_TOPIC_MAX: z.coerce.number().int().min(0).max(100_000).default(DEFAULT_GATEWAY_LIMITS.retainedPerTopicMax),
  GATEWAY_RETAINED_TOPICS_MAX: z.coerce.number().int().min(1).max(10_000_000).default(DEFAULT_GATEWAY_LIMITS.retainedTopicsMax),
  GATEWAY_RETAINED_BYTES_MAX: z.coerce
    .number()
    .int()
    .min(0)
    .max(64 * 1024 * MiB)
    .default(DEFAULT_GATEWAY_LIMITS.retainedBytesMax),
  GATEWAY_RETAINED_BYTES_PER_TOPIC_MAX: z.coerce
    .number()
    .int()
    .min(0)
    .max(64 * 1024 * MiB)
    .default(DEFAULT_GATEWAY_LIMITS.retainedBytesPerTopicMax),
  GATEWAY_RETAINED_BYTES_PER_PUBLISHER_MAX: z.coerce
    .number()
    .int()
    .min(0)
    .max(64 * 1024 * MiB)
    .default(DEFAULT_GATEWAY_LIMITS.retainedBytesPerPublisherMax),
  GATEWAY_CHALLENGE_TTL_MS: z.coerce.number().int().min(1000).default(DEFAULT_GATEWAY_LIMITS.challengeTtlMs),
  GATEWAY_CHALLENGES_PER_IP_MAX: z.coerce.number().int().min(1).max(1_000_000).default(DEFAULT_GATEWAY_LIMITS.challengesPerIpMax),
  GATEWAY_CHALLENGES_MAX: z.coerce.number().int().min(1).max(10_000_000).default(DEFAULT_GATEWAY_LIMITS.challengesMax),
  GATEWAY_SESSION_TTL_MS: z.coerce.number().int().min(1000).default(DEFAULT_GATEWAY_LIMITS.sessionTtlMs),
};

export type GatewayEnv = z.infer<z.ZodObject<typeof GATEWAY_ENV>>;

/** The gateway limits of a parsed environment. */
export function gatewayLimitsFromEnv(env: GatewayEnv): GatewayLimits {
  return {
    messageBytesMax: env.GATEWAY_MESSAGE_BYTES_MAX,
    subscriptionsPerConnectionMax: env.GATEWAY_SUBSCRIPTIONS_PER_CONNECTION_MAX,
    subscriptionsPerIpMax: env.GATEWAY_SUBSCRIPTIONS_PER_IP_MAX,
    anonymousSubscriptionsMax: env.GATEWAY_ANONYMOUS_SUBSCRIPTIONS_MAX,
    connectionRatePerSec: env.GATEWAY_CONNECTION_RATE_PER_SEC,
    connectionBurst: env.GATEWAY_CONNECTION_BURST,
    didRatePerSec: env.GATEWAY_DID_RATE_PER_SEC,
    didBurst: env.GATEWAY_DID_BURST,
    clientBufferBytesMax: env.GATEWAY_CLIENT_BUFFER_BYTES_MAX,
    retainedPerTopicMax: env.GATEWAY_RETAINED_PER_TOPIC_MAX,
    retainedTopicsMax: env.GATEWAY_RETAINED_TOPICS_MAX,
    retainedBytesMax: env.GATEWAY_RETAINED_BYTES_MAX,
    retainedBytesPerTopicMax: env.GATEWAY_RETAINED_BYTES_PER_TOPIC_MAX,
    retainedBytesPerPublisherMax: env.GATEWAY_RETAINED_BYTES_PER_PUBLISHER_MAX,
    challengeTtlMs: env.GATEWAY_CHALLENGE_TTL_MS,
    challengesPerIpMax: env.GATEWAY_CHALLENGES_PER_IP_MAX,
    challengesMax: env.GATEWAY_CHALLENGES_MAX,
    sessionTtlMs: env.GATEWAY_SESSION_TTL_MS,
  };
}

/** Where a subscription comes from, for the per-address budget ('' for the node's own bridges: not counted per address). */
export interface SubscriberClient {
  ip: string;
}

/** The hub every protocol uses. */
export interface TopicHub {
  /**
   * Checks the rules, assigns id and seq, delivers to every subscriber on every protocol (and other nodes). `raw`:
   * the bytes a byte protocol (MQTT, the bridge) received; `payload` is then their JSON view.
   */
  publish(principal: Principal, topic: string, payload: unknown, raw?: RawPayload): Promise<TopicEvent>;
  /**
   * Checks the rules and the subscription budgets (node-wide, per client address, anonymous in all); calls
   * `deliver` for each new event of a matching topic (patterns end in `*`); returns unsubscribe.
   */
  subscribe(principal: Principal, topic: string, deliver: (event: TopicEvent) => void, client: SubscriberClient): Promise<() => void>;
  /** Retained events of a topic after `afterSeq` (for resume), at most `limit`. */
  since(principal: Principal, topic: string, afterSeq: number, limit: number): Promise<TopicEvent[]>;
}

/** The auth rules every protocol applies (Socket.io handshake, MQTT CONNECT username/password, DDP login). */
export interface GatewayAuth {
  /** A fresh challenge for a DID to sign (nonce + server time); `client.ip` is counted against challengesPerIpMax. */
  challenge(client?: { ip: string }): { nonce: string; timeMs: number; expiresAtMs: number };
  /** Checks `signature` (ed25519, hex) over challengeMessage(nonce, timeMs) by the key of `did`; opens a session. */
  login(input: {
    did: string;
    publicKey: string;
    nonce: string;
    timeMs: number;
    signature: string;
  }): Promise<{ token: string; principal: Principal }>;
  /** The principal of a session token or API key; anonymous for none; SESSION_EXPIRED / UNAUTHORIZED otherwise. */
  resolve(credential: string | null | undefined): Promise<Principal>;
  canSubscribe(principal: Principal, topic: string): Promise<boolean>;
  canPublish(principal: Principal, topic: string): Promise<boolean>;
}
