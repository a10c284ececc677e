#!/usr/bin/env node
/**
 * Bundles the node (src/main.ts and the workspace packages it imports) into dist/main.mjs, the file `npm start` and
 * the benches run: it starts about a second sooner than the sources through tsx, which resolves and loads every
 * module through a loader thread. Packages from node_modules stay imports (isolated-vm, PGlite's WebAssembly and the
 * rest load from where npm put them); files the node reads beside its code are found from apps/node (src/paths.ts).
 * As a command: `node apps/node/scripts/bundle.mjs`. Takes well under a second, so it runs at every start.
 */
import { readFileSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const nodeDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const repoDir = join(nodeDir, '..', '..');
export const bundlePath = join(nodeDir, 'dist', 'main.mjs');

/** Every package the workspace depends on from npm: they stay imports, resolved from node_modules at run time. */
function npmDependencies() {
  const names = new Set();
  for (const folder of ['apps/node', 'packages/core', 'packages/adapters', 'packages/client']) {
    const manifest = JSON.parse(readFileSync(join(repoDir, folder, 'package.json'), 'utf8'));
    for (const name of Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies })) {
      if (!name.startsWith('@arc/')) names.add(name);
    }
  }
  return [...names].flatMap((name) => [name, `${name}/*`]);
}

/** Writes dist/main.mjs (through a temporary file, so a node starting meanwhile never reads half of it). */
export async function bundleNode() {
  const temporary = `${bundlePath}.${process.pid}.tmp`;
  await build({
    entryPoints: [join(nodeDir, 'src', 'main.ts')],
    outfile: temporary,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: npmDependencies(),
    // CommonJS inside the bundle (few) needs `require`; an ES module has none of its own.
    banner: {
      js: "import { createRequire as __arcCreateRequire } from 'node:module'; const require = __arcCreateRequire(import.meta.url);",
    },
    logLevel: 'warning',
  });
  renameSync(temporary, bundlePath);
  return bundlePath;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  await bundleNode();
  console.log(`bundled the node into ${bundlePath} in ${Math.round(performance.now() - started)} ms`);
}
