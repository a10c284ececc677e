#!/usr/bin/env node
// The whole suite: lint and typecheck as gates, then vitest (unit, property, integration, crash) and
// Playwright (browser), each writing a JSON report under reports/; prints one totals line from them.
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { ensureSystemPackages } from './system-packages.mjs';

const reports = 'reports';
rmSync(`${reports}/vitest.json`, { force: true });
rmSync(`${reports}/playwright.json`, { force: true });
rmSync(`${reports}/playwright.log`, { force: true });
mkdirSync(reports, { recursive: true });

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

const lint = run('npx', ['biome', 'check', '.']);
const typecheck = run('npx', ['turbo', 'run', 'typecheck', '--output-logs=errors-only']);

/** Starts a command whose output goes to a file; resolves with its exit status. */
function runToFile(command, args, file) {
  console.log(`\n$ ${command} ${args.join(' ')} > ${file}  (alongside vitest; printed when it ends)`);
  const out = createWriteStream(file);
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' } });
  child.stdout.pipe(out, { end: false });
  child.stderr.pipe(out, { end: false });
  return new Promise((resolve) => child.once('close', (code) => out.end(() => resolve(code ?? 1))));
}

// Playwright runs alongside vitest: each suite spends much of its time waiting on blocks, sockets and the browser,
// so together they take far less than one after the other. Playwright's output is kept and printed after vitest's.
// ARC_TEST_SERIAL=1 runs them one after the other.
const serial = process.env.ARC_TEST_SERIAL === '1';
const hasBrowserTests = existsSync('apps/web/playwright.config.ts');
const playwrightArgs = ['playwright', 'test', '-c', 'apps/web/playwright.config.ts'];
const browserRun = hasBrowserTests && !serial ? runToFile('npx', playwrightArgs, `${reports}/playwright.log`) : null;
const vitestArgs = ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${reports}/vitest.json`];
// Not spawnSync: the event loop must keep draining Playwright's output meanwhile.
console.log(`\n$ npx ${vitestArgs.join(' ')}`);
const vitest = await new Promise((resolve) =>
  spawn('npx', vitestArgs, { stdio: 'inherit', env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' } }).once('close', (code) =>
    resolve(code ?? 1),
  ),
);
let playwright = 0;
if (browserRun) {
  playwright = await browserRun;
  console.log(`\n$ npx ${playwrightArgs.join(' ')}  (its output, from ${reports}/playwright.log)`);
  console.log(readFileSync(`${reports}/playwright.log`, 'utf8'));
} else if (hasBrowserTests) {
  playwright = run('npx', playwrightArgs);
}

function totals() {
  let passed = 0;
  let failed = 0;
  if (existsSync(`${reports}/vitest.json`)) {
    const v = JSON.parse(readFileSync(`${reports}/vitest.json`, 'utf8'));
    passed += v.numPassedTests ?? 0;
    failed += (v.numFailedTests ?? 0) + (v.numRuntimeErrorTests ?? 0);
  } else failed += 1;
  if (existsSync('apps/web/playwright.config.ts')) {
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
