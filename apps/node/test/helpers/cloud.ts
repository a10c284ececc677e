import { randomBytes } from 'node:crypto';
import postgres from 'postgres';

/** The machine's PostgreSQL (DATABASE_URL, or the one every machine here runs): a cloud node needs it, never PGlite. */
export const CLOUD_ADMIN_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const CLOUD_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** An empty PostgreSQL database of its own for one cloud node's processes; `drop` removes it. */
export async function cloudDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `arc_cloud_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = postgres(CLOUD_ADMIN_URL, { max: 1, onnotice: () => undefined });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(CLOUD_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const again = postgres(CLOUD_ADMIN_URL, { max: 1, onnotice: () => undefined });
      await again.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await again.end();
    },
  };
}
