import { defineConfig } from 'vitest/config';

/**
 * Unit tests: pure code and small in-process parts, no child processes, databases or sockets left behind. They share
 * one worker's module cache (isolate: false): spawning a fresh worker and importing its modules again cost each of
 * these files more than its tests do (about 4 s of a 2-core machine per file).
 */
const UNIT = [
  'packages/core/src/**/*.test.ts',
  'packages/ui/src/**/*.test.ts',
  'packages/client/src/*.test.ts',
  'apps/web/src/**/*.test.ts',
  'apps/node/src/{cluster,config,gateway,market,ocap}/**/*.test.ts',
  'apps/node/src/ledger/{mempool,rejection-limiter}.test.ts',
  'apps/node/src/runtime/{bounded-cache,bundle,outbound}.test.ts',
  'scripts/**/*.test.mjs',
];
const EXCLUDE = ['**/node_modules/**', 'apps/web/e2e/**', 'apps/web/.next*/**'];

export default defineConfig({
  test: {
    pool: 'forks',
    // A migrated PGlite folder that test databases copy (apps/node/src/testing.ts).
    globalSetup: ['apps/node/test/global-setup.ts'],
    // Two test files at a time even on a 2-core machine (vitest's default there is one): most integration files
    // wait on child nodes, blocks and sockets rather than compute, and each file has its own database, ports and
    // topics, so two at once halve the suite's wall time without sharing anything.
    maxWorkers: 2,
    // Files keep vitest's own order (by size on a clean clone). Starting the longest files first (tried) paired the
    // CPU-heavy ones with each other and made each about twice as slow: the run took far longer.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Tests are never cached and never retried: a flaky test is a bug to fix.
    retry: 0,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: UNIT,
          exclude: [...EXCLUDE, '**/*.integration.test.ts'],
          isolate: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'apps/*/test/**/*.test.ts', 'scripts/**/*.test.mjs'],
          // apps/web's unit tests run in the unit project; its e2e folder is Playwright's.
          exclude: [...EXCLUDE, ...UNIT.map((glob) => (glob.includes('client') ? 'packages/client/src/!(*.integration).test.ts' : glob))],
          // One module cache per worker here too: each file importing the node's modules afresh cost the suite about
          // 220 s of import time (2 workers: ~2 min of wall time). Every integration file makes its own database,
          // folders, ports and topics and closes what it opens, so none depends on a fresh module state.
          isolate: false,
        },
      },
    ],
  },
});
