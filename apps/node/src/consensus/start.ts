import type { Server } from 'node:http';
import { genesisHashOf, type KeyPair } from '@arc/core';
import type { Database } from '../db/client.ts';
import type { Admission } from '../ledger/admission.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { genesisCommittee } from './chain-context.ts';
import { ConsensusDriver } from './driver.ts';
import { GOSSIP_PATH, GossipNode } from './gossip/index.ts';

/** How a node of a consensus chain reaches its peers (CONSENSUS_PEERS) and whether tests may cut its gossip. */
export interface ConsensusOptions {
  /** Peers' base URLs (http://host:port): gossip dials ws://host:port/gossip, catch-up reads their block.raw. */
  peers: string[];
  faultInjection?: boolean;
}

/** The ws:// URL of a peer's gossip endpoint from its base URL. */
export function gossipUrl(baseUrl: string): string {
  const url = new URL(baseUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.pathname = GOSSIP_PATH;
  return url.toString();
}

/**
 * Sets up consensus on a node whose genesis lists validators: gossip on the node's own HTTP server (path /gossip) and
 * the driver. `start()` on the driver once the server listens.
 */
export async function createConsensus(deps: {
  db: Database;
  ledger: Ledger;
  admission: Admission;
  server: Server;
  nodeKey: KeyPair;
  options: ConsensusOptions;
  now: () => number;
  log: (line: string) => void;
}): Promise<ConsensusDriver> {
  // Any node of this genesis may connect (an observer that follows without voting, too): every vote and proposal is
  // checked against the validators' keys and stakes, whoever relays it.
  const { ledger, options } = deps;
  const consensus = ledger.params.consensus;
  if (!consensus) throw new Error('this chain has no validators in its genesis: it runs as one node');
  const gossip = new GossipNode({
    key: deps.nodeKey,
    chainId: ledger.chainId,
    // From the genesis itself: a node started from a snapshot does not hold block 0.
    genesisHash: genesisHashOf(ledger.options.genesis),
    listen: { server: deps.server, path: GOSSIP_PATH },
    peers: options.peers.map(gossipUrl),
    log: deps.log,
    now: deps.now,
  });
  return new ConsensusDriver(deps.db, ledger, deps.admission, gossip, {
    key: deps.nodeKey,
    committee: genesisCommittee(ledger.options.genesis),
    params: consensus.params,
    peerUrls: options.peers,
    now: deps.now,
    log: deps.log,
  });
}
