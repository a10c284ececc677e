export { connectDevPeer, type DevPeerConnection } from './connect.ts';
export { type DevPeer, type DevPeerIdentity, startDevPeer } from './dev-peer.ts';
export type { DevPeerOptions } from './dev-peer-options.ts';
