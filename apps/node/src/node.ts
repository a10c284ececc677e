import { createHmac } from 'node:crypto';
import type { Server } from 'node:http';
import { type GenesisConfig, isDevChain, type KeyPair, toHex } from '@arc/core';
import { CloudNode, type CloudOptions, claimSeeding, type LeaderJob } from './cloud/cloud-node.ts';
import { LEASE_TIMING_DEFAULT } from './cloud/lease.ts';
import type { CorsOrigins } from './config/cors.ts';
import { DEV_ACCOUNT_NAMES, devKey } from './config/dev-keys.ts';
import { type ConsensusOptions, createConsensus } from './consensus/start.ts';
import { type Database, type DatabaseTarget, openDatabase } from './db/client.ts';
import type { RetentionOptions } from './db/retention.ts';
import type { VacuumOptions } from './db/vacuum.ts';
import { seedNode } from './demo/seed-node.ts';
import type { BridgeOptions } from './economy/bridge/options.ts';
import { suspensionGate } from './economy/gate.ts';
import { ECONOMY_PRICES_DEFAULT, EconomyMeter, MessageMeter } from './economy/meter.ts';
import { EconomyService } from './economy/service.ts';
import { SettlementJob } from './economy/settlement.ts';
import { Faucet, type FaucetOptions } from './faucet/service.ts';
import { type ProtocolOptions, type Protocols, startProtocols } from './gateway/protocols.ts';
import { type Gateway, type GatewayRedisOptions, startGateway } from './gateway/service.ts';
import { DEFAULT_GATEWAY_LIMITS, type GatewayLimits } from './gateway/types.ts';
import { Admission } from './ledger/admission.ts';
import { Follower } from './ledger/follower.ts';
import { Ledger, type LedgerLimits } from './ledger/ledger.ts';
import type { MempoolLimits } from './ledger/mempool.ts';
import { installNodeCrypto } from './ledger/node-crypto.ts';
import { NodeTxQueue } from './ledger/node-tx.ts';
import { LedgerQueries } from './ledger/queries.ts';
import { importSnapshot, SnapshotExports } from './ledger/snapshots.ts';
import { LedgerStore } from './ledger/store.ts';
import { MarketService } from './market/service.ts';
import { nodeJobs } from './node-jobs.ts';
import type { ChainConfig } from './ocap/config.ts';
import { DatabaseIdempotencyStore } from './ocap/idempotency-store.ts';
import { inProcessNodeApi } from './ocap/node-api.ts';
import { OcapHub } from './ocap/service.ts';
import { ExecutorElection } from './runtime/executors/election.ts';
import { sqlExecutionStore } from './runtime/executors/store.ts';
import { createSandboxPool, DeferredSandboxPool, type SandboxStart } from './runtime/sandbox/index.ts';
import { type BlockletPolicy, BlockletRuntime } from './runtime/service.ts';
import { TopicBus } from './runtime/topics.ts';
import { type BlockletHttpOptions, DEFAULT_BLOCKLET_HTTP } from './runtime/triggers/http.ts';
import { createNodeServer, listen, type TlsOptions } from './server.ts';
import type { Services } from './services.ts';

