import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type GenesisConfig, keyPairFromSeed, toHex } from '@arc/core';
import postgres from 'postgres';
import { devKey } from './config/dev-keys.ts';
import { parseEnv } from './config/env.ts';
import { loadGenesisFile } from './config/genesis.ts';
import { DEV_GENESIS_FILE } from './config/node-options.ts';
import { type DatabaseTarget, openDatabase } from './db/client.ts';
import { type NodeOptions, type RunningNode, startNode } from './node.ts';

/**
 * Test harness: real nodes on real databases. Each test node gets a database of its own (a fresh
 * PGlite folder, or a new database on the PostgreSQL server of DATABASE_URL) and drops it after.
 */
export type TestDriver = 'pglite' | 'postgres';

/** PGlite always; PostgreSQL too when DATABASE_URL is set (CI sets it). */
export function testDrivers(): TestDriver[] {
  return process.env.DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
}

export interface TestDatabase {
  target: DatabaseTarget;
  drop(): Promise<void>;
}

/** Where vitest's global setup left a migrated PGlite folder for every test process to copy (test/global-setup.ts). */
export const PGLITE_TEMPLATE_ENV = 'ARC_TEST_PGLITE_TEMPLATE';

/**
 * Creates a PGlite folder through the node's own path (openDatabase: initdb, migrations, every file synced) and
 * closes it. Creating one takes seconds; copying a closed one a tenth of that, and the copy is byte for byte what
 * a node's first start writes.
 */
export async function createPgliteTemplate(): Promise<{ dir: string; remove(): void }> {
  const parent = await mkdtemp(join(tmpdir(), 'arc-template-'));
  const dir = join(parent, 'db');
  const db = await openDatabase({ kind: 'pglite', dataDir: dir, sharedBuffersMb: testEnv().PGLITE_SHARED_BUFFERS_MB }, () => undefined);
  await db.close();
  return { dir, remove: () => rmSync(parent, { recursive: true, force: true }) };
}

let processTemplate: Promise<string> | null = null;

/**
 * What a test node takes from the environment as a node would: PGLITE_SHARED_BUFFERS_MB and BLOCKLET_WORKERS_START.
 * The suite's global setup sets a small buffer cache (test databases are small, and opening a folder costs CPU in
 * proportion to its cache) and sandbox workers started at the first blocklet call (most test nodes never make one),
 * so test nodes in process and child nodes alike start on less CPU; a bench run on its own keeps the node's defaults.
 */
function testEnv() {
  return parseEnv({
    PGLITE_SHARED_BUFFERS_MB: process.env.PGLITE_SHARED_BUFFERS_MB,
    BLOCKLET_WORKERS_START: process.env.BLOCKLET_WORKERS_START,
  });
}

/** The global setup's template, or (a test run outside vitest's setup) one this process makes once. */
function migratedPgliteTemplate(): Promise<string> {
  const shared = process.env[PGLITE_TEMPLATE_ENV];
  if (shared) return Promise.resolve(shared);
  processTemplate ??= createPgliteTemplate().then((template) => {
    process.once('exit', template.remove);
    return template.dir;
  });
  return processTemplate;
}

/** Where vitest's global setup left a migrated PostgreSQL database for test databases to copy (CREATE DATABASE … TEMPLATE). */
export const POSTGRES_TEMPLATE_ENV = 'ARC_TEST_POSTGRES_TEMPLATE';

/**
 * Creates a PostgreSQL database on DATABASE_URL's server through the node's own path (openDatabase: migrations) and
 * closes every connection to it, so test databases can be made as its copies: a copy takes a tenth of the time the
 * migrations do. The name is this run's own (servers are shared); `remove` drops it.
 */
