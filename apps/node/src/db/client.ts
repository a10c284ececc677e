import type { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { nodeAppPath } from '../paths.ts';
import { openPglite, type StorageStatus } from './pglite.ts';
import * as schema from './schema.ts';

export type Row = Record<string, unknown>;

/** Raw SQL with positional parameters; the hot write path uses this for set-based statements. */
export interface Sql {
  query<T = Row>(text: string, params?: unknown[]): Promise<T[]>;
}

export type Drizzle = ReturnType<typeof drizzlePglite<typeof schema>> | ReturnType<typeof drizzlePostgres<typeof schema>>;

/** The node's database: PGlite in a data folder, or a PostgreSQL server through postgres.js. */
export interface Database extends Sql {
  readonly kind: 'pglite' | 'postgres';
  readonly drizzle: Drizzle;
  /** Runs fn in one database transaction (serializable writes come from the one block producer). */
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
  /**
   * Why the storage cannot take writes right now (a PGlite folder that failed a write or a sync), or
   * null. Answered from memory: /health must not wait on a database that is stuck.
   */
  storageStatus(): StorageStatus | null;
  /**
   * After the storage recovers, `check` runs on the reopened database before it serves again; a sentence it
   * returns keeps the database refused (a commit whose sync failed may be on disk although it was reported failed).
   */
  setRecoveryCheck?(check: (sql: Sql) => Promise<string | null>): void;
  /**
   * PostgreSQL shared by the processes of a cloud node: calls `fn` with each NOTIFY on `channel` (from any process,
   * delivered on commit); answers how to stop listening. `onListen` runs each time the listening connection is
   * (re)established: notifications sent while it was down are lost, so a listener that keeps caches drops them then.
   * Absent on PGlite (one process).
   */
  listen?(channel: string, fn: (payload: string) => void, onListen?: () => void): Promise<() => Promise<void>>;
  /** Runs `fn` while holding the advisory lock `name` on a connection of its own (processes of a cloud node take turns). */
  exclusive?<T>(name: string, fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export type { StorageStatus } from './pglite.ts';
export { StorageUnavailable } from './pglite.ts';

/**
 * `shared`: the database of a cloud node, opened by each of its processes (cloud/README.md): no lock of one node per
 * database, and the migrations run under an advisory lock, one process at a time.
 */
export type DatabaseTarget = { kind: 'postgres'; url: string; shared?: boolean } | { kind: 'pglite'; dataDir: string | null };

const MIGRATIONS = nodeAppPath('drizzle');
const POOL_MAX_CONNECTIONS = 10;
const STATEMENT_TIMEOUT_MS = 30_000;
/** The advisory lock key a node holds on its database (any fixed 64-bit number; this spells "arcnode"). */
const NODE_LOCK_KEY = 0x6172636e6f6465n.toString();
/** Held while a process of a cloud node migrates the shared database ("arcmigr"). */
const MIGRATE_LOCK_KEY = 0x6172636d696772n.toString();

async function openPostgres(url: string, shared: boolean): Promise<Database> {
  const client = postgres(url, {
    max: POOL_MAX_CONNECTIONS,
    onnotice: () => undefined,
    connection: { statement_timeout: STATEMENT_TIMEOUT_MS },
  });
  // One node per database: a session advisory lock, held on a reserved connection until close. The processes of a
  // cloud node share theirs, and take turns to migrate it.
  const holder = await client.reserve();
  const lockKey = shared ? MIGRATE_LOCK_KEY : NODE_LOCK_KEY;
  const [lock] = shared
    ? await holder`SELECT pg_advisory_lock(${lockKey}::bigint) IS NOT NULL AS locked`
    : await holder`SELECT pg_try_advisory_lock(${lockKey}::bigint) AS locked`;
  if (!lock?.locked) {
    holder.release();
    await client.end({ timeout: 5 });
    throw new Error('another node is using this PostgreSQL database; stop it or point DATABASE_URL at another database');
  }
  const db = drizzlePostgres(client, { schema });
  try {
    await migratePostgres(db, { migrationsFolder: MIGRATIONS });
  } finally {
    if (shared) await holder`SELECT pg_advisory_unlock(${lockKey}::bigint)`;
  }
  return {
    kind: 'postgres',
    drizzle: db,
    query: async (text, params) => (await client.unsafe(text, params as never[])) as never,
    storageStatus: () => null,
    transaction: async (fn) =>
      (await client.begin((tx) => fn({ query: async (text, params) => (await tx.unsafe(text, params as never[])) as never }))) as never,
    exclusive: async (name, fn) => {
      const session = await client.reserve();
      try {
        await session`SELECT pg_advisory_lock(hashtext(${name}))`;
        try {
          return await fn();
        } finally {
          await session`SELECT pg_advisory_unlock(hashtext(${name}))`;
        }
      } finally {
        session.release();
      }
    },
    listen: async (channel, fn, onListen) => {
      const { unlisten } = await client.listen(channel, fn, onListen);
      return unlisten;
    },
    close: async () => {
      holder.release();
      await client.end({ timeout: 5 });
    },
  };
}

/** Opens the database and applies the committed migrations; `log` hears of storage faults and recoveries. */
export async function openDatabase(target: DatabaseTarget, log: (line: string) => void = (line) => console.log(line)): Promise<Database> {
  return target.kind === 'postgres' ? openPostgres(target.url, target.shared === true) : openPglite(target.dataDir, MIGRATIONS, log);
}
