import { parseEnv } from './config/env.ts';
import { nodeOptionsFromEnv } from './config/node-options.ts';
import { startNode } from './node.ts';

/** The node process: `node --import tsx apps/node/src/main.ts`. */
async function main(): Promise<void> {
  const env = parseEnv(process.env);
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
