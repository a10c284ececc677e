import { createPgliteTemplate, PGLITE_TEMPLATE_ENV } from '../src/testing.ts';

/**
 * Once per vitest run: a migrated PGlite folder that every test process copies for a new test database instead of
 * creating one from nothing (testing.ts, createTestDatabase). Removed when the run ends. Each vitest project runs
 * its global setup; the second finds the folder the first made (same process) and makes none.
 */
export default async function setup(): Promise<() => void> {
  if (process.env[PGLITE_TEMPLATE_ENV]) return () => undefined;
  const template = await createPgliteTemplate();
  process.env[PGLITE_TEMPLATE_ENV] = template.dir;
  return () => {
    delete process.env[PGLITE_TEMPLATE_ENV];
    return template.remove();
  };
}
