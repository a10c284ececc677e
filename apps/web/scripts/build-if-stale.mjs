#!/usr/bin/env node
/**
 * Builds the web app (`next build`) when there is no build yet or a source it is built from changed
 * after it. Used by `npm start` (scripts/start.mjs) and by the end-to-end tests' web server.
 * As a command: `node apps/web/scripts/build-if-stale.mjs [--force]`.
 */
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const webDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const repoDir = join(webDir, '..', '..');
/** The build's folder: `.next`, or ARC_WEB_DIST_DIR (next.config.ts reads the same variable). */
export const distDir = process.env.ARC_WEB_DIST_DIR || '.next';
const buildIdFile = join(webDir, distDir, 'BUILD_ID');

/** What the build is made from: this app, the workspace packages it bundles, and the locked dependencies. */
const sourcePaths = [
  join(webDir, 'src'),
  join(webDir, 'public'),
  join(webDir, 'next.config.ts'),
  join(webDir, 'postcss.config.mjs'),
  join(webDir, 'tsconfig.json'),
  join(webDir, 'package.json'),
  join(repoDir, 'packages', 'ui', 'src'),
  join(repoDir, 'packages', 'core', 'src'),
  join(repoDir, 'packages', 'client', 'src'),
  join(repoDir, 'tsconfig.base.json'),
  join(repoDir, 'package-lock.json'),
];
const skippedDirs = new Set(['node_modules', '.next', '.turbo', distDir]);
const isTestFile = /\.test\.[cm]?[jt]sx?$/;
/** More files than this under the sources means a wrong path, not a big app. */
const maxSourceFiles = 20_000;

/** The path to Next's command-line entry, as installed for this app. */
export const nextBin = createRequire(join(webDir, 'package.json')).resolve('next/dist/bin/next');

/** Whether `next build` must run, and why, in a sentence. */
export function webBuildState() {
  const builtAtMs = mtimeMs(buildIdFile);
  if (builtAtMs === null) return { stale: true, reason: 'there is no build yet' };
  const newest = newestSource();
  if (newest.mtimeMs > builtAtMs) {
    return { stale: true, reason: `${relative(repoDir, newest.path)} changed after the last build` };
  }
  return { stale: false, reason: 'the build is newer than every source' };
}

/**
 * Runs `next build`, passing each output line to `log` as it comes (the build prints its own
 * progress). Resolves when it succeeds; rejects with its exit code otherwise.
 */
export function buildWeb({ log = (line) => console.log(line), env = process.env } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [nextBin, 'build'], {
      cwd: webDir,
      env: { ...env, NEXT_TELEMETRY_DISABLED: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    forwardLines(child.stdout, log);
    forwardLines(child.stderr, log);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(Object.assign(new Error(`next build failed (${signal ?? `exit code ${code}`})`), { exitCode: code ?? 1 }));
    });
  });
}

/** Calls `log` with each whole line of a stream. */
export function forwardLines(stream, log) {
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    pending += chunk;
    const lines = pending.split(/\r?\n/);
    pending = lines.pop() ?? '';
    for (const line of lines) log(line);
  });
  stream.on('end', () => {
    if (pending) log(pending);
  });
}

function newestSource() {
  let newest = { path: buildIdFile, mtimeMs: 0 };
  let files = 0;
  const visit = (path) => {
    let stat;
    try {
      stat = statSync(path);
    } catch (error) {
      if (error.code === 'ENOENT') return; // an optional source (e.g. public/) that does not exist
      throw error;
    }
    if (stat.isDirectory()) {
      for (const entry of readdirSync(path)) if (!skippedDirs.has(entry)) visit(join(path, entry));
      return;
    }
    if (isTestFile.test(path)) return;
    files += 1;
    if (files > maxSourceFiles) throw new Error(`more than ${maxSourceFiles} source files under ${sourcePaths.join(', ')}`);
    if (stat.mtimeMs > newest.mtimeMs) newest = { path, mtimeMs: stat.mtimeMs };
  };
  for (const path of sourcePaths) visit(path);
  return newest;
}

function mtimeMs(path) {
  try {
    return statSync(path).mtimeMs;
  } catch (error) {
    if (error.code === 'ENOENT') return null;
    throw error;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const force = process.argv.includes('--force');
  const state = force ? { stale: true, reason: '--force was given' } : webBuildState();
  if (!state.stale) {
    console.log(`[web build] up to date: ${state.reason}`);
  } else {
    console.log(`[web build] building, because ${state.reason}…`);
    const startedMs = Date.now();
    try {
      await buildWeb({ log: (line) => console.log(`[web build] ${line}`) });
    } catch (error) {
      console.error(`[web build] ${error.message}`);
      process.exit(error.exitCode ?? 1);
    }
    console.log(`[web build] done in ${Math.round((Date.now() - startedMs) / 1000)} s`);
  }
}
