import { createPgliteTemplate, createPostgresTemplate, PGLITE_TEMPLATE_ENV, POSTGRES_TEMPLATE_ENV } from '../src/testing.ts';

/**
 * Once per vitest run: a migrated PGlite folder that every test process copies for a new test database instead of
 * creating one from nothing (testing.ts, createTestDatabase), and with DATABASE_URL a migrated PostgreSQL database
 * that test databases are created from as templates. Removed when the run ends. Each vitest project runs its global
 * setup; the second finds what the first made (same process) and makes nothing.
 */
/** PGlite's buffer cache in the suite's nodes, in MB, and when their sandbox workers start (testEnv in testing.ts says why). */
const SUITE_NODE_ENV = { PGLITE_SHARED_BUFFERS_MB: '16', BLOCKLET_WORKERS_START: 'first-call' };

export default async function setup(): Promise<() => Promise<void>> {
  if (process.env[PGLITE_TEMPLATE_ENV]) return async () => undefined;
  for (const [name, value] of Object.entries(SUITE_NODE_ENV)) process.env[name] ??= value;
  const template = await createPgliteTemplate();
  process.env[PGLITE_TEMPLATE_ENV] = template.dir;
  const adminUrl = process.env.DATABASE_URL;
  const postgresTemplate = adminUrl ? await createPostgresTemplate(adminUrl) : null;
  if (postgresTemplate) process.env[POSTGRES_TEMPLATE_ENV] = postgresTemplate.name;
  return async () => {
    delete process.env[PGLITE_TEMPLATE_ENV];
    delete process.env[POSTGRES_TEMPLATE_ENV];
    template.remove();
    await postgresTemplate?.remove();
  };
}
