import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { isDevChain } from '@arc/core';
import { devBridgeOptions } from '../economy/bridge/dev.ts';
import { parseBridgeFilters } from '../gateway/mqtt-bridge.ts';
import type { ProtocolOptions } from '../gateway/protocols.ts';
import { gatewayLimitsFromEnv } from '../gateway/types.ts';
import { REJECTION_LIMITS_DEFAULT } from '../ledger/rejection-limiter.ts';
import { TX_WAITER_LIMITS_DEFAULT } from '../ledger/tx-waiters.ts';
import type { NodeOptions } from '../node.ts';
import { loadOcapConfig } from '../ocap/config.ts';
import { nodeAppPath } from '../paths.ts';
import { parsePrivateTargets } from '../runtime/outbound.ts';
import type { TlsOptions } from '../server.ts';
import type { Env } from './env.ts';
import { loadGenesisFile } from './genesis.ts';
import { loadOrCreateNodeKey } from './node-key.ts';

export const DEV_GENESIS_FILE = nodeAppPath('genesis/dev.json');
const ABT = 10n ** 18n;

/** Reads TLS_CERT_FILE and TLS_KEY_FILE (both or neither), saying which file could not be read. */
export async function loadTls(env: {
  TLS_CERT_FILE?: string | undefined;
  TLS_KEY_FILE?: string | undefined;
}): Promise<{ tls?: TlsOptions }> {
  if (!env.TLS_CERT_FILE && !env.TLS_KEY_FILE) return {};
  if (!env.TLS_CERT_FILE || !env.TLS_KEY_FILE) throw new Error('Set both TLS_CERT_FILE and TLS_KEY_FILE for HTTPS, or neither.');
  const read = async (path: string, what: string) => {
    try {
      return await readFile(path, 'utf8');
    } catch (error) {
      throw new Error(`Cannot read the TLS ${what} ${path}: ${(error as Error).message}`);
    }
  };
  return { tls: { cert: await read(env.TLS_CERT_FILE, 'certificate'), key: await read(env.TLS_KEY_FILE, 'key') } };
}

/** Turns the parsed environment into node options (reading the genesis and key files). */
export async function nodeOptionsFromEnv(env: Env): Promise<NodeOptions> {
  const dataDir = resolve(env.DATA_DIR);
  const genesis = await loadGenesisFile(env.GENESIS_FILE ?? DEV_GENESIS_FILE);
  const ocapChains = (await loadOcapConfig(env)).chains;
  // `npm start`: on a dev ledger that reaches an Ethereum chain (anvil), the bridge runs with the dev signers.
  const ethereum = ocapChains.find((c) => c.adapter === 'ethereum');
  const bridge = isDevChain(genesis.chainId) && ethereum && env.DEV_BRIDGE !== 'off' ? { bridge: devBridgeOptions(ethereum.name) } : {};
  return {
    ...bridge,
    database: env.DATABASE_URL
      ? { kind: 'postgres', url: env.DATABASE_URL }
      : { kind: 'pglite', dataDir: join(dataDir, 'pglite'), sharedBuffersMb: env.PGLITE_SHARED_BUFFERS_MB },
    genesis,
    ...(env.SNAPSHOT_FILE ? { snapshotFile: resolve(env.SNAPSHOT_FILE) } : {}),
    ...(env.FOLLOW_URL ? { follow: { url: env.FOLLOW_URL.replace(/\/+$/, '') } } : {}),
    consensus: {
      peers: env.CONSENSUS_PEERS.split(',')
        .map((u) => u.trim().replace(/\/+$/, ''))
        .filter((u) => u !== ''),
      faultInjection: env.ARC_FAULT_INJECTION === 'on',
    },
    ...cloudFromEnv(env),
    nodeKey: await loadOrCreateNodeKey(env.NODE_KEY_FILE ?? join(dataDir, 'node-key.json')),
    host: env.HOST,
    port: env.PORT,
    blockIntervalMs: env.BLOCK_INTERVAL_MS,
    mempool: { maxTxs: env.MEMPOOL_MAX_TXS, maxPerAccount: env.MEMPOOL_MAX_PER_ACCOUNT, ttlMs: env.MEMPOOL_TTL_MS },
    ledgerLimits: {
      rejections: {
        ...REJECTION_LIMITS_DEFAULT,
        burstMax: env.REJECTED_TX_BURST_PER_ACCOUNT,
        refillPerMinute: env.REJECTED_TX_REFILL_PER_MINUTE,
      },
      txWaiters: { ...TX_WAITER_LIMITS_DEFAULT, max: env.TX_WAITERS_MAX },
      trie: { cacheMb: env.TRIE_CACHE_MB, retainBlocks: env.TRIE_RETAIN_BLOCKS },
    },
    verifyThreads: env.VERIFY_THREADS,
    faucet: { amount: BigInt(env.FAUCET_AMOUNT_ABT) * ABT, intervalMs: env.FAUCET_INTERVAL_MS },
    seedDemo: env.SEED_DEMO === 'auto',
    sandboxStart: env.BLOCKLET_WORKERS_START,
    ocapChains,
    ...(await loadTls(env)),
    corsOrigins: env.CORS_ORIGINS,
    gateway: {
      limits: gatewayLimitsFromEnv(env),
      ...(env.REDIS_URL ? { redis: { url: env.REDIS_URL, keyPrefix: env.REDIS_KEY_PREFIX } } : {}),
    },
    protocols: protocolOptionsFromEnv(env),
    retention: {
      logsDays: env.RETENTION_LOGS_DAYS,
      invocationsDays: env.RETENTION_INVOCATIONS_DAYS,
      rejectedTxsDays: env.RETENTION_REJECTED_TXS_DAYS,
      batchRowsMax: env.RETENTION_BATCH_ROWS,
      intervalMs: env.RETENTION_INTERVAL_MS,
    },
    blockletHttp: {
      activeContent: env.BLOCKLET_ACTIVE_CONTENT,
      ratePerSec: env.BLOCKLET_HTTP_RATE_PER_SEC,
      rateBurst: env.BLOCKLET_HTTP_BURST,
    },
    blocklets: {
      privateTargets: parsePrivateTargets(env.BLOCKLET_FETCH_ALLOW_PRIVATE),
      trustedPublishers: env.BLOCKLET_TRUSTED_PUBLISHERS.split(',')
        .map((n) => n.trim())
        .filter((n) => n !== ''),
    },
  };
}

