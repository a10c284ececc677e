import { applicationStatus, decodeApplication } from '@arc/core';
import type { Database } from '../db/client.ts';
import { NodeError } from '../errors.ts';
import type { Ledger } from '../ledger/ledger.ts';

export const GATE_LIMITS = {
  /** How long one blocklet's answer is reused: a suspension or a resumption takes effect within this bound. */
  ttlMs: 1_000,
  /** Blocklets remembered at once (the table starts over when full). */
  entriesMax: 10_000,
} as const;

/**
 * Refuses invocations of a blocklet installed into a suspended application (APP_SUSPENDED, saying what its owner must
 * do). Blocklets not installed into an application, and applications without billing, run as before.
 */
export function suspensionGate(db: Database, ledger: Ledger, now: () => number): (name: string) => Promise<void> {
  const remembered = new Map<string, { atMs: number; suspended: string | null }>();
  const lookup = async (name: string): Promise<string | null> => {
    const [row] = await db.query<{ value: Uint8Array }>(
      'SELECT a.value FROM market_installs i JOIN applications a ON a.did = i.application WHERE i.blocklet = $1 LIMIT 1',
      [name],
    );
    if (!row) return null;
    const app = decodeApplication(new Uint8Array(row.value));
    return applicationStatus(app, ledger.head.timeMs, ledger.params.economy.graceMs) === 'suspended' ? app.did : null;
  };
  return async (name) => {
    const at = now();
    let entry = remembered.get(name);
    if (!entry || at - entry.atMs > GATE_LIMITS.ttlMs) {
      if (remembered.size >= GATE_LIMITS.entriesMax) remembered.clear();
      entry = { atMs: at, suspended: await lookup(name) };
      remembered.set(name, entry);
    }
    if (entry.suspended === null) return;
    throw new NodeError(
      'APP_SUSPENDED',
      `The application ${entry.suspended} is suspended for unpaid bills; its owner must add funds to its deposit (fundApplication), and it runs again at once.`,
    );
  };
}
