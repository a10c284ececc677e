import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'apps/*/test/**/*.test.ts', 'scripts/**/*.test.mjs'],
    // apps/web's unit tests run here; its e2e folder is Playwright's.
    exclude: ['**/node_modules/**', 'apps/web/e2e/**', 'apps/web/.next*/**'],
    pool: 'forks',
    // A migrated PGlite folder that test databases copy (apps/node/src/testing.ts).
    globalSetup: ['apps/node/test/global-setup.ts'],
    // Two test files at a time even on a 2-core machine (vitest's default there is one): most integration files
    // wait on child nodes, blocks and sockets rather than compute, and each file has its own database, ports and
    // topics, so two at once halve the suite's wall time without sharing anything.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Tests are never cached and never retried: a flaky test is a bug to fix.
    retry: 0,
  },
});