export interface NodeOptions {
  database: DatabaseTarget;
  genesis: GenesisConfig;
  /** A state snapshot an empty database starts from instead of genesis (ignored once the database holds a chain). */
  snapshotFile?: string;
  /** Another node of the chain whose blocks this one imports instead of making its own (FOLLOW_URL, ledger/follower.ts). */
  follow?: { url: string };
  /** On a chain whose genesis lists validators: the peers to gossip with (consensus/README.md). */
  consensus?: ConsensusOptions;
  /** One process of a cloud node sharing `database` (PostgreSQL) and Redis with the others (cloud/README.md). */
  cloud?: CloudOptions;
  nodeKey: KeyPair;
  host: string;
  port: number;
  blockIntervalMs: number;
  mempool: MempoolLimits;
  verifyThreads: number;
  /** The ledger's other bounds (rejections per sender, open tx.wait calls, signature batches): ledger/ledger.ts. */
  ledgerLimits?: Partial<LedgerLimits>;
  faucet: FaucetOptions;
  /** Seed the demo history when the chain is new and a dev chain. */
  seedDemo: boolean;
  /** The chains reached through OCAP (the native ledger and a mock by default). */
  ocapChains: ChainConfig[];
  /** Worker processes of the blocklet sandbox (each holds many isolates). */
  sandboxWorkers?: number;
  /**
   * When the sandbox's workers start: once the node listens (the default: the first blocklet call finds them up), or
   * at the first call that needs them (a node that hosts no blocklets never pays for them).
   */
  sandboxStart?: SandboxStart;
  /** The realtime gateway: its limits (defaults in gateway/types.ts) and Redis, for a cluster. */
  gateway?: { limits?: Partial<GatewayLimits>; redis?: GatewayRedisOptions };
  /** HTTPS / WSS on the node's port when given (certificate and key, PEM). */
  tls?: TlsOptions;
  /** Web pages that may call the node from a browser, HTTP and Socket.io (config/cors.ts); any (`*`) when absent. */
  corsOrigins?: CorsOrigins;
  /** The gateway's MQTT broker and bridge (off unless given) and DDP (on unless false): gateway/protocols.ts. */
  protocols?: ProtocolOptions;
  /** Blocklet routes: active content (default deny) and rate limits per caller (runtime/triggers/http.ts). */
  blockletHttp?: Partial<BlockletHttpOptions>;
  /** What the operator lets blocklets do beyond their manifests (private fetch targets, trusted publishers). */
  blocklets?: BlockletPolicy;
  /** How long logs, invocations and rejected transactions are kept (db/retention.ts; defaults there). */
  retention?: Partial<RetentionOptions>;
  /** Vacuum and analyze thresholds (db/vacuum.ts; PostgreSQL's autovacuum defaults). */
  vacuum?: Partial<VacuumOptions>;
  /** How often the settlement job looks for ended billing periods (economy/settlement.ts). */
  settlementIntervalMs?: number;
  /** How often metered component use is flushed to the chain as a recordUsage transaction (market/usage.ts). */
  marketUsageFlushMs?: number;
  /** The ABT ↔ ERC-20 bridge's signers and relayer (economy/bridge/README.md); absent: no bridge. */
  bridge?: BridgeOptions;
  now?: () => number;
  log?: (line: string) => void;
}

export interface RunningNode {
  url: string;
  services: Services;
  db: Database;
  server: Server;
  close(): Promise<void>;
}

