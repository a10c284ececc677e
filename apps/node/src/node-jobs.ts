/**
 * The node's own periodic work and long-running jobs: settlement, retention, vacuum, the marketplace's usage flush,
 * blocklet triggers and the ABT ↔ ERC-20 bridge. A one-process node runs them all from its start; on a cloud node
 * only the process holding the producer lease does (cloud/cloud-node.ts). Each job fills in its entry of `services`
 * (the status pages read them) when it starts.
 */
import { type LeaderJob, periodic } from './cloud/cloud-node.ts';
import type { Database } from './db/client.ts';
import { RETENTION_DEFAULTS, RetentionJob, type RetentionOptions } from './db/retention.ts';
import { VACUUM_DEFAULTS, VacuumJob, type VacuumOptions } from './db/vacuum.ts';
import type { BridgeOptions } from './economy/bridge/options.ts';
import { BridgeService } from './economy/bridge/service.ts';
import type { SettlementJob } from './economy/settlement.ts';
import type { Ledger } from './ledger/ledger.ts';
import type { NodeTxQueue } from './ledger/node-tx.ts';
import type { LedgerQueries } from './ledger/queries.ts';
import type { MarketService } from './market/service.ts';
import type { OcapHub } from './ocap/service.ts';
import type { ExecutorElection } from './runtime/executors/election.ts';
import type { BlockletRuntime } from './runtime/service.ts';
import type { TopicBus } from './runtime/topics.ts';
import { TriggerScheduler } from './runtime/triggers/scheduler.ts';
import type { Services } from './services.ts';

export interface NodeJobsDeps {
  db: Database;
  ledger: Ledger;
  queries: LedgerQueries;
  nodeTxs: NodeTxQueue;
  ocap: OcapHub;
  runtime: BlockletRuntime;
  topics: TopicBus;
  market: MarketService;
  settlement: SettlementJob;
  /** Decides which validator runs each chain-event invocation (a consensus chain only). */
  election: ExecutorElection | undefined;
  services: Services;
  retention?: Partial<RetentionOptions>;
  vacuum?: Partial<VacuumOptions>;
  /** Absent: no bridge. */
  bridge: BridgeOptions | undefined;
  now: () => number;
  log: (line: string) => void;
}

/** The jobs, in the order they start (the bridge after the triggers: it reads Ethereum through the OCAP chains). */
export function nodeJobs(deps: NodeJobsDeps): LeaderJob[] {
  const { db, ledger, ocap, runtime, topics, services, now, log, election } = deps;
  const retention = new RetentionJob(db, { ...RETENTION_DEFAULTS, ...deps.retention }, now, log);
  const vacuum = new VacuumJob(db, { ...VACUUM_DEFAULTS, ...deps.vacuum }, log);
  services.vacuum = vacuum;
  const jobs: LeaderJob[] = [
    periodic('settlement', deps.settlement),
    periodic('retention', retention),
    periodic('vacuum', vacuum),
    periodic('market usage', deps.market.usage),
    {
      name: 'triggers',
      start: async () => {
        const triggers = new TriggerScheduler(runtime, { db, ocap, topics, now, log, election });
        await triggers.start();
        services.triggers = triggers;
        return async () => triggers.stop();
      },
    },
  ];
  const bridge = deps.bridge;
  if (bridge) {
    jobs.push({
      name: 'the bridge',
      start: async () => {
        try {
          const started = await BridgeService.start(
            { db, ledger, queue: deps.nodeTxs, ocap, runtime, queries: deps.queries, faucet: services.faucet, now, log },
            bridge,
          );
          services.bridge = started;
          return () => started.stop();
        } catch (error) {
          if (!bridge.devOnly) throw error;
          log(`the dev bridge to Ethereum did not start (${(error as Error).message}); the node runs without it`);
          return async () => undefined;
        }
      },
    });
  }
  return jobs;
}
