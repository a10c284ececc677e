import type { Server as HttpServer } from 'node:http';
import type { KeyPair } from '@arc/core';
import type { GossipLimits } from './limits.ts';

/** Where a node takes inbound gossip connections: its own port, or a path of the node's existing HTTP server. */
export type GossipListen = { host: string; port: number; path?: string } | { server: HttpServer; path: string };

export interface GossipNodeOptions {
  /** The node's ed25519 key (the secret key is the 32-byte seed); its DID is didFromPublicKey(publicKey, 'node'). */
  key: KeyPair;
  chainId: string;
  /** Hex (0x optional); a peer with another genesis is refused at the handshake. */
  genesisHash: string;
  listen: GossipListen;
  /** ws:// or wss:// URLs to dial, redialed with backoff for as long as the node runs. */
  peers: string[];
  /** When given, only these DIDs are accepted (inbound and outbound). */
  allowedDids?: string[];
  limits?: Partial<GossipLimits>;
  log: (line: string) => void;
  /** The clock (Date.now unless told): rtt, silence, rates, and the timeMs of hellos, which peers hold to helloClockSkewMsMax. */
  now?: () => number;
}

/**
 * Consensus's reader of payloads: each distinct payload once, with the (authenticated) DID it came from. Returning
 * false refuses to relay it (an invalid message); anything else relays it to every other peer.
 */
export type GossipMessageHandler = (payload: Uint8Array, fromDid: string) => boolean | undefined;

/** connected: authenticated; connecting: dialing or waiting to redial; refused: the last handshake was refused. */
export type PeerState = 'connected' | 'connecting' | 'refused';

/** One peer as peers() reports it. Counters are those of the current connection (zero when there is none). */
export interface PeerStatus {
  /** The authenticated DID; for a refused or never-reached peer, the DID its hello claimed (or null). */
  did: string | null;
  /** The URL we dial, or 'inbound' for a connection the peer opened. */
  url: string;
  state: PeerState;
  /** Why the last connection ended or was refused, as a sentence. */
  lastError: string | null;
  messagesIn: number;
  messagesOut: number;
  /** droppedInbound + droppedOutbound. */
  dropped: number;
  /** Payloads from the peer past inboundMessagesPerSecondMax. */
  droppedInbound: number;
  /** Payloads for the peer dropped from a full send queue (the oldest first). */
  droppedOutbound: number;
  /** Payloads waiting in the send queue. */
  queued: number;
  /** The last ping's round trip. */
  rttMs: number | null;
  connectedAtMs: number | null;
  /** True while cut() drops this peer's traffic. */
  cut: boolean;
}
