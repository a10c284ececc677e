/**
 * bench:web — what a person waits for in the web app. In one run:
 * 1. First-load JS per route, gzipped: the production build (`next build` into its own folder, ARC_WEB_DIST_DIR or
 *    `.next-bench`), each route opened in Chromium with an empty cache, the scripts it loads before `load` summed at
 *    their gzip size (first-load.ts). Headline figures: the explorer home (`/explorer`; `/` while the explorer lives
 *    there) and the console's blocklet page (`/console/blocklets/[name]`, else `/console`).
 * 2. Block → screen: a block's commit (the node's block time) to its row on the explorer home, p50/p99
 *    (block-to-screen.ts).
 * 3. Send → committed: clicking Send on /wallet/send to seeing Committed, over 50 sends, p50/p99
 *    (send-to-committed.ts).
 * Against a throwaway test node and `next start` of the build, in Debian's Chromium (CHROMIUM_PATH, /usr/bin/chromium).
 * Goals are printed beside the figures and carried in the JSON; the bench exits 0 whether they are met or not (only a
 * broken bench exits non-zero). Last line: one JSON object.
 *
 * Options: `--quick` (the same phases with a few blocks and sends, the headline routes only, the build reused when
 * it is newer than its sources: the suite runs it); `--reuse-build` (a full run without rebuilding a fresh build);
 * `--web-url URL --node-url URL` (measure servers already running, e.g. the end-to-end tests', instead of starting
 * them; the build folder is still read for its routes).
 */
import { chromium } from 'playwright-core';
import { type Goal, goal, goalText, quantile, round } from '../../../scripts/bench-goals.ts';
import { measureBlockToScreen } from './block-to-screen.ts';
import { builtRoutes, measureFirstLoad, type RouteLoad, samplesFrom } from './first-load.ts';
import { measureSendToCommitted } from './send-to-committed.ts';
import { buildWeb, type Server, startNode, startWeb } from './servers.ts';

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const option = (name: string): string | null => {
  const at = argv.indexOf(name);
  return at >= 0 ? (argv[at + 1] ?? null) : null;
};
const givenWebUrl = option('--web-url');
const givenNodeUrl = option('--node-url');
const distDir = process.env.ARC_WEB_DIST_DIR || '.next-bench';
const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** Blocks timed from commit to screen (BENCH_BLOCKS changes it), and how long the phase may take at most. */
const BLOCKS = Number(process.env.BENCH_BLOCKS ?? (quick ? 3 : 60));
const BLOCKS_BUDGET_MS = quick ? 10_000 : 180_000;
/** Sends timed from click to Committed (BENCH_SENDS changes it), and how long the phase may take at most. */
const SENDS = Number(process.env.BENCH_SENDS ?? (quick ? 3 : 50));
const SENDS_BUDGET_MS = quick ? 60_000 : 300_000;

const GOAL_HOME_KB_GZ = 200;
const GOAL_CONSOLE_KB_GZ = 350;
const GOAL_SEND_P99_MS = 1000;
const GOAL_BLOCK_P99_MS = 500;

const log = (line: string) => console.log(line);

/** The route timed as "home": the explorer's home once it has its own route, else `/` (where it began). */
function homeRoute(routes: string[]): string | null {
  if (routes.includes('/explorer')) return '/explorer';
  return routes.includes('/') ? '/' : null;
}

function consoleRoute(routes: string[]): string | null {
  if (routes.includes('/console/blocklets/[name]')) return '/console/blocklets/[name]';
  return routes.includes('/console') ? '/console' : null;
}

const servers: Server[] = [];
let browser: Awaited<ReturnType<typeof chromium.launch>> | null = null;

