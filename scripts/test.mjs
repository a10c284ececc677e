#!/usr/bin/env node
// The whole suite: lint, then vitest (unit, property, integration, crash) with the typecheck and the web build beside
// it, then Playwright (browser), each test runner writing a JSON report under reports/; prints one totals line from
// them. Lint and typecheck are gates: the suite fails when either does.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { ensureSystemPackages } from './system-packages.mjs';

const reports = 'reports';
rmSync(`${reports}/vitest.json`, { force: true });
rmSync(`${reports}/playwright.json`, { force: true });
mkdirSync(reports, { recursive: true });

const ENV = { ...process.env, TURBO_TELEMETRY_DISABLED: '1', NEXT_TELEMETRY_DISABLED: '1' };

function run(command, args) {
  console.log(`\n$ ${command} ${args.join(' ')}`);
  return spawnSync(command, args, { stdio: 'inherit', env: ENV }).status ?? 1;
}

/** Runs a step with its output on ours; resolves with its exit code (the event loop stays free meanwhile). */
function runAsync(command, args) {
  console.log(`\n$ ${command} ${args.join(' ')}`);
  const child = spawn(command, args, { stdio: 'inherit', env: ENV });
  return exitCode(child);
}

/**
 * Runs a step beside the others with its output in `logFile` (printed by `printLog` when the step's turn comes, so
 * two steps' lines never mix); resolves with its exit code.
 */
function runBeside(command, args, logFile) {
  const log = openSync(logFile, 'w');
  const child = spawn(command, args, { stdio: ['ignore', log, log], env: ENV });
  closeSync(log);
  return exitCode(child);
}

function printLog(title, logFile) {
  console.log(`\n$ ${title} (beside vitest)\n${readFileSync(logFile, 'utf8')}`);
}

function exitCode(child) {
  return new Promise((resolve) => {
    child.on('error', () => resolve(1));
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

// Debian packages some tests drive (Chromium, strace, mosquitto clients): installed when missing and we can, else
// the suite stops here with the one command to run, instead of failing tests deep inside.
const unmet = ensureSystemPackages();
if (unmet !== null) {
  console.error(unmet);
  process.exit(1);
}

const e2e = existsSync('apps/web/playwright.config.ts');
const TYPECHECK = [process.execPath, ['scripts/typecheck.mjs']];
const TYPECHECK_LOG = `${reports}/typecheck.log`;
const WEB_BUILD = [process.execPath, ['apps/web/scripts/build-if-stale.mjs']];
const WEB_BUILD_LOG = `${reports}/web-build.log`;

const lint = run('npx', ['biome', 'check', '.']);
// On a 2-core machine vitest leaves much of the CPU idle (its integration files mostly wait on blocks, child nodes
// and sockets): the typecheck, then the web app's production build that Playwright's web server needs (it skips a
// build newer than every source), run beside it instead of before it. The build waits for the typecheck, which
// reads the build's generated types (apps/web/tsconfig.json includes .next/types).
const typechecked = runBeside(...TYPECHECK, TYPECHECK_LOG);
const built = e2e ? typechecked.then(() => runBeside(...WEB_BUILD, WEB_BUILD_LOG)) : Promise.resolve(0);
const vitest = await runAsync('npx', [
  'vitest',
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${reports}/vitest.json`,
]);
const typecheck = await typechecked;
printLog(TYPECHECK.flat().join(' '), TYPECHECK_LOG);
let playwright = 0;
if (e2e) {
  const buildCode = await built;
  printLog(WEB_BUILD.flat().join(' '), WEB_BUILD_LOG);
  // A failed build is built again by Playwright's web server, which then stops with its error.
  if (buildCode !== 0) console.log(`the web build exited ${buildCode}; Playwright's web server builds again`);
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
