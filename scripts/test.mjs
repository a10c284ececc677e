#!/usr/bin/env node
// The whole suite: lint and typecheck as gates, then vitest (unit, property, integration, crash) and
// Playwright (browser), each writing a JSON report under reports/; prints one totals line from them.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { ensureSystemPackages } from './system-packages.mjs';

const reports = 'reports';
rmSync(`${reports}/vitest.json`, { force: true });
rmSync(`${reports}/playwright.json`, { force: true });
mkdirSync(reports, { recursive: true });

const WEB_BUILD_LOG = `${reports}/web-build.log`;

/**
 * The web app's production build, which Playwright's web server needs (it skips a build newer than every source),
 * started beside vitest: vitest's integration files spend much of their time waiting on blocks, child nodes and
 * sockets, and the build fills the idle core instead of holding Playwright back by a minute or more. Its output
 * goes to a file, printed before Playwright. Resolves with its exit code.
 */
function startWebBuild() {
  const log = openSync(WEB_BUILD_LOG, 'w');
  const child = spawn(process.execPath, ['apps/web/scripts/build-if-stale.mjs'], {
    stdio: ['ignore', log, log],
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
  });
  closeSync(log);
  return new Promise((resolve) => {
    child.on('error', () => resolve(1));
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

function run(command, args) {
  console.log(`\n$ ${command} ${args.join(' ')}`);
  return spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' } }).status ?? 1;
}

// Debian packages some tests drive (Chromium, strace, mosquitto clients): installed when missing and we can, else
// the suite stops here with the one command to run, instead of failing tests deep inside.
const unmet = ensureSystemPackages();
if (unmet !== null) {
  console.error(unmet);
  process.exit(1);
}

const e2e = existsSync('apps/web/playwright.config.ts');

const lint = run('npx', ['biome', 'check', '.']);
const typecheck = run('npx', ['turbo', 'run', 'typecheck', '--output-logs=errors-only']);

// After the typecheck, which reads the build's generated types (apps/web/tsconfig.json includes .next/types).
const webBuild = e2e ? startWebBuild() : null;
const vitest = run('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${reports}/vitest.json`]);
let playwright = 0;
if (webBuild) {
  const built = await webBuild;
  console.log(`\n$ node apps/web/scripts/build-if-stale.mjs (beside vitest)\n${readFileSync(WEB_BUILD_LOG, 'utf8')}`);
  // A failed build is built again by Playwright's web server, which then stops with its error.
  if (built !== 0) console.log(`the web build exited ${built}; Playwright's web server builds again`);
  playwright = run('npx', ['playwright', 'test', '-c', 'apps/web/playwright.config.ts']);
}

function totals() {
  let passed = 0;
  let failed = 0;
  if (existsSync(`${reports}/vitest.json`)) {
    const v = JSON.parse(readFileSync(`${reports}/vitest.json`, 'utf8'));
    passed += v.numPassedTests ?? 0;
    failed += (v.numFailedTests ?? 0) + (v.numRuntimeErrorTests ?? 0);
  } else failed += 1;
  if (e2e) {
    if (existsSync(`${reports}/playwright.json`)) {
      const p = JSON.parse(readFileSync(`${reports}/playwright.json`, 'utf8'));
      passed += p.stats?.expected ?? 0;
      failed += (p.stats?.unexpected ?? 0) + (p.stats?.flaky ?? 0);
    } else failed += 1;
  }
  return { passed, failed };
}

const { passed, failed } = totals();
console.log(`\ntests: ${passed} passed, ${failed} failed`);
if (lint !== 0) console.log('biome check failed (see above): run `npx biome check --write .`');
if (typecheck !== 0) console.log('typecheck failed (see above)');
process.exit(lint !== 0 || typecheck !== 0 || vitest !== 0 || playwright !== 0 || failed > 0 ? 1 : 0);
