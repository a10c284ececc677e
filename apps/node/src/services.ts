import type { CloudNode } from './cloud/cloud-node.ts';
import type { ConsensusDriver } from './consensus/driver.ts';
import type { VacuumJob } from './db/vacuum.ts';
import type { BridgeService } from './economy/bridge/service.ts';
import type { EconomyService } from './economy/service.ts';
import type { Faucet } from './faucet/service.ts';
import type { Protocols } from './gateway/protocols.ts';
import type { Gateway } from './gateway/service.ts';
import type { Admission } from './ledger/admission.ts';
import type { Follower } from './ledger/follower.ts';
import type { Ledger } from './ledger/ledger.ts';
import type { LedgerQueries } from './ledger/queries.ts';
import type { SnapshotExports } from './ledger/snapshots.ts';
import type { MarketService } from './market/service.ts';
import type { OcapHub } from './ocap/service.ts';
import type { BlockletRuntime } from './runtime/service.ts';
import type { TopicBus } from './runtime/topics.ts';
import type { TriggerScheduler } from './runtime/triggers/scheduler.ts';

/** What procedures reach: one instance of each service per node. */
export interface Services {
  ledger: Ledger;
  admission: Admission;
  queries: LedgerQueries;
  faucet: Faucet;
  /** GET /snapshot: the head's state for a new node to start from. */
  snapshots: SnapshotExports;
  ocap: OcapHub;
  runtime: BlockletRuntime;
  topics: TopicBus;
  /** The marketplace (issue 19). */
  market?: MarketService;
  /** The token economy's reads (issue 20). */
  economy?: EconomyService;
  /** The ABT ↔ ERC-20 bridge, when the node runs one (economy/bridge). */
  bridge?: BridgeService;
  /** Set on a node that follows another (FOLLOW_URL): imports its blocks, forwards transactions to it. */
  follower?: Follower;
  /** Set on a process of a cloud node (cloud/README.md): the shared queue, the lease, the other processes. */
  cloud?: CloudNode;
  /** Autovacuum's work, which PGlite does not do (db/vacuum.ts). */
  vacuum?: VacuumJob;
  /** Set once the node listens (chain triggers reach chains through OCAP). */
  triggers?: TriggerScheduler;
  /** Set once the node's HTTP server exists (Socket.io attaches to it). */
  gateway?: Gateway;
  /** The gateway's MQTT broker, MQTT bridge and DDP, as configured. */
  protocols?: Protocols;
  /** Set on a node of a chain run by consensus (its genesis lists validators): BA*, gossip, catch-up. */
  consensus?: ConsensusDriver;
  /** Tests of a real cluster may cut and heal gossip through `consensus.fault` (ARC_FAULT_INJECTION=on). */
  faultInjection?: boolean;
}
