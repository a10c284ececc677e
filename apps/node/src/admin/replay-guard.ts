import { createHash } from 'node:crypto';
import { ADMIN_AUTH_SKEW_MS, adminMessage } from '@arc/core';
import type { Sql } from '../db/client.ts';

export const REPLAY_GUARD_LIMITS = {
  /**
   * Expired rows one claim deletes at most. Each claim prunes before it inserts, so the table holds about the
   * requests of one skew window (5 minutes) and no claim ever runs a long delete.
   */
  pruneRowsPerClaimMax: 100,
} as const;

/** What the node tells whoever sends a signed request a second time. */
export const REPLAYED_MESSAGE = 'This signed request was used already; sign it again with the current time.';

/** A signed admin request whose signature verified: who signed it, and what (the arguments of adminMessage). */
export interface VerifiedRequest {
  did: string;
  op: string;
  name: string;
  params: unknown;
  timeMs: number;
}

/**
 * Makes each signed admin request usable once, across restarts and across the processes that share a database.
 * A request is named by its signer and signed message, not by its signature bytes: ed25519 signatures are
 * deterministic, but another encoding of the same signature must not make a second use look new.
 */
export class ReplayGuard {
  constructor(
    readonly db: Sql,
    readonly now: () => number,
  ) {}

  /**
   * Records the request as used; false when it was used already. One INSERT … ON CONFLICT DO NOTHING decides, so
   * two copies racing each other cannot both pass (the database serializes them on the primary key).
   */
  async claim(request: VerifiedRequest): Promise<boolean> {
    const nowMs = this.now();
    await this.db.query(
      `DELETE FROM used_signed_requests WHERE request_hash IN (
         SELECT request_hash FROM used_signed_requests WHERE expires_at_ms < $1 ORDER BY expires_at_ms LIMIT $2)`,
      [nowMs, REPLAY_GUARD_LIMITS.pruneRowsPerClaimMax],
    );
    const inserted = await this.db.query(
      'INSERT INTO used_signed_requests (request_hash, expires_at_ms) VALUES ($1, $2) ON CONFLICT (request_hash) DO NOTHING RETURNING 1 AS n',
      [requestHash(request), request.timeMs + ADMIN_AUTH_SKEW_MS],
    );
    return inserted.length === 1;
  }
}

/** SHA-256 (hex) of the signer and the exact bytes it signed. */
export function requestHash(request: VerifiedRequest): string {
  const message = adminMessage(request.op, request.name, request.params, request.timeMs);
  return createHash('sha256').update(`${request.did}\n`).update(message).digest('hex');
}