/** ARC_PROCESS: one process of a cloud node, which needs the PostgreSQL and the Redis its processes share. */
function cloudFromEnv(env: Env): Pick<NodeOptions, 'cloud'> {
  if (!env.ARC_PROCESS) return {};
  if (!env.DATABASE_URL || !env.REDIS_URL) {
    throw new Error('ARC_PROCESS (a process of a cloud node) needs DATABASE_URL and REDIS_URL: its processes share both');
  }
  if (env.FOLLOW_URL) throw new Error('ARC_PROCESS and FOLLOW_URL cannot go together: a cloud node produces its own chain');
  const leaseMs = env.ARC_LEASE_MS;
  return { cloud: { process: env.ARC_PROCESS, lease: { leaseMs, renewEveryMs: Math.round(leaseMs / 4) } } };
}

/** The MQTT broker, MQTT bridge and DDP settings of the environment. */
export function protocolOptionsFromEnv(env: Env): ProtocolOptions {
  const options: ProtocolOptions = { ddp: env.DDP_ENABLED === 'true' };
  if (env.MQTT_PORT !== 'off') options.mqtt = { host: env.HOST, port: env.MQTT_PORT };
  if (env.MQTT_BRIDGE_URL) {
    const filters = parseBridgeFilters(env.MQTT_BRIDGE_TOPICS ?? '');
    if (filters.length === 0 || !env.MQTT_BRIDGE_API_KEY)
      throw new Error(
        'MQTT_BRIDGE_URL needs MQTT_BRIDGE_TOPICS (comma-separated MQTT filters) and MQTT_BRIDGE_API_KEY (an application API key).',
      );
    options.mqttBridge = {
      url: env.MQTT_BRIDGE_URL,
      filters,
      apiKey: env.MQTT_BRIDGE_API_KEY,
      importAs: env.MQTT_BRIDGE_IMPORT_AS,
      ...(env.MQTT_BRIDGE_USERNAME === undefined ? {} : { username: env.MQTT_BRIDGE_USERNAME }),
      ...(env.MQTT_BRIDGE_PASSWORD === undefined ? {} : { password: env.MQTT_BRIDGE_PASSWORD }),
    };
  }
  return options;
}
