import { decodeStake, stakeTotal } from '@arc/core';
import type { Database } from '../db/client.ts';

/**
 * The service level a publisher's bonded stake backs, shown on the marketplace: stake is what a mission-critical
 * service puts at risk (slashing takes it), so the level is read from the chain's stake entry, never claimed.
 */
export const SERVICE_LEVELS = [
  { level: 'mission-critical', bondedMin: 1_000n * 10n ** 18n },
  { level: 'staked', bondedMin: 100n * 10n ** 18n },
] as const;

export type ServiceLevel = (typeof SERVICE_LEVELS)[number]['level'] | 'none';

export function serviceLevelOf(bonded: bigint): ServiceLevel {
  return SERVICE_LEVELS.find((l) => bonded >= l.bondedMin)?.level ?? 'none';
}

/** A publisher's bonded stake (and everything still slashable) and the level it backs. */
export async function publisherStake(
  db: Database,
  did: string,
): Promise<{ bonded: string; slashable: string; serviceLevel: ServiceLevel }> {
  const [row] = await db.query<{ value: Uint8Array }>('SELECT value FROM stakes WHERE did = $1', [did]);
  const stake = row ? decodeStake(new Uint8Array(row.value)) : null;
  const bonded = stake?.bonded ?? 0n;
  return { bonded: bonded.toString(), slashable: (stake ? stakeTotal(stake) : 0n).toString(), serviceLevel: serviceLevelOf(bonded) };
}
