import cluster from 'node:cluster';
import { parseArgs } from 'node:util';
import { CLUSTER_LIMITS } from './cluster/messages.ts';
import { runPrimary } from './cluster/primary.ts';
import { runWorker } from './cluster/worker.ts';
import { parseEnv } from './config/env.ts';
import { nodeOptionsFromEnv } from './config/node-options.ts';
import { installNodeCrypto } from './ledger/node-crypto.ts';
import { startNode } from './node.ts';

/** `--workers N`: how many processes share the port (1: the plain node; more: a cluster, gateway/CLUSTER.md). */
function workersFromArgs(): number {
  const { values } = parseArgs({ options: { workers: { type: 'string', default: '1' } }, strict: true });
  const workers = Number(values.workers);
  if (!Number.isInteger(workers) || workers < 1 || workers > CLUSTER_LIMITS.workersMax)
    throw new Error(`--workers must be a whole number from 1 to ${CLUSTER_LIMITS.workersMax}, not ${values.workers}`);
  return workers;
}

/**
 * The node process: `node --import tsx apps/node/src/main.ts [--workers N]`. With N > 1 this process is the
 * cluster's primary: it owns the port and forks one full node and N - 1 gateway workers (REDIS_URL required).
 */
async function main(): Promise<void> {
  if (cluster.isWorker) return runWorker();
  const workers = workersFromArgs();
  const env = parseEnv(process.env);
  if (workers > 1) {
    if (!env.REDIS_URL) throw new Error('--workers needs REDIS_URL: the workers share topics through Redis');
    return runPrimary({ host: env.HOST, port: env.PORT, workers, log: (line) => console.log(`[cluster] ${line}`) });
  }
  // Before the genesis file's DIDs are checked and the node key derived: native hashing and keys, not core's default.
  installNodeCrypto();
  const options = await nodeOptionsFromEnv(env);
  const where = options.database.kind === 'postgres' ? 'PostgreSQL (DATABASE_URL)' : `PGlite in ${env.DATA_DIR}`;
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
