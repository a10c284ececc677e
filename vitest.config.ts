import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'apps/*/test/**/*.test.ts', 'scripts/**/*.test.mjs'],
    // apps/web's unit tests run here; its e2e folder is Playwright's.
    exclude: ['**/node_modules/**', 'apps/web/e2e/**', 'apps/web/.next*/**'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Tests are never cached and never retried: a flaky test is a bug to fix.
    retry: 0,
  },
});