export async function createPostgresTemplate(adminUrl: string): Promise<{ name: string; remove(): Promise<void> }> {
  const name = `arc_template_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => undefined });
  try {
    await admin.unsafe(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const db = await openDatabase({ kind: 'postgres', url: url.toString() }, () => undefined);
  await db.close();
  return {
    name,
    remove: async () => {
      const again = postgres(adminUrl, { max: 1, onnotice: () => undefined });
      await again.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).finally(() => again.end());
    },
  };
}

/**
 * A new empty database for one test (or one crash-test run). Without a folder named, a PGlite database starts as
 * a copy of this process's migrated template; a named folder is created from nothing, as a node's first start does.
 * A PostgreSQL database is a copy of the run's migrated template when there is one, unless `empty` asks for one
 * created from nothing (a first start's migrations).
 */
export async function createTestDatabase(driver: TestDriver, dataDir?: string, options: { empty?: boolean } = {}): Promise<TestDatabase> {
  if (driver === 'pglite') {
    let dir = dataDir;
    if (dir === undefined) {
      const template = await migratedPgliteTemplate();
      dir = await mkdtemp(join(tmpdir(), 'arc-test-'));
      await cp(template, dir, { recursive: true });
    }
    const drop = async () => {
      for (const path of [dir, `${dir}.lock`, `${dir}.init`]) await rm(path, { recursive: true, force: true });
    };
    return { target: { kind: 'pglite', dataDir: dir, sharedBuffersMb: testEnv().PGLITE_SHARED_BUFFERS_MB }, drop };
  }
  const adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) throw new Error('DATABASE_URL is not set; the postgres driver needs a server');
  const name = `arc_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const template = options.empty ? undefined : process.env[POSTGRES_TEMPLATE_ENV];
  const admin = postgres(adminUrl, { max: 1, onnotice: () => undefined });
  await admin.unsafe(template ? `CREATE DATABASE ${name} TEMPLATE ${template}` : `CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    target: { kind: 'postgres', url: url.toString() },
    drop: async () => {
      const again = postgres(adminUrl, { max: 1, onnotice: () => undefined });
      await again.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await again.end();
    },
  };
}

/** The dev genesis that test nodes start from (the faucet and demo accounts are funded). */
export async function testGenesis(): Promise<GenesisConfig> {
  return loadGenesisFile(DEV_GENESIS_FILE);
}

export interface TestNode extends RunningNode {
  chainId: string;
  driver: TestDriver;
  /** A funded account whose key the test may use (the dev faucet account). */
  funded: { did: string; secretKey: string };
  /** Stops the node and drops its database. */
  stop(): Promise<void>;
}

/** Starts a node on a fresh database, listening on a free loopback port. */
export async function startTestNode(overrides: Partial<NodeOptions> & { driver?: TestDriver } = {}): Promise<TestNode> {
  const driver = overrides.driver ?? 'pglite';
  // A caller that brings its own database also keeps it; otherwise the node gets a fresh one.
  const database: TestDatabase = overrides.database
    ? { target: overrides.database, drop: async () => undefined }
    : await createTestDatabase(driver);
  const genesis = overrides.genesis ?? (await testGenesis());
  const node = await startNode({
    database: database.target,
    genesis,
    nodeKey: keyPairFromSeed(randomBytes(32)),
    host: '127.0.0.1',
    port: 0,
    blockIntervalMs: 2000,
    mempool: { maxTxs: 10_000, ttlMs: 60_000 },
    verifyThreads: 1,
    faucet: { amount: 100n * 10n ** 18n, intervalMs: 0 },
    seedDemo: false,
    ocapChains: [{ name: 'arc', adapter: 'native' }],
    sandboxWorkers: 1,
    sandboxStart: testEnv().BLOCKLET_WORKERS_START,
    log: process.env.TEST_NODE_LOG ? (line: string) => console.log(line) : () => undefined,
    ...overrides,
  }).catch(async (error: unknown) => {
    await database.drop();
    throw error;
  });
  const faucet = devKey('faucet');
  return {
    ...node,
    chainId: genesis.chainId,
    driver,
    funded: { did: faucet.did, secretKey: toHex(faucet.secretKey) },
    stop: async () => {
      await node.close();
      await database.drop();
    },
  };
}
export { startTestBridge } from './testing-bridge.ts';
export { startTestFabric, TEST_FABRIC_COIN, TOKEN_CHAINCODE_DIR } from './testing-fabric.ts';
