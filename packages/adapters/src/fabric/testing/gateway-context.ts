import type { Endorser } from './endorser.ts';
import type { Ledger } from './ledger.ts';
import type { ChannelMembership } from './membership.ts';
import type { Orderer } from './orderer.ts';

/** What the gateway's handlers work with: the one channel, its organization, and the peer's parts. */
export interface GatewayContext {
  channelId: string;
  mspId: string;
  /** The peer's endpoint, as named in error details. */
  address: string;
  endorser: Endorser;
  membership: ChannelMembership;
  ledger: Ledger;
  orderer: Orderer;
  /** Whether a chaincode can be invoked: a defined chaincode or qscc. */
  isDefined(chaincodeName: string): boolean;
}
