#!/usr/bin/env node
// The whole suite: lint and typecheck as gates, then vitest (unit, property, integration, crash) and
// Playwright (browser), each writing a JSON report under reports/; prints one totals line from them.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';

const reports = 'reports';
rmSync(`${reports}/vitest.json`, { force: true });
rmSync(`${reports}/playwright.json`, { force: true });
mkdirSync(reports, { recursive: true });

function run(command, args) {
  console.log(`\n$ ${command} ${args.join(' ')}`);
  return spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' } }).status ?? 1;
}

// The durability test traces the node's fsyncs with strace (Debian package); install it when missing and we can.
// The MQTT foreign-client test drives Debian's mosquitto_pub/mosquitto_sub (package mosquitto-clients).
const canApt = process.getuid?.() === 0 && spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
const missing = [];
if (spawnSync('strace', ['-V'], { stdio: 'ignore' }).status !== 0) missing.push('strace');
if (!existsSync('/usr/bin/mosquitto_pub') || !existsSync('/usr/bin/mosquitto_sub')) missing.push('mosquitto-clients');
if (missing.length > 0 && canApt) {
  console.log(`installing Debian ${missing.join(', ')} for the tests that use them`);
  spawnSync('sh', ['-c', `apt-get update && apt-get install -y ${missing.join(' ')}`], { stdio: 'ignore' });
}

const lint = run('npx', ['biome', 'check', '.']);
const typecheck = run('npx', ['turbo', 'run', 'typecheck', '--output-logs=errors-only']);

const vitest = run('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${reports}/vitest.json`]);
let playwright = 0;
if (existsSync('apps/web/playwright.config.ts')) {
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
