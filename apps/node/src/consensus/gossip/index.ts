/** The gossip transport of consensus: GossipNode and what its users name (limits, errors, statuses). */
export { GOSSIP_ERRORS, GossipError, type GossipErrorCode } from './errors.ts';
export { GossipNode } from './gossip.ts';
export { authDigest, GOSSIP_AUTH_DOMAIN, GOSSIP_PROTOCOL_VERSION } from './handshake.ts';
export { GOSSIP_LIMITS, type GossipLimits } from './limits.ts';
export { GOSSIP_PATH } from './options.ts';
export { preferNewLink } from './tie-break.ts';
export type { GossipListen, GossipMessageHandler, GossipNodeOptions, PeerState, PeerStatus } from './types.ts';
