/**
 * A new component name is backed by bonded stake: an account that owns N names needs (N + 1) × the chain's
 * publishStake bonded to publish one more (nothing leaves its balance); new versions of its names need no more.
 */

/** A publisher's bond as the node's economy.stake reports it. */
export interface PublisherBond {
  bonded: bigint;
  /** Component names the bond backs now. */
  names: number;
  publishStake: bigint;
}

/** What publishing one more name needs: the names the bond would back, the bond they need, and how much more to stake. */
export function newNameBond(bond: PublisherBond): { names: number; required: bigint; short: bigint } {
  const names = bond.names + 1;
  const required = BigInt(names) * bond.publishStake;
  return { names, required, short: required > bond.bonded ? required - bond.bonded : 0n };
}

/** Where a publisher stakes: the wallet's stake page. */
export const STAKE_PAGE_HREF = '/wallet/stake';