/** Opens the database, resumes or creates the chain, starts producing blocks and serving the API. */
export async function startNode(options: NodeOptions): Promise<RunningNode> {
  installNodeCrypto();
  const log = options.log ?? ((line: string) => console.log(line));
  // The sandbox's worker processes (each a Node process of its own) start once the node listens, or at the first
  // call that needs them (runtime/sandbox/deferred.ts): booting beside the database's start, they delayed it.
  const sandbox = new DeferredSandboxPool(() => createSandboxPool({ workers: options.sandboxWorkers ?? 2, log }));
  const stopSandbox = () => sandbox.close();
  let db: Database;
  // A cloud node's block commits are cut off when idle this long inside their transaction (a producer paused there).
  const idleInTransactionMs = Math.max(2000, options.cloud?.lease?.leaseMs ?? LEASE_TIMING_DEFAULT.leaseMs);
  const database =
    options.cloud && options.database.kind === 'postgres'
      ? { ...options.database, shared: { idleInTransactionMs, process: options.cloud.process } }
      : options.database;
  try {
    db = await openDatabase(database, log);
  } catch (error) {
    await stopSandbox();
    throw error;
  }
  const ledger = new Ledger(db, {
    genesis: options.genesis,
    nodeKey: options.nodeKey,
    blockIntervalMs: options.blockIntervalMs,
    mempool: options.mempool,
    verifyThreads: options.verifyThreads,
    ...(options.ledgerLimits ? { limits: options.ledgerLimits } : {}),
    ...(options.cloud ? { cloud: true } : {}),
    now: options.now ?? Date.now,
    log,
  });
  // The processes of a cloud node open the chain one at a time (the first writes genesis); one of them seeds the demo.
  let seeds = !options.cloud;
  try {
    const opening = async () => {
      if (options.snapshotFile) await startFromSnapshot(db, options.snapshotFile, options.genesis, log);
      await ledger.open();
      if (options.cloud) seeds = await claimSeeding(db);
    };
    await (options.cloud && db.exclusive ? db.exclusive('arc-node-open', opening) : opening());
  } catch (error) {
    await stopSandbox();
    await db.close();
    throw error;
  }
  // After a storage fault, a block whose commit was reported failed may still have reached the disk (its WAL
  // written, the sync failed): the ledger's memory would then be behind the database. Refuse until a restart.
  db.setRecoveryCheck?.(async (sql) => {
    const [row] = await sql.query<{ height: string | number | null }>('SELECT max(height) AS height FROM blocks');
    const stored = Number(row?.height ?? -1);
    return stored === ledger.head.height
      ? null
      : `the database holds height ${stored} where this process committed up to ${ledger.head.height}; restart the node to resume from the database`;
  });
  const admission = new Admission(ledger);
  const queries = new LedgerQueries(ledger);
  const devSecretKeys = isDevChain(options.genesis.chainId) ? DEV_ACCOUNT_NAMES.map((name) => devKey(name).secretKey) : [];
  const ocap = new OcapHub(options.ocapChains, new DatabaseIdempotencyStore(db, options.now ?? Date.now), devSecretKeys);
  const now = options.now ?? Date.now;
  const topics = new TopicBus(now, (error, topic) => log(`a subscriber of ${topic} failed: ${(error as Error).message}`));
  const market = new MarketService({
    db,
    ledger,
    admission,
    nodeKey: options.nodeKey,
    now,
    log,
    ...(options.marketUsageFlushMs ? { usageFlushMs: options.marketUsageFlushMs } : {}),
  });
  const nodeTxs = new NodeTxQueue(ledger, admission, { ...options.nodeKey, did: ledger.nodeDid });
  const economyMeter = new EconomyMeter(ledger.nodeDid, ledger.params.economy.billingPeriodMs, ECONOMY_PRICES_DEFAULT, now);
  const runtime = new BlockletRuntime({
    meterUsage: (invocations) =>
      [market.usage.meterStatement(invocations), economyMeter.meterStatement(invocations)].filter((s) => s !== null),
    gate: suspensionGate(db, ledger, now),
    db,
    ledger,
    admission,
    queries,
    ocap,
    sandbox,
    topics,
    now,
    log,
    ...(options.blocklets ? { blocklets: options.blocklets } : {}),
  });
  await runtime.start();
  // A cloud node's producing process flushes metered use (a leader job, below).
  await market.start({ usage: false });
  market.installer.runtime = runtime;
  const services: Services = {
    ledger,
    admission,
    queries,
    faucet: new Faucet(ledger, admission, options.faucet),
    ocap,
    runtime,
    topics,
    market,
    economy: new EconomyService(db, ledger, now),
    snapshots: new SnapshotExports(ledger, log),
  };
  const settlement = new SettlementJob(db, ledger, nodeTxs, now, log, options.settlementIntervalMs);
  const fresh = ledger.head.height === 0 && seeds;
  const follower = options.follow ? new Follower(ledger, options.follow.url, log, now) : null;
  if (follower) {
    admission.forwardTo = (bytes) => follower.forward(toHex(bytes));
    services.follower = follower;
  }
  // On a chain run by consensus, blocks come from agreement (consensus/driver.ts), not from a producer of its own.
  const consensusChain = ledger.params.consensus !== undefined;
  ledger.start({ produce: follower === null && !consensusChain });
  // A cloud node's process admits into the shared queue from its first request on (before it listens); it follows the
  // chain and competes for the lease once it listens (below). Its leader jobs are filled in below too.
  const jobs: LeaderJob[] = [];
  const cloud = options.cloud ? new CloudNode(db, ledger, options.cloud, jobs, log) : null;
  if (cloud) services.cloud = cloud;
  follower?.start();
  /** Undoes what has started so far when a later part of the start fails. */
  const closeStarted = async () => {
    await runtime.close();
    await sandbox.close();
    await follower?.stop();
    await ledger.stop();
    await db.close();
  };
  const corsOrigins = options.corsOrigins ?? '*';
  const server = createNodeServer(services, options.tls, { ...DEFAULT_BLOCKLET_HTTP, ...options.blockletHttp }, corsOrigins);
  let gateway: Gateway;
  try {
    gateway = await startGateway({
      server,
      db,
      ledger,
      bus: topics,
      blockletOwner: (name) => runtime.registry.owner(name),
      limits: { ...DEFAULT_GATEWAY_LIMITS, ...options.gateway?.limits },
      nodeId: ledger.nodeDid,
      corsOrigins,
      ...(options.cloud ? { challengeSecret: createHmac('sha256', options.nodeKey.secretKey).update('gateway challenges').digest() } : {}),
      ...(options.gateway?.redis ? { redis: options.gateway.redis } : {}),
      now,
      log,
    });
  } catch (error) {
    await closeStarted();
    throw error;
  }
  services.gateway = gateway;
  const messages = new MessageMeter(db, ledger.nodeDid, ledger.params.economy.billingPeriodMs, ECONOMY_PRICES_DEFAULT, now, log);
  messages.start();
  gateway.hub.onAppMessage = (appDid) => messages.count(appDid);
  settlement.warn = (topic, payload) =>
    void gateway.hub.publishAs(topic, payload, null).catch((error: Error) => log(`economy: a warning was not published: ${error.message}`));
  // MQTT and DDP: front doors to the gateway's hub (gateway/PROTOCOLS.md).
  let protocols: Protocols;
  try {
    // The node's certificate also covers MQTT (mqtts) when TLS is configured.
    const protocolOptions = options.protocols ?? {};
    const mqtt = protocolOptions.mqtt && options.tls ? { ...protocolOptions.mqtt, tls: options.tls } : protocolOptions.mqtt;
    protocols = await startProtocols(
      { ...protocolOptions, ...(mqtt ? { mqtt } : {}) },
      { gateway, server, runtime, nodeId: ledger.nodeDid, now, log },
    );
  } catch (error) {
    await gateway.close();
    await closeStarted();
    throw error;
  }
  services.protocols = protocols;
  if (consensusChain) {
    services.consensus = await createConsensus({
      db,
      ledger,
      admission,
      server,
      nodeKey: options.nodeKey,
      options: options.consensus ?? { peers: [] },
      now,
      log,
    });
    services.faultInjection = options.consensus?.faultInjection === true;
  }
  // Validators elect which of them runs each chain-event invocation of a blocklet (runtime/executors/README.md).
  const consensus = services.consensus;
  const election = consensus
    ? new ExecutorElection({ key: options.nodeKey, network: consensus, store: sqlExecutionStore(db), now, log })
    : undefined;
  if (consensus && election) consensus.onExecutorMessage = (bytes) => election.receive(bytes);
  const url = await listen(server, options.host, options.port);
  if ((options.sandboxStart ?? 'listen') === 'listen') {
    sandbox.begin().catch((error: unknown) => {
      log(`blocklet sandbox: its workers did not start (${(error as Error).message}); the next blocklet call tries again`);
    });
  }
  await services.consensus?.start();
  // The node's own OCAP adapter calls its services in process, never itself over HTTP.
  ocap.start(inProcessNodeApi({ ledger, admission, queries }));
  // The node's own periodic work (node-jobs.ts): on a cloud node only the producing process runs it.
  jobs.push(
    ...nodeJobs({
      db,
      ledger,
      queries,
      nodeTxs,
      ocap,
      runtime,
      topics,
      market,
      settlement,
      election,
      services,
      ...(options.retention ? { retention: options.retention } : {}),
      ...(options.vacuum ? { vacuum: options.vacuum } : {}),
      bridge: options.bridge,
      now,
      log,
    }),
  );
  const stops: (() => Promise<void>)[] = [];
  if (cloud) {
    await cloud.shareRuntime(runtime);
    await cloud.start(url);
    stops.push(() => cloud.stop());
  } else {
    for (const job of jobs) stops.push(await job.start());
  }
  // A follower's demo is the followed node's.
  if (fresh && options.seedDemo && services.faucet.enabled && !follower && !consensusChain) {
    await seedNode({ db, ledger, admission, queries, runtime, market, url, now, log });
  }
  let closing: Promise<void> | null = null;
  return {
    url,
    services,
    db,
    server,
    close: () => {
      closing ??= (async () => {
        await services.consensus?.stop();
        await protocols.close();
        await gateway.close();
        await messages.stop();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        for (const stop of stops.reverse()) await stop();
        // After the triggers stopped: a decision still waiting ends, and its event is delivered again on restart.
        election?.close();
        await market.stop();
        await runtime.close();
        await sandbox.close();
        await ocap.close();
        await follower?.stop();
        await ledger.stop();
        await services.snapshots.close();
        await db.close();
      })();
      return closing;
    },
  };
}

/** An empty database starts from the snapshot; a database that holds a chain already keeps it (and says so). */
async function startFromSnapshot(db: Database, file: string, genesis: GenesisConfig, log: (line: string) => void): Promise<void> {
  const held = await new LedgerStore(db).getMeta('chain');
  if (held !== undefined) {
    log(`SNAPSHOT_FILE ${file} is not used: the database holds a chain already (start on an empty DATA_DIR or DATABASE_URL)`);
    return;
  }
  await importSnapshot(db, file, genesis, log);
}
