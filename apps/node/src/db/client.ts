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
  /**
   * A cloud node's block commits: on a connection of their own that PostgreSQL cuts off when a transaction on it sits
   * idle past a bound (a producer paused mid-commit must not hold its locks from the next one), and whose sessions
   * are read-only unless a transaction says otherwise, so nothing of a cut-off transaction can run outside it.
   */
  blockTransaction?<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export type { StorageStatus } from './pglite.ts';
export { StorageUnavailable } from './pglite.ts';

/**
 * `shared`: the database of a cloud node, opened by each of its processes (cloud/README.md): no lock of one node per
 * database, and the migrations run under an advisory lock, one process at a time.
 */
export type DatabaseTarget =
  | { kind: 'postgres'; url: string; shared?: SharedDatabase }
  | { kind: 'pglite'; dataDir: string | null; sharedBuffersMb?: number };

const MIGRATIONS = nodeAppPath('drizzle');
const POOL_MAX_CONNECTIONS = 10;
const STATEMENT_TIMEOUT_MS = 30_000;
/** The advisory lock key a node holds on its database (any fixed 64-bit number; this spells "arcnode"). */
const NODE_LOCK_KEY = 0x6172636e6f6465n.toString();
/** Held while a process of a cloud node migrates the shared database ("arcmigr"). */
const MIGRATE_LOCK_KEY = 0x6172636d696772n.toString();

/** A cloud node's process on the shared database: how long its block commits may idle, and its name. */
export interface SharedDatabase {
  idleInTransactionMs: number;
  process: string;
}

/** The application_name of a cloud node's block-commit connections; the process's name follows. */
export const BLOCK_COMMITS_APPLICATION = 'arc-block-commits:';

async function openPostgres(url: string, shared: SharedDatabase | null): Promise<Database> {
  const client = postgres(url, {
    max: POOL_MAX_CONNECTIONS,
    onnotice: () => undefined,
    connection: { statement_timeout: STATEMENT_TIMEOUT_MS },
  });
  // One node per database: a session advisory lock, held on a reserved connection until close. The processes of a
  // cloud node share theirs, and take turns to migrate it.
  const holder = await client.reserve();
  const lockKey = shared !== null ? MIGRATE_LOCK_KEY : NODE_LOCK_KEY;
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
    if (shared !== null) await holder`SELECT pg_advisory_unlock(${lockKey}::bigint)`;
  }
  // porsager/postgres#1133: after the server cuts a connection off mid-transaction, the transaction's next statements
  // may run on a new connection outside it. On this one every session is read-only by default, so they fail instead.
  const blocks =
    shared === null
      ? null
      : postgres(url, {
          max: 1,
          onnotice: () => undefined,
          connection: {
            statement_timeout: STATEMENT_TIMEOUT_MS,
            idle_in_transaction_session_timeout: shared.idleInTransactionMs,
            application_name: `${BLOCK_COMMITS_APPLICATION}${shared.process}`,
            default_transaction_read_only: true,
          },
        });
  // drizzle adjusts its client's type parsers and serializers (jsonb among them): the same for this one.
  if (blocks) drizzlePostgres(blocks, { schema });
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
    ...(blocks
      ? {
          blockTransaction: async (fn) =>
            (await blocks.begin(async (tx) => {
              await tx.unsafe('SET TRANSACTION READ WRITE');
              return fn({ query: async (text, params) => (await tx.unsafe(text, params as never[])) as never });
            })) as never,
        }
      : {}),
    listen: async (channel, fn, onListen) => {
      const { unlisten } = await client.listen(channel, fn, onListen);
      return unlisten;
    },
    close: async () => {
      holder.release();
      await blocks?.end({ timeout: 5 });
      await client.end({ timeout: 5 });
    },
  };
}

/** Opens the database and applies the committed migrations; `log` hears of storage faults and recoveries. */
export async function openDatabase(target: DatabaseTarget, log: (line: string) => void = (line) => console.log(line)): Promise<Database> {
  return target.kind === 'postgres'
    ? openPostgres(target.url, target.shared ?? null)
    : openPglite(target.dataDir, MIGRATIONS, log, target.sharedBuffersMb);
}
