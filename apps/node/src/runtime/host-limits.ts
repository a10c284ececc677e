import { OUTBOUND_LIMITS } from './outbound.ts';

/** Bounds on what one invocation may do through its host calls. */
export const HOST_LIMITS = {
  kvKeyChars: 256,
  kvValueBytes: 64 * 1024,
  kvWritesMax: 1000,
  kvListMax: 100,
  publishesMax: 100,
  messageBytes: 64 * 1024,
  logLinesMax: 200,
  logBytesMax: 64 * 1024,
  fetchesMax: 20,
  fetchTimeoutMs: OUTBOUND_LIMITS.timeoutMs,
  fetchBodyBytesMax: OUTBOUND_LIMITS.bodyBytesMax,
  ledgerSubmitsMax: 10,
  /** ctx.blocklets.call calls of one invocation, and how deep calls may nest (A calls B calls C: 3). */
  blockletCallsMax: 20,
  blockletCallDepthMax: 3,
  chainSendsMax: 10,
  rawTxChars: 256 * 1024,
  /** Deepest nesting of a kv value or a published message (PostgreSQL's JSON parser recurses per level). */
  jsonDepthMax: 64,
} as const;
