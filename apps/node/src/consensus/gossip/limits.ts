import { z } from 'zod';

/**
 * Every bound of the gossip transport, units last in each name. A node may override any of them (tests shrink them);
 * a value that is not a positive integer is refused when the node is built.
 */
export const GOSSIP_LIMITS = {
  /** Largest payload (one consensus message); a bigger frame closes the connection (WebSocket 1009). */
  messageBytesMax: 8 * 1024 * 1024,
  /** Largest handshake frame (hello or auth, JSON text); enforced as the frame limit until the peer is authenticated. */
  helloFrameBytesMax: 2048,
  /** Payload hashes remembered for dedup (least recently seen forgotten first). */
  seenMax: 100_000,
  /** Messages queued for one peer; past it the oldest queued message is dropped and counted. */
  sendQueueMax: 1024,
  /** Bytes the socket may hold for one peer before the queue stops feeding it (a slow reader). */
  sendBufferBytesMax: 16 * 1024 * 1024,
  /** Payloads accepted per peer per second (a one-second burst); the excess is dropped and counted. */
  inboundMessagesPerSecondMax: 2000,
  /** Time from the socket opening to a verified auth; a slower peer is closed. */
  handshakeTimeoutMs: 5000,
  /** First redial delay after a failed or lost connection; doubles per failure. */
  dialBackoffMinMs: 250,
  /** Longest redial delay; a peer that refused us is retried at this pace only. */
  dialBackoffMaxMs: 30_000,
  /** How often a connected peer is pinged (its pong gives rttMs). */
  pingIntervalMs: 5000,
  /** A connected peer heard nothing from for this long is dropped (and redialed when it is one we dial). */
  peerSilenceTimeoutMs: 20_000,
  /** Inbound sockets at once (handshaking or connected); past it an upgrade is answered 503. */
  inboundConnectionsMax: 128,
  /** Inbound sockets still in the handshake at once; past it an upgrade is answered 503. */
  handshakesPendingMax: 32,
  /** Peer URLs a node may be configured to dial. */
  dialTargetsMax: 256,
  /** DIDs an allow-list may hold. */
  allowedDidsMax: 10_000,
  /** Refused inbound peers remembered for peers() (oldest forgotten first). */
  refusalsRecordedMax: 64,
  /** Largest difference between a hello's timeMs and our clock. */
  helloClockSkewMsMax: 5 * 60_000,
  /** Time a closing socket gets to finish the close handshake before it is destroyed. */
  closeGraceMs: 1000,
} as const;

export type GossipLimits = { -readonly [K in keyof typeof GOSSIP_LIMITS]: number };

const limitShape = Object.fromEntries(Object.keys(GOSSIP_LIMITS).map((name) => [name, z.number().int().positive().optional()])) as {
  [K in keyof GossipLimits]: z.ZodOptional<z.ZodNumber>;
};

/** Overrides of GOSSIP_LIMITS as configuration gives them: known names only, positive integers only. */
export const GossipLimitsOverride = z.strictObject(limitShape);

/** GOSSIP_LIMITS with the overrides applied (already parsed by GossipLimitsOverride). */
export function resolveLimits(overrides: Partial<GossipLimits> = {}): GossipLimits {
  const limits: GossipLimits = { ...GOSSIP_LIMITS };
  for (const [name, value] of Object.entries(overrides) as [keyof GossipLimits, number | undefined][]) {
    if (value !== undefined) limits[name] = value;
  }
  return limits;
}

/** The redial delay after `failures` consecutive failures (1 = the first): doubling from min to max, ±20 % jitter. */
export function dialBackoffMs(failures: number, limits: GossipLimits, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(failures - 1, 0), 30);
  const base = Math.min(limits.dialBackoffMinMs * 2 ** exponent, limits.dialBackoffMaxMs);
  // Jitter keeps nodes restarted together from redialing in lockstep.
  return Math.max(1, Math.min(limits.dialBackoffMaxMs, Math.round(base * (0.8 + 0.4 * random()))));
}
