import { z } from 'zod';
import { PGLITE_SHARED_BUFFERS_MB_DEFAULT, PGLITE_SHARED_BUFFERS_MB_MAX } from '../db/pglite.ts';
import { RETENTION_DEFAULTS } from '../db/retention.ts';
import { GATEWAY_ENV } from '../gateway/types.ts';
import { MEMPOOL_MAX_PER_ACCOUNT_DEFAULT } from '../ledger/mempool.ts';
import { REJECTION_LIMITS_DEFAULT } from '../ledger/rejection-limiter.ts';
import { TRIE_LIMITS_DEFAULT } from '../ledger/state-trie.ts';
import { TX_WAITER_LIMITS_DEFAULT } from '../ledger/tx-waiters.ts';
import { SANDBOX_STARTS } from '../runtime/sandbox/deferred.ts';
import { DEFAULT_BLOCKLET_HTTP } from '../runtime/triggers/http.ts';
import { CorsOriginsSchema } from './cors.ts';

/** Every environment variable the node reads, parsed once. Nothing else reads process.env. */
const EnvSchema = z.object({
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z.string().url().optional(),
  /** PostgreSQL's buffer cache in the PGlite folder, in MB (unused with DATABASE_URL). */
  PGLITE_SHARED_BUFFERS_MB: z.coerce
    .number()
    .int()
    .min(1)
    .max(PGLITE_SHARED_BUFFERS_MB_MAX, `at most ${PGLITE_SHARED_BUFFERS_MB_MAX}: PGlite's WebAssembly memory holds no more`)
    .default(PGLITE_SHARED_BUFFERS_MB_DEFAULT),
  GENESIS_FILE: z.string().optional(),
  /** A state snapshot (GET /snapshot of another node) an empty database starts from instead of genesis. */
  SNAPSHOT_FILE: z.string().min(1).optional(),
  /** Another node of the chain (its base URL) whose blocks this node imports instead of making its own. */
  FOLLOW_URL: z.url({ protocol: /^https?$/ }).optional(),
  NODE_KEY_FILE: z.string().optional(),
  /**
   * On a chain whose genesis lists validators: the other nodes' base URLs, comma-separated (http://127.0.0.1:8081,…).
   * Gossip dials their /gossip; catching up reads their block.raw (consensus/README.md).
   */
  CONSENSUS_PEERS: z
    .string()
    .max(10_000)
    .default('')
    .refine(
      (v) => v.split(',').every((u) => u.trim() === '' || /^https?:\/\/[^\s,]+$/.test(u.trim())),
      'comma-separated http:// or https:// base URLs of the other nodes',
    ),
  /** `on`: `consensus.fault` may cut and heal this node's gossip (tests of a real cluster only). */
  ARC_FAULT_INJECTION: z.enum(['on', 'off']).default('off'),
  BLOCK_INTERVAL_MS: z.coerce.number().int().min(100).max(3_600_000).default(5000),
  MEMPOOL_MAX_TXS: z.coerce.number().int().min(1).max(1_000_000).default(50_000),
  MEMPOOL_TTL_MS: z.coerce.number().int().min(1000).default(600_000),
  /** Transactions of one account waiting in the mempool at once. */
  MEMPOOL_MAX_PER_ACCOUNT: z.coerce.number().int().min(1).max(100_000).default(MEMPOOL_MAX_PER_ACCOUNT_DEFAULT),
  /** Rejected transactions one account (or one address, for bad signatures) may run up before it is refused. */
  REJECTED_TX_BURST_PER_ACCOUNT: z.coerce.number().int().min(1).max(100_000).default(REJECTION_LIMITS_DEFAULT.burstMax),
  REJECTED_TX_REFILL_PER_MINUTE: z.coerce.number().min(0.01).max(1_000_000).default(REJECTION_LIMITS_DEFAULT.refillPerMinute),
  /** Open tx.wait calls on the node at once. */
  TX_WAITERS_MAX: z.coerce.number().int().min(1).max(1_000_000).default(TX_WAITER_LIMITS_DEFAULT.max),
  VERIFY_THREADS: z.coerce.number().int().min(0).max(64).default(2),
  /** State trie nodes kept in memory, in MB (the rest is read from the database when a block or a proof needs it). */
  TRIE_CACHE_MB: z.coerce.number().int().min(8).max(65_536).default(TRIE_LIMITS_DEFAULT.cacheMb),
  /** Recent blocks whose state roots stay provable; older trie nodes are pruned. */
  TRIE_RETAIN_BLOCKS: z.coerce.number().int().min(2).max(1_000_000).default(TRIE_LIMITS_DEFAULT.retainBlocks),
  SEED_DEMO: z.enum(['auto', 'off']).default('auto'),
  /** When the blocklet sandbox's worker processes start: once the node listens, or at the first blocklet call. */
  BLOCKLET_WORKERS_START: z.enum(SANDBOX_STARTS).default('listen'),
  /** `off`: no dev bridge to anvil on a dev chain (economy/bridge/dev.ts). */
  DEV_BRIDGE: z.enum(['auto', 'off']).default('auto'),
  FAUCET_AMOUNT_ABT: z.coerce.number().int().min(1).max(1_000_000).default(100),
  FAUCET_INTERVAL_MS: z.coerce.number().int().min(0).default(60_000),
  OCAP_CONFIG_FILE: z.string().min(1).optional(),
  ETHEREUM_RPC_URL: z.url({ protocol: /^https?$/ }).optional(),
  BITCOIN_RPC_URL: z.url({ protocol: /^https?$/ }).optional(),
  BITCOIN_RPC_USER: z.string().optional(),
  BITCOIN_RPC_PASSWORD: z.string().optional(),
  BITCOIN_NETWORK: z.enum(['regtest', 'testnet', 'mainnet']).optional(),
  /**
   * A Hyperledger Fabric chain `fabric` (ocap/fabric-config.ts): the gateway peer (host:port, grpc:// or grpcs://),
   * channel, chaincode (default token), MSP id, the identity's MSP folder (or certificate and key files), TLS CA.
   * The Fabric adapter checks the values; here they are only bounded.
   */
  FABRIC_GATEWAY_URL: z.string().max(300).optional(),
  FABRIC_CHANNEL: z.string().max(250).optional(),
  FABRIC_CHAINCODE: z.string().max(250).optional(),
  FABRIC_MSP_ID: z.string().max(256).optional(),
  FABRIC_MSP_DIR: z.string().max(4096).optional(),
  FABRIC_CERT_PATH: z.string().max(4096).optional(),
  FABRIC_KEY_PATH: z.string().max(4096).optional(),
  FABRIC_TLS_CA_PATH: z.string().max(4096).optional(),
  FABRIC_TLS_SERVER_NAME: z.string().max(253).optional(),
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
  /**
   * This process's name in a cloud node (cloud/README.md): set, the node shares DATABASE_URL and REDIS_URL with its
   * other processes, serves everything, and produces blocks while it holds the producer lease.
   */
  ARC_PROCESS: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits and _ . - only, at most 64')
    .optional(),
  /** How long the producer lease lasts unrenewed: a dead producer is replaced within about this (cloud/lease.ts). */
  ARC_LEASE_MS: z.coerce.number().int().min(500).max(60_000).default(3000),
  /** Keys and streams of one cluster in Redis; clusters sharing a Redis need different ones. */
  REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'letters, digits and _ . : - only, at most 64')
    .default('arc'),
  // The gateway's bounds, with their defaults and ranges (gateway/types.ts).
  ...GATEWAY_ENV,
  // The gateway's MQTT broker (`off` to disable), its bridge to an external broker, and DDP (gateway/PROTOCOLS.md).
  MQTT_PORT: z.union([z.literal('off'), z.coerce.number().int().min(0).max(65535)]).default(1884),
  MQTT_BRIDGE_URL: z.url({ protocol: /^mqtts?$/ }).optional(),
  /** Comma-separated MQTT filters bridged both ways, e.g. `app/z1abc/#`. */
  MQTT_BRIDGE_TOPICS: z.string().max(10_000).optional(),
  /** The API key of the application the bridge publishes as (from gateway.createApiKey). */
  MQTT_BRIDGE_API_KEY: z.string().max(400).optional(),
  MQTT_BRIDGE_USERNAME: z.string().max(200).optional(),
  MQTT_BRIDGE_PASSWORD: z.string().max(400).optional(),
  /**
   * Who imports are published as: `bridge` (authenticated, never the application: only where its rule admits
   * `authenticated` or `anyone`), or `owner` (as the application: trust everyone who can publish on the broker).
   */
  MQTT_BRIDGE_IMPORT_AS: z.enum(['bridge', 'owner']).default('bridge'),
  DDP_ENABLED: z.enum(['true', 'false']).default('true'),
  /**
   * Web pages that may call the node from a browser (tRPC, blocklet routes, Socket.io): `*` or comma-separated
   * origins. Default: the web app as `npm start` runs it (http://127.0.0.1:3000, http://localhost:3000).
   */
  CORS_ORIGINS: CorsOriginsSchema,
  /** HTTPS and WSS on PORT when both are set (PEM files). */
  TLS_CERT_FILE: z.string().min(1).optional(),
  TLS_KEY_FILE: z.string().min(1).optional(),
  // Retention of the records that grow with traffic (db/retention.ts); 0 days keeps a table forever.
  RETENTION_LOGS_DAYS: z.coerce.number().int().min(0).max(36_500).default(RETENTION_DEFAULTS.logsDays),
  RETENTION_INVOCATIONS_DAYS: z.coerce.number().int().min(0).max(36_500).default(RETENTION_DEFAULTS.invocationsDays),
  RETENTION_REJECTED_TXS_DAYS: z.coerce.number().int().min(0).max(36_500).default(RETENTION_DEFAULTS.rejectedTxsDays),
  RETENTION_BATCH_ROWS: z.coerce.number().int().min(1).max(100_000).default(RETENTION_DEFAULTS.batchRowsMax),
  RETENTION_INTERVAL_MS: z.coerce.number().int().min(1000).max(86_400_000).default(RETENTION_DEFAULTS.intervalMs),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  /** `allow`: blocklet routes whose manifest sets activeContent may serve scripts (HTML, SVG) on the node's origin. */
  BLOCKLET_ACTIVE_CONTENT: z.enum(['allow', 'deny']).default('deny'),
  /** Requests per second (and burst) one caller (DID, app, else IP address) may make to blocklet routes. */
  BLOCKLET_HTTP_RATE_PER_SEC: z.coerce.number().min(0.01).max(1_000_000).default(DEFAULT_BLOCKLET_HTTP.ratePerSec),
  BLOCKLET_HTTP_BURST: z.coerce.number().int().min(1).max(1_000_000).default(DEFAULT_BLOCKLET_HTTP.rateBurst),
  /** Non-public addresses a blocklet's ctx.fetch may reach: false (default), true, or comma-separated CIDRs. */
  BLOCKLET_FETCH_ALLOW_PRIVATE: z
    .string()
    .max(4000)
    .default('false')
    .refine((v) => /^(true|false|[0-9a-fA-F.:/, ]+)$/.test(v.trim()), 'true, false, or comma-separated CIDRs such as 10.0.0.0/8'),
  /** Comma-separated blocklet names that may publish on any topic their manifest lists (e.g. notification). */
  BLOCKLET_TRUSTED_PUBLISHERS: z
    .string()
    .max(4000)
    .regex(/^[a-z0-9, -]*$/, 'comma-separated blocklet names')
    .default(''),
});

export type Env = z.infer<typeof EnvSchema>;

/** Parses the environment or throws one sentence per bad variable. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = EnvSchema.safeParse(source);
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
  throw new Error(`Invalid environment; fix these variables:\n${lines.join('\n')}`);
}
