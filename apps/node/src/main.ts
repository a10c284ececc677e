import cluster from 'node:cluster';
import { parseArgs } from 'node:util';
import { toleratePostgresClosedWrite } from './cloud/driver-guard.ts';
import { launchProcesses } from './cloud/launcher.ts';
import { CLUSTER_LIMITS } from './cluster/messages.ts';
import { runPrimary } from './cluster/primary.ts';
import { runWorker } from './cluster/worker.ts';
import { parseEnv } from './config/env.ts';
import { nodeOptionsFromEnv } from './config/node-options.ts';
import { installNodeCrypto } from './ledger/node-crypto.ts';
import { startNode } from './node.ts';

/**
 * `--workers N`: how many processes share the port (1: the plain node; more: a cluster, gateway/CLUSTER.md).
 * `--processes N`: a cloud node of N whole processes behind a round-robin proxy (cloud/README.md).
 */
function countsFromArgs(): { workers: number; processes: number } {
  const { values } = parseArgs({
    options: { workers: { type: 'string', default: '1' }, processes: { type: 'string', default: '1' } },
    strict: true,
  });
  const count = (name: string, text: string) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1 || n > CLUSTER_LIMITS.workersMax)
      throw new Error(`--${name} must be a whole number from 1 to ${CLUSTER_LIMITS.workersMax}, not ${text}`);
    return n;
  };
  const counts = { workers: count('workers', values.workers), processes: count('processes', values.processes) };
  if (counts.workers > 1 && counts.processes > 1) throw new Error('--workers and --processes cannot go together; use --processes');
  return counts;
}

/**
 * The node process: `node --import tsx apps/node/src/main.ts [--workers N]`. With N > 1 this process is the
 * cluster's primary: it owns the port and forks one full node and N - 1 gateway workers (REDIS_URL required).
 */
async function main(): Promise<void> {
  if (cluster.isWorker) return runWorker();
  const env = parseEnv(process.env);
  // A process the launcher started has ARC_PROCESS and no arguments.
  const { workers, processes } = env.ARC_PROCESS ? { workers: 1, processes: 1 } : countsFromArgs();
  if (processes > 1) {
    if (!env.DATABASE_URL || !env.REDIS_URL) {
      throw new Error('--processes needs DATABASE_URL and REDIS_URL: the processes share the chain in PostgreSQL and topics in Redis');
    }
    return launchProcesses({ processes, host: env.HOST, port: env.PORT, mqttPort: env.MQTT_PORT, log: (line) => console.log(line) });
  }
  if (workers > 1) {
    if (!env.REDIS_URL) throw new Error('--workers needs REDIS_URL: the workers share topics through Redis');
    return runPrimary({ host: env.HOST, port: env.PORT, workers, log: (line) => console.log(`[cluster] ${line}`) });
  }
  // Before the genesis file's DIDs are checked and the node key derived: native hashing and keys, not core's default.
  installNodeCrypto();
  const options = await nodeOptionsFromEnv(env);
  const where = options.database.kind === 'postgres' ? 'PostgreSQL (DATABASE_URL)' : `PGlite in ${env.DATA_DIR}`;
  if (options.cloud) {
    console.log(`process ${options.cloud.process} of a cloud node`);
    toleratePostgresClosedWrite((line) => console.log(line));
  }
  console.log(`starting chain ${options.genesis.chainId} on ${where}`);
  const node = await startNode(options);
  console.log(`node listening on ${node.url}`);
  const shutdown = (signal: string) => {
    console.log(`${signal}: finishing the block in progress and closing the database`);
    node.close().then(
      () => process.exit(0),
      (error) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((error: Error) => {
  console.error(`the node could not start: ${error.message}${error.cause ? ` (cause: ${String(error.cause)})` : ''}`);
  process.exit(1);
});
