import { existsSync } from 'node:fs';
import { readdir, rename, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { lockDataDir } from './lock.ts';
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
  close(): Promise<void>;
}

export type DatabaseTarget = { kind: 'postgres'; url: string } | { kind: 'pglite'; dataDir: string | null };

const MIGRATIONS = fileURLToPath(new URL('../../drizzle', import.meta.url));
const POOL_MAX_CONNECTIONS = 10;
const STATEMENT_TIMEOUT_MS = 30_000;
/** The advisory lock key a node holds on its database (any fixed 64-bit number; this spells "arcnode"). */
const NODE_LOCK_KEY = 0x6172636e6f6465n.toString();

async function openPglite(dataDir: string | null): Promise<Database> {
  const unlock = dataDir === null ? async () => undefined : await lockDataDir(dataDir);
  try {
    if (dataDir !== null && !existsSync(join(dataDir, 'PG_VERSION'))) await initPgliteAtomically(dataDir);
    const pg = dataDir === null ? new PGlite() : new PGlite(dataDir);
    await pg.waitReady;
    const db = drizzlePglite(pg, { schema });
    await migratePglite(db, { migrationsFolder: MIGRATIONS });
    return {
      kind: 'pglite',
      drizzle: db,
      query: async (text, params) => (await pg.query(text, params)).rows as never,
      transaction: (fn) => pg.transaction((tx) => fn({ query: async (text, params) => (await tx.query(text, params)).rows as never })),
      close: async () => {
        await pg.close();
        await unlock();
      },
    };
  } catch (error) {
    await unlock();
    throw error;
  }
}

/**
 * A new PGlite database is created and migrated in a staging folder, then renamed into place:
 * creating one is many file writes outside any transaction, and a start killed halfway must not
 * leave a folder that looks like a database.
 */
async function initPgliteAtomically(dataDir: string): Promise<void> {
  const staging = `${dataDir}.init`;
  await rm(staging, { recursive: true, force: true }); // what a start killed during creation left
  const pg = new PGlite(staging);
  await pg.waitReady;
  await migratePglite(drizzlePglite(pg, { schema }), { migrationsFolder: MIGRATIONS });
  await pg.close();
  if (existsSync(dataDir)) {
    if ((await readdir(dataDir)).length > 0) {
      throw new Error(`${dataDir} is not empty but holds no database; move it away or choose another DATA_DIR`);
    }
    await rmdir(dataDir);
  }
  await rename(staging, dataDir);
}

async function openPostgres(url: string): Promise<Database> {
  const client = postgres(url, {
    max: POOL_MAX_CONNECTIONS,
    onnotice: () => undefined,
    connection: { statement_timeout: STATEMENT_TIMEOUT_MS },
  });
  // One node per database: a session advisory lock, held on a reserved connection until close.
  const holder = await client.reserve();
  const [lock] = await holder`SELECT pg_try_advisory_lock(${NODE_LOCK_KEY}::bigint) AS locked`;
  if (!lock?.locked) {
    holder.release();
    await client.end({ timeout: 5 });
    throw new Error('another node is using this PostgreSQL database; stop it or point DATABASE_URL at another database');
  }
  const db = drizzlePostgres(client, { schema });
  await migratePostgres(db, { migrationsFolder: MIGRATIONS });
  return {
    kind: 'postgres',
    drizzle: db,
    query: async (text, params) => (await client.unsafe(text, params as never[])) as never,
    transaction: async (fn) =>
      (await client.begin((tx) => fn({ query: async (text, params) => (await tx.unsafe(text, params as never[])) as never }))) as never,
    close: async () => {
      holder.release();
      await client.end({ timeout: 5 });
    },
  };
}

/** Opens the database and applies the committed migrations. */
export async function openDatabase(target: DatabaseTarget): Promise<Database> {
  return target.kind === 'postgres' ? openPostgres(target.url) : openPglite(target.dataDir);
}
