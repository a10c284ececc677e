import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { defineConfig } from '@playwright/test';

/**
 * End-to-end tests of the web app against a real node: a fresh test node (temporary database,
 * seeded demo), the production build of the web app pointed at it, and a second web server pointed
 * at a port where no node listens, for the error state. Run from the repo root:
 * `npx playwright test -c apps/web/playwright.config.ts`.
 */

const repoDir = join(import.meta.dirname, '..', '..');
const nextBin = createRequire(import.meta.url).resolve('next/dist/bin/next');

/**
 * A loopback port nothing listens on right now, above Linux's ephemeral range (32768–60999): the web build takes a
 * minute before its server binds the port, and the vitest suite may run meanwhile, binding hundreds of port-0
 * listeners that the OS takes from the ephemeral range; a port up here is never handed to them.
 */
async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const port = 61_000 + Math.floor(Math.random() * 4_000);
    if (await bindable(port)) return port;
  }
  throw new Error('no free loopback port in 61000–64999 after 100 tries');
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

// This file is evaluated by the runner and again by each worker: the runner picks the ports and
// its workers inherit them through the environment.
process.env.ARC_E2E_NODE_PORT ??= String(await freePort());
process.env.ARC_E2E_WEB_PORT ??= String(await freePort());
process.env.ARC_E2E_OFFLINE_WEB_PORT ??= String(await freePort());
process.env.ARC_E2E_DEAD_NODE_PORT ??= String(await freePort());
const nodePort = process.env.ARC_E2E_NODE_PORT;
const webUrl = `http://127.0.0.1:${process.env.ARC_E2E_WEB_PORT}`;
const offlineWebUrl = `http://127.0.0.1:${process.env.ARC_E2E_OFFLINE_WEB_PORT}`;
const nodeUrl = `http://127.0.0.1:${nodePort}`;
const deadNodeUrl = `http://127.0.0.1:${process.env.ARC_E2E_DEAD_NODE_PORT}`;

const chromium = {
  browserName: 'chromium' as const,
  launchOptions: {
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  },
  viewport: { width: 1280, height: 900 },
  // The pages' animations (the header's live dot pings forever, skeletons pulse) honour this, as they do for a person
  // who asks for less motion: software compositing of a ping in two browsers costs a third of their idle CPU.
  reducedMotion: 'reduce' as const,
};

/**
 * Starts the built web app (building it first when its sources changed) against `node`: its /trpc rewrite and the
 * browser's Socket.io connection (NODE_PUBLIC_URL) both go there. The build goes to ARC_WEB_DIST_DIR when set.
 */
function webServer(port: string | undefined, node: string, build: boolean) {
  const start = `node ${JSON.stringify(nextBin)} start -p ${port} -H 127.0.0.1`;
  return {
    command: build ? `node scripts/build-if-stale.mjs && ${start}` : start,
    cwd: import.meta.dirname,
    url: `http://127.0.0.1:${port}/icon.svg`,
    env: {
      NODE_URL: node,
      NODE_PUBLIC_URL: node,
      NEXT_TELEMETRY_DISABLED: '1',
      ...(process.env.ARC_WEB_DIST_DIR ? { ARC_WEB_DIST_DIR: process.env.ARC_WEB_DIST_DIR } : {}),
    },
    // A build on a 2-core machine takes about a minute.
    timeout: build ? 300_000 : 60_000,
    reuseExistingServer: false,
    gracefulShutdown: { signal: 'SIGTERM' as const, timeout: 5_000 },
    // The server without a node logs a refused connection per request: keep that out of the report.
    stdout: build ? ('pipe' as const) : ('ignore' as const),
    stderr: build ? ('pipe' as const) : ('ignore' as const),
  };
}

export default defineConfig({
  testDir: 'e2e',
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  // Two spec files at a time: each journey spends most of its time waiting on the node's blocks and settlements, and
  // every spec uses accounts of its own, so two browsers on one node share nothing but the chain. (Two once met
  // ECONNRESET through the /trpc rewrite: the node closed idle keep-alive connections after 5 s, as the proxy's agent
  // did; the node now keeps them 65 s, apps/node/src/server.ts.)
  workers: 2,
  retries: 0,
  forbidOnly: true,
  reporter: [['list'], ['json', { outputFile: join(repoDir, 'reports', 'playwright.json') }]],
  use: { ...chromium, trace: 'retain-on-failure' },
  projects: [
    { name: 'live node', grepInvert: /@node-down/, use: { baseURL: webUrl } },
    { name: 'node down', grep: /@node-down/, use: { baseURL: offlineWebUrl } },
  ],
  webServer: [
    {
      // The node's testing server on an e2e genesis with a short billing period (e2e/testing/live-node.ts).
      command: 'node --import tsx apps/web/e2e/testing/live-node.ts',
      cwd: repoDir,
      url: `${nodeUrl}/health`,
      env: { PORT: String(nodePort), HOST: '127.0.0.1' },
      timeout: 120_000,
      reuseExistingServer: false,
      // SIGTERM (not Playwright's default SIGKILL) lets the test node drop its temporary database.
      gracefulShutdown: { signal: 'SIGTERM', timeout: 10_000 },
      stdout: 'pipe',
      stderr: 'pipe',
    },
    webServer(process.env.ARC_E2E_WEB_PORT, nodeUrl, true),
    webServer(process.env.ARC_E2E_OFFLINE_WEB_PORT, deadNodeUrl, false),
  ],
});
