/**
 * The gateway's core contract: one topic hub that every protocol (Socket.io, MQTT, DDP) publishes into and
 * subscribes from, under one set of auth rules. Implemented in hub.ts / auth.ts; protocols in their own files.
 */

/** Who is on the other end of a connection, whatever the protocol. */
export type Principal =
  | { kind: 'anonymous' }
  /** A DID that signed the server's challenge; the session expires. */
  | { kind: 'did'; did: string; sessionId: string; expiresAtMs: number }
  /** A server of an application, by API key. */
  | { kind: 'app'; appDid: string; keyId: string };

/** One delivered message: an id unique per node, a per-topic sequence with no gaps, the payload, the time. */
export interface TopicEvent {
  topic: string;
  /** `<topic seq>@<node id>`-style id; stable across redeliveries. */
  id: string;
  /** 1, 2, 3 … per topic, in publish order. A client that sees seq n+2 after n knows it missed n+1. */
  seq: number;
  payload: unknown;
  publishedAtMs: number;
  /** The publishing DID or app, when one is known. */
  from: string | null;
}

export type GatewayErrorCode =
  | 'BAD_PAYLOAD'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'SESSION_EXPIRED'
  | 'TOO_LARGE'
  | 'RATE_LIMITED'
  | 'TOO_MANY_SUBSCRIPTIONS'
  | 'SLOW_CONSUMER'
  | 'NOT_FOUND';

export class GatewayError extends Error {
  override name = 'GatewayError';
  constructor(
    readonly code: GatewayErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Named, configurable bounds (env GATEWAY_* in config/env.ts). */
export interface GatewayLimits {
  messageBytesMax: number;
  subscriptionsPerConnectionMax: number;
  /** Token bucket per connection: sustained messages per second and burst. */
  connectionRatePerSec: number;
  connectionBurst: number;
  /** Token bucket per DID across its connections. */
  didRatePerSec: number;
  didBurst: number;
  /** Bytes queued for one client before it is disconnected as a slow consumer. */
  clientBufferBytesMax: number;
  /** How long a disconnected client's missed messages are kept for it (connection-state recovery). */
  recoveryWindowMs: number;
  /** Messages kept per topic for resume (ring buffer). */
  retainedPerTopicMax: number;
  challengeTtlMs: number;
  sessionTtlMs: number;
}

export const DEFAULT_GATEWAY_LIMITS: GatewayLimits = {
  messageBytesMax: 64 * 1024,
  subscriptionsPerConnectionMax: 100,
  connectionRatePerSec: 50,
  connectionBurst: 100,
  didRatePerSec: 200,
  didBurst: 400,
  clientBufferBytesMax: 1024 * 1024,
  recoveryWindowMs: 2 * 60_000,
  retainedPerTopicMax: 1000,
  challengeTtlMs: 60_000,
  sessionTtlMs: 24 * 3600_000,
};

/** The hub every protocol uses. */
export interface TopicHub {
  /** Checks the rules, assigns id and seq, delivers to every subscriber on every protocol (and other nodes). */
  publish(principal: Principal, topic: string, payload: unknown): Promise<TopicEvent>;
  /** Checks the rules; calls `deliver` for each new event of a matching topic (patterns end in `*`); returns unsubscribe. */
  subscribe(principal: Principal, topic: string, deliver: (event: TopicEvent) => void): Promise<() => void>;
  /** Retained events of a topic after `afterSeq` (for resume), at most `limit`. */
  since(principal: Principal, topic: string, afterSeq: number, limit: number): Promise<TopicEvent[]>;
}

/** The auth rules every protocol applies (Socket.io handshake, MQTT CONNECT username/password, DDP login). */
export interface GatewayAuth {
  /** A fresh challenge for a DID to sign (nonce + server time). */
  challenge(): { nonce: string; timeMs: number; expiresAtMs: number };
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
