import { createPgliteTemplate, PGLITE_TEMPLATE_ENV } from '../src/testing.ts';

/**
 * Once per vitest run: a migrated PGlite folder that every test process copies for a new test database instead of
 * creating one from nothing (testing.ts, createTestDatabase). Removed when the run ends.
 */
export default async function setup(): Promise<() => void> {
  const template = await createPgliteTemplate();
  process.env[PGLITE_TEMPLATE_ENV] = template.dir;
  return () => template.remove();
}
