import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NodeOptions } from '../node.ts';
import { loadOcapConfig } from '../ocap/config.ts';
import type { Env } from './env.ts';
import { loadGenesisFile } from './genesis.ts';
import { loadOrCreateNodeKey } from './node-key.ts';

export const DEV_GENESIS_FILE = fileURLToPath(new URL('../../genesis/dev.json', import.meta.url));
const ABT = 10n ** 18n;

/** Turns the parsed environment into node options (reading the genesis and key files). */
export async function nodeOptionsFromEnv(env: Env): Promise<NodeOptions> {
  const dataDir = resolve(env.DATA_DIR);
  return {
    database: env.DATABASE_URL ? { kind: 'postgres', url: env.DATABASE_URL } : { kind: 'pglite', dataDir: join(dataDir, 'pglite') },
    genesis: await loadGenesisFile(env.GENESIS_FILE ?? DEV_GENESIS_FILE),
    nodeKey: await loadOrCreateNodeKey(env.NODE_KEY_FILE ?? join(dataDir, 'node-key.json')),
    host: env.HOST,
    port: env.PORT,
    blockIntervalMs: env.BLOCK_INTERVAL_MS,
    mempool: { maxTxs: env.MEMPOOL_MAX_TXS, ttlMs: env.MEMPOOL_TTL_MS },
    verifyThreads: env.VERIFY_THREADS,
    faucet: { amount: BigInt(env.FAUCET_AMOUNT_ABT) * ABT, intervalMs: env.FAUCET_INTERVAL_MS },
    seedDemo: env.SEED_DEMO === 'auto',
    ocapChains: (await loadOcapConfig(env)).chains,
  };
}
