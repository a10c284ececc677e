import { existsSync } from 'node:fs';
import { open, readdir, rename, rm, rmdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import type { Database, Sql } from './client.ts';
import { lockDataDir } from './lock.ts';
import { DurableNodeFS, type StorageFault } from './pglite-fs.ts';
import * as schema from './schema.ts';

/**
 * PostgreSQL's start parameters in PGlite, with fsync on: PGlite's defaults carry `-F` (fsync off).
 * `wal_sync_method=fsync` because PGlite's fdatasync is a no-op, while its fsync reaches DurableNodeFS.
 */
/**
 * Durable writes (fsync on). Checkpoints less often than PostgreSQL's defaults (1 GB of WAL or 5 min) and full-page
 * images compressed: after each checkpoint the first change to a page writes the whole page to the WAL, and a large
 * state's random trie and account writes touch a new page nearly every row (bench:scale at 100k accounts: +11% tx/s).
 * The cost is a longer replay after a crash (at most 2 GB of WAL); a clean stop checkpoints.
 */
const DURABLE_START_PARAMS = [
  ...PGlite.defaultStartParams.filter((p) => p !== '-F'),
  ...['-c', 'fsync=on', '-c', 'wal_sync_method=fsync'],
  ...['-c', 'max_wal_size=2GB', '-c', 'checkpoint_timeout=15min', '-c', 'wal_compression=on'],
];
/**
 * PostgreSQL's buffer cache in a PGlite folder, in MB, unless the node is told otherwise (PGLITE_SHARED_BUFFERS_MB):
 * PostgreSQL's own default. Opening a folder sets the whole cache up: opening a migrated folder took 0.8–1.0 s of CPU
 * at 128 MB, 0.4 s at 16 MB and 4.3 s at 1024 MB on a 2-core machine; a large state reads less through the file
 * layer with more.
 */
export const PGLITE_SHARED_BUFFERS_MB_DEFAULT = 128;
/** PGlite runs in 32-bit WebAssembly memory: at 2048 MB it aborts while starting, at 1024 it opens. */
export const PGLITE_SHARED_BUFFERS_MB_MAX = 1024;
/** Reopening the folder after a storage fault: the first wait, doubled after each failed attempt up to the max. */
export const STORAGE_RETRY_FIRST_MS = 1000;
export const STORAGE_RETRY_MAX_MS = 30_000;

/** Why the database cannot take writes now, for /health and for every call refused meanwhile. */
export interface StorageStatus {
  error: string;
  sinceMs: number;
  /** The next attempt to reopen the database (ms since the epoch); null when only a restart of the node helps. */
  retryAtMs: number | null;
}

/** A storage fault: the call was not applied (or, for a COMMIT that failed in its sync, may be on disk; see retries). */
export class StorageUnavailable extends Error {
  constructor(readonly status: StorageStatus) {
    super(
      `the database's storage failed (${status.error}); ${status.retryAtMs === null ? 'the node must be restarted' : 'the node retries by reopening it'}`,
    );
    this.name = 'StorageUnavailable';
  }
}

interface Instance {
  pg: PGlite;
  fs: DurableNodeFS | null;
}

async function startInstance(dataDir: string | null, sharedBuffersMb: number): Promise<Instance> {
  if (dataDir === null) {
    const pg = new PGlite({ extensions: { pg_trgm } });
    await pg.waitReady;
    return { pg, fs: null };
  }
  const fs = new DurableNodeFS(dataDir);
  const startParams = [...DURABLE_START_PARAMS, '-c', `shared_buffers=${sharedBuffersMb}MB`];
  const pg = new PGlite({ fs, startParams, extensions: { pg_trgm } });
  try {
    await pg.waitReady;
  } catch (error) {
    fs.releaseFiles();
    throw error;
  }
  return { pg, fs };
}

/**
 * The node's database in a PGlite folder. Every commit is synced to disk before it returns (see
 * DurableNodeFS). After a storage fault the instance is dropped unused (its PostgreSQL state is
 * undefined), every call fails fast with StorageUnavailable, and the folder is reopened with backoff,
 * which replays the WAL as PostgreSQL does after a crash.
 */
class PgliteDatabase implements Database {
  readonly kind = 'pglite' as const;
  readonly drizzle: Database['drizzle'];
  private status: StorageStatus | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private retryDelayMs = STORAGE_RETRY_FIRST_MS;
  private closed = false;
  private recoveryCheck: ((sql: Sql) => Promise<string | null>) | null = null;

  constructor(
    private instance: Instance | null,
    private readonly dataDir: string | null,
    private readonly sharedBuffersMb: number,
    private readonly unlock: () => Promise<void>,
    private readonly log: (line: string) => void,
  ) {
    // Drizzle follows the current instance across reopens.
    const current = new Proxy({} as PGlite, {
      get: (_target, property) => {
        const pg = this.live().pg as unknown as Record<string | symbol, unknown>;
        const value = pg[property];
        return typeof value === 'function' ? value.bind(pg) : value;
      },
    });
    this.drizzle = drizzlePglite(current, { schema });
  }

  storageStatus(): StorageStatus | null {
    return this.status;
  }

  setRecoveryCheck(check: (sql: Sql) => Promise<string | null>): void {
    this.recoveryCheck = check;
  }

  query<T>(text: string, params?: unknown[]): Promise<T[]> {
    return this.run(async (pg) => (await pg.query(text, params)).rows as T[]);
  }

  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
    return this.run((pg) =>
      pg.transaction((tx) => fn({ query: async <R>(text: string, params?: unknown[]) => (await tx.query(text, params)).rows as R[] })),
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const instance = this.instance;
    this.instance = null;
    try {
      // A faulted instance is never run again (closing it would run its PostgreSQL); its files are just closed.
      if (instance && !instance.fs?.fault) await instance.pg.close();
      else instance?.fs?.releaseFiles();
    } finally {
      await this.unlock();
    }
  }

  private live(): Instance {
    if (this.status) throw new StorageUnavailable(this.status);
    if (!this.instance) throw new Error('the database is closed');
    return this.instance;
  }

  private async run<T>(call: (pg: PGlite) => Promise<T>): Promise<T> {
    const instance = this.live();
    try {
      return await call(instance.pg);
    } catch (error) {
      const fault = instance.fs?.fault;
      if (!fault) throw error;
      if (this.instance === instance) this.failed(fault);
      throw new StorageUnavailable(this.status ?? { error: fault.message, sinceMs: Date.now(), retryAtMs: Date.now() });
    }
  }

  private failed(fault: StorageFault): void {
    this.instance?.fs?.releaseFiles();
    this.instance = null;
    const now = Date.now();
    this.retryDelayMs = STORAGE_RETRY_FIRST_MS;
    this.status = { error: fault.message, sinceMs: now, retryAtMs: now + this.retryDelayMs };
    this.log(
      `database: ${fault.message}; every write is refused until the folder takes writes again (retrying in ${this.retryDelayMs} ms)`,
    );
    this.scheduleReopen();
  }

  private scheduleReopen(): void {
    if (this.closed || !this.status) return;
    this.retryTimer = setTimeout(() => void this.reopen(), this.retryDelayMs);
  }

  private async reopen(): Promise<void> {
    this.retryTimer = null;
    if (this.closed || !this.status) return;
    let instance: Instance | null = null;
    let problem: string | null;
    try {
      instance = await startInstance(this.dataDir, this.sharedBuffersMb);
      const pg = instance.pg;
      problem = this.recoveryCheck
        ? await this.recoveryCheck({ query: async (text, params) => (await pg.query(text, params)).rows as never })
        : null;
    } catch (error) {
      // A fault during the check: the new instance is dropped unused like the first.
      instance?.fs?.releaseFiles();
      if (this.closed) return;
      this.retryDelayMs = Math.min(this.retryDelayMs * 2, STORAGE_RETRY_MAX_MS);
      this.status = { ...this.status, error: (error as Error).message, retryAtMs: Date.now() + this.retryDelayMs };
      this.log(`database: reopening failed (${(error as Error).message}); retrying in ${this.retryDelayMs} ms`);
      this.scheduleReopen();
      return;
    }
    if (this.closed || problem !== null) await instance.pg.close();
    if (this.closed) return;
    if (problem !== null) {
      // The reopened database disagrees with what this process holds in memory: only a restart reconciles them.
      this.status = { error: problem, sinceMs: this.status.sinceMs, retryAtMs: null };
      this.log(`database: reopened, but ${problem}`);
      return;
    }
    this.instance = instance;
    this.log(`database: reopened after the storage error (${this.status.error}); writes resume`);
    this.status = null;
  }
}

/** Opens (creating and migrating when new) a PGlite database; null keeps it in memory. */
export async function openPglite(
  dataDir: string | null,
  migrationsFolder: string,
  log: (line: string) => void,
  sharedBuffersMb = PGLITE_SHARED_BUFFERS_MB_DEFAULT,
): Promise<Database> {
  const unlock = dataDir === null ? async () => undefined : await lockDataDir(dataDir);
  try {
    if (dataDir !== null && !existsSync(join(dataDir, 'PG_VERSION'))) {
      await initPgliteAtomically(dataDir, migrationsFolder, sharedBuffersMb);
    }
    const instance = await startInstance(dataDir, sharedBuffersMb);
    const db = new PgliteDatabase(instance, dataDir, sharedBuffersMb, unlock, log);
    try {
      await migratePglite(drizzlePglite(instance.pg, { schema }), { migrationsFolder });
    } catch (error) {
      await db.close();
      throw error;
    }
    return db;
  } catch (error) {
    await unlock();
    throw error;
  }
}

/**
 * A new PGlite database is created and migrated in a staging folder, synced, then renamed into place:
 * creating one is many file writes outside any transaction, and a start killed halfway (or a power
 * loss) must not leave a folder that looks like a database.
 */
async function initPgliteAtomically(dataDir: string, migrationsFolder: string, sharedBuffersMb: number): Promise<void> {
  const staging = `${dataDir}.init`;
  await rm(staging, { recursive: true, force: true }); // what a start killed during creation left
  const { pg } = await startInstance(staging, sharedBuffersMb);
  await migratePglite(drizzlePglite(pg, { schema }), { migrationsFolder });
  await pg.close();
  await syncTree(staging);
  if (existsSync(dataDir)) {
    if ((await readdir(dataDir)).length > 0) {
      throw new Error(`${dataDir} is not empty but holds no database; move it away or choose another DATA_DIR`);
    }
    await rmdir(dataDir);
  }
  await rename(staging, dataDir);
  await syncPath(dirname(dataDir));
}

/** fsyncs every file and folder under root (initdb writes its files without syncing them). */
async function syncTree(root: string): Promise<void> {
  for (const entry of await readdir(root, { withFileTypes: true })) {
    const path = join(root, entry.name);
    if (entry.isDirectory()) await syncTree(path);
    else if (entry.isFile()) await syncPath(path);
  }
  await syncPath(root);
}

async function syncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