async function main(): Promise<void> {
  if (givenWebUrl === null) {
    log(`[bench:web] building the web app into apps/web/${distDir}${quick || argv.includes('--reuse-build') ? ' (if stale)' : ''}…`);
    await buildWeb(distDir, !quick && !argv.includes('--reuse-build'), (line) => log(`  ${line}`));
  }
  const routes = builtRoutes(distDir);
  const home = homeRoute(routes);
  const consolePage = consoleRoute(routes);

  let nodeUrl = givenNodeUrl;
  if (nodeUrl === null) {
    log('[bench:web] starting a test node…');
    const node = await startNode();
    servers.push(node);
    nodeUrl = node.url;
  }
  let webUrl = givenWebUrl;
  if (webUrl === null) {
    log('[bench:web] starting the web app…');
    const web = await startWeb(distDir, nodeUrl);
    servers.push(web);
    webUrl = web.url;
  }
  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });

  // 1. First-load JS.
  const measured = quick ? [...new Set(['/', home, consolePage].filter((r): r is string => r !== null))] : routes;
  log(`[bench:web] first-load JS of ${measured.length} route(s)…`);
  const loads = await measureFirstLoad(browser, webUrl, measured, await samplesFrom(nodeUrl));
  const loadOf = (route: string | null): RouteLoad | undefined => loads.find((l) => l.route === route);
  const homeKb = loadOf(home)?.kbGz ?? null;
  const consoleKb = loadOf(consolePage)?.kbGz ?? null;

  // 2. Block → screen.
  let blockToScreen: {
    p50: number | null;
    p99: number | null;
    eventLagP50: number | null;
    pageLagP50: number | null;
    count: number;
    missed: number;
    path: string;
  } | null = null;
  if (home !== null) {
    log(`[bench:web] block → screen on ${home}, ${BLOCKS} blocks…`);
    const result = await measureBlockToScreen(browser, webUrl, nodeUrl, home, BLOCKS, BLOCKS_BUDGET_MS);
    blockToScreen = {
      p50: quantile(result.samplesMs, 0.5),
      p99: quantile(result.samplesMs, 0.99),
      eventLagP50: quantile(result.eventLagsMs, 0.5),
      pageLagP50: quantile(result.pageLagsMs, 0.5),
      count: result.samplesMs.length,
      missed: result.missed,
      path: home,
    };
  }

  // 3. Send → committed.
  let send: {
    p50: number | null;
    p99: number | null;
    submitP50: number | null;
    pendingP50: number | null;
    count: number;
    failed: number;
  } | null = null;
  let sendSkipped: string | null = null;
  if (routes.includes('/wallet/send')) {
    log(`[bench:web] send → committed, ${SENDS} sends…`);
    const result = await measureSendToCommitted(browser, webUrl, SENDS, SENDS_BUDGET_MS);
    send = {
      p50: quantile(result.samplesMs, 0.5),
      p99: quantile(result.samplesMs, 0.99),
      submitP50: quantile(result.submitMs, 0.5),
      pendingP50: quantile(result.pendingMs, 0.5),
      count: result.samplesMs.length,
      failed: result.failed,
    };
  } else sendSkipped = 'the build has no /wallet/send page yet';

  // Report.
  const figure = (value: number | null, digits = 1) => (value === null ? null : round(value, digits));
  const figures = {
    homeFirstLoadKbGz: figure(homeKb),
    consoleFirstLoadKbGz: figure(consoleKb),
    sendToCommittedP50Ms: figure(send?.p50 ?? null, 0),
    sendToCommittedP99Ms: figure(send?.p99 ?? null, 0),
    blockToScreenP99Ms: figure(blockToScreen?.p99 ?? null, 0),
  };
  const goals: Goal[] = [];
  const unmeasured: string[] = [];
  const judge = (name: keyof typeof figures, target: number) => {
    const value = figures[name];
    if (value === null) unmeasured.push(name);
    else goals.push(goal(name, value, '<=', target));
  };
  judge('homeFirstLoadKbGz', GOAL_HOME_KB_GZ);
  judge('consoleFirstLoadKbGz', GOAL_CONSOLE_KB_GZ);
  judge('sendToCommittedP99Ms', GOAL_SEND_P99_MS);
  judge('blockToScreenP99Ms', GOAL_BLOCK_P99_MS);
  const verdictOf = (name: keyof typeof figures) => {
    const g = goals.find((x) => x.figure === name);
    return g ? goalText(g) : 'not measured';
  };

  log('');
  log(`web bench${quick ? ' (quick: few samples, figures are rough)' : ''}, build apps/web/${distDir}, ${chromiumPath}`);
  log('first-load JS (gzip) per route:');
  for (const l of loads) {
    log(
      `  ${l.route.padEnd(36)} ${l.kbGz === null ? `skipped: ${l.skipped}` : `${round(l.kbGz).toFixed(1).padStart(7)} KB  (${l.scripts} scripts${l.path !== l.route ? `, as ${l.path}` : ''})`}`,
    );
  }
  const line = (label: string, figures: string, verdict: string) => log(`${label.padEnd(52)} ${figures.padEnd(28)} ${verdict}`);
  line(`home first load (${home ?? 'no page'})`, show(figures.homeFirstLoadKbGz, 'KB gz'), verdictOf('homeFirstLoadKbGz'));
  line(`console first load (${consolePage ?? 'no page'})`, show(figures.consoleFirstLoadKbGz, 'KB gz'), verdictOf('consoleFirstLoadKbGz'));
  if (send)
    line(
      `send → committed (${send.count} sends, ${send.failed} rejected)`,
      `p50 ${show(figures.sendToCommittedP50Ms, 'ms')}, p99 ${show(figures.sendToCommittedP99Ms, 'ms')}`,
      verdictOf('sendToCommittedP99Ms'),
    );
  else line('send → committed', 'n/a', `not measured: ${sendSkipped}`);
  if (send)
    line(
      '  of which: Sign → Pending; Pending → Committed',
      `p50 ${show(figure(send.submitP50, 0), 'ms')}; ${show(figure(send.pendingP50, 0), 'ms')}`,
      '(for information)',
    );
  if (blockToScreen)
    line(
      `block → screen on ${blockToScreen.path} (${blockToScreen.count} blocks, ${blockToScreen.missed} missed)`,
      `p50 ${show(figure(blockToScreen.p50, 0), 'ms')}, p99 ${show(figures.blockToScreenP99Ms, 'ms')}`,
      verdictOf('blockToScreenP99Ms'),
    );
  else line('block → screen', 'n/a', 'not measured: the build has no explorer home');
  if (blockToScreen)
    line(
      '  of which: commit → event; page event → row',
      `p50 ${show(figure(blockToScreen.eventLagP50, 0), 'ms')}; ${show(figure(blockToScreen.pageLagP50, 0), 'ms')}`,
      '(for information)',
    );

  console.log(
    JSON.stringify({
      bench: 'web',
      ...figures,
      quick,
      blockToScreenP50Ms: figure(blockToScreen?.p50 ?? null, 0),
      blockEventLagP50Ms: figure(blockToScreen?.eventLagP50 ?? null, 0),
      blockPageLagP50Ms: figure(blockToScreen?.pageLagP50 ?? null, 0),
      homeRoute: home,
      consoleRoute: consolePage,
      sends: send?.count ?? 0,
      sendsRejected: send?.failed ?? 0,
      sendSubmitP50Ms: figure(send?.submitP50 ?? null, 0),
      sendPendingP50Ms: figure(send?.pendingP50 ?? null, 0),
      blocks: blockToScreen?.count ?? 0,
      blocksMissed: blockToScreen?.missed ?? 0,
      routes: Object.fromEntries(loads.map((l) => [l.route, l.kbGz === null ? null : round(l.kbGz)])),
      unmeasured,
      goals,
      allGoalsMet: goals.every((g) => g.met),
    }),
  );
}

function show(value: number | null, unit: string): string {
  return value === null ? 'n/a' : `${value} ${unit}`;
}

async function shutdown(): Promise<void> {
  await browser?.close();
  // The web server first: it talks to the node.
  for (const server of servers.reverse()) await server.stop();
}

try {
  await main();
  await shutdown();
  process.exit(0);
} catch (error) {
  console.error(`[bench:web] ${(error as Error).stack ?? error}`);
  await shutdown().catch((stopError: unknown) => console.error(`[bench:web] while stopping: ${(stopError as Error).message}`));
  process.exit(1);
}
