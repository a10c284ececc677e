/** What the primary and the workers of a cluster say to each other over the cluster's IPC channel (CLUSTER.md). */

export type WorkerRole = { role: 'node' } | { role: 'gateway'; index: number; nodeUrl: string };

export type PrimaryMessage =
  | ({ type: 'arc:role' } & WorkerRole)
  /** Sent with a TCP socket handle: the bytes the primary read to route it (base64). */
  | { type: 'arc:connection'; head: string }
  | { type: 'arc:auth-reply'; id: number; ok: true; value: unknown }
  | { type: 'arc:auth-reply'; id: number; ok: false; code: string | null; message: string };

export type WorkerMessage =
  /** The worker listens now and asks for its role (a message sent before its code ran would be lost). */
  | { type: 'arc:hello' }
  | { type: 'arc:ready'; url: string | null }
  /** A gateway worker asks the full node's auth (sessions, API keys and topic rules live in its database). */
  | { type: 'arc:auth'; id: number; method: AuthMethod; args: unknown[] };

export type AuthMethod = 'resolve' | 'canSubscribe' | 'canPublish';

export const CLUSTER_LIMITS = {
  workersMax: 64,
  /** A new connection must send its first bytes within this, or it is closed. */
  firstBytesTimeoutMs: 10_000,
  /** Auth questions a gateway worker may have in flight, and how long one may take. */
  authPendingMax: 10_000,
  authTimeoutMs: 10_000,
  /** How long workers may take to start (the full node may migrate its database first). */
  workerReadyTimeoutMs: 120_000,
  /** Gateway worker restarts within a minute before the primary gives up. */
  gatewayRestartsPerMinuteMax: 5,
  /** After asking the workers to stop, how long before they are killed. */
  stopTimeoutMs: 15_000,
} as const;

/** The engine.io session id in the first bytes of an HTTP request (`GET /socket.io/?EIO=4&transport=…&sid=…`). */
export function sidOfRequestHead(head: string): string | null {
  const firstLine = head.slice(0, head.indexOf('\r\n') === -1 ? 2048 : head.indexOf('\r\n'));
  const match = /[?&]sid=([A-Za-z0-9_-]{1,64})(?:[&\s]|$)/.exec(firstLine);
  return match?.[1] ?? null;
}

/**
 * Engine.io session ids made by a cluster's workers carry the worker's slot (0 is the full node, i the gateway worker
 * i): `w<slot>-<random>`. The primary routes a request carrying one from its first bytes alone, so a long-polling
 * client's next request cannot reach a worker before that worker has said it holds the session.
 */
export function workerSessionId(slot: number, random: string): string {
  return `w${slot}-${random}`;
}

/** The worker slot a session id names (null: not one of a cluster's ids). */
export function slotOfSessionId(sid: string): number | null {
  const match = /^w(\d{1,2})-/.exec(sid);
  return match ? Number(match[1]) : null;
}
