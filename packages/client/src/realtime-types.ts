import type { Socket } from 'socket.io-client';
import type { ClientError } from './errors.ts';
import type { RealtimeEvent, RealtimeGap } from './realtime-topic.ts';

/** The public shapes of the realtime client: topic payloads, options, a subscription, the client. */

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
  /** In the block at `height` with its fee charged, but its inner transaction failed: nothing else happened. */
  | { hash: string; status: 'failed'; height: number; code: string; message: string }
  | { hash: string; status: 'rejected'; height: number; code: string; message: string };

/** A committed transaction touching an account, on `account:<did>`. */
export interface AccountTxSummary {
  hash: string;
  type: string;
  height: number;
  /** Set when it failed in its block (its fee was charged, nothing else happened); absent from older nodes. */
  failed?: { code: string; message: string } | null;
}

/** The payload type of a topic family. */
export type TopicPayload<T extends string> = T extends 'chain:blocks'
  ? BlockSummary
  : T extends `chain:tx:${string}`
    ? TxStatusEvent
    : T extends `account:${string}`
      ? AccountTxSummary
      : unknown;

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
  /** Overrides REALTIME_LIMITS.ackTimeoutMs (how long an answer to subscribe, unsubscribe or publish may take). */
  ackTimeoutMs?: number;
  /** Overrides REALTIME_LIMITS.connectTimeoutMs. */
  connectTimeoutMs?: number;
}

export interface SubscribeOptions {
  /** Replay retained events after this seq first (0: everything the node still holds). */
  afterSeq?: number;
  /** The epoch afterSeq belongs to (a subscription's `epoch`), so a node that restarted since says so (a gap). */
  epoch?: string;
}

export interface RealtimeSubscription {
  topic: string;
  /** The last seq delivered to the handler (for a pattern: of the last event delivered). */
  readonly lastSeq: number;
  /** The numbering lastSeq belongs to (undefined for a pattern and before the node answered). */
  readonly epoch: string | undefined;
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
  /** Disconnects for good: the only way this client stops reconnecting. */
  close(): void;
}
