#!/usr/bin/env node
/**
 * Bundles the node (src/main.ts, the workspace packages it imports and most of its npm dependencies) into
 * dist/main.mjs, the file `npm start` and the benches run. It starts about a second sooner than the sources through
 * tsx, which resolves and loads every module through a loader thread, and about half a second sooner than a bundle
 * that imports its npm packages: Node's ES module loader finding, reading and linking their thousands of files was
 * most of the time before the node opened its database. Packages that must load from where npm put them stay imports
 * (NOT_BUNDLED); files the node reads beside its code are found from apps/node (src/paths.ts). As a command:
 * `node apps/node/scripts/bundle.mjs`. Takes about a second, so it runs at every start.
 */
import { renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const nodeDir = join(dirname(fileURLToPath(import.meta.url)), '..');
export const bundlePath = join(nodeDir, 'dist', 'main.mjs');

/**
 * Packages that stay imports: native code (isolated-vm, esbuild), files read beside their own code (PGlite's
 * WebAssembly and data; socket.io's client bundle, found from its __dirname), optional native add-ons of ws and of
 * @hyperledger/fabric-gateway (pkcs11js, loaded only for an HSM identity; its install script is not allowed here).
 */
const NOT_BUNDLED = [
  'isolated-vm',
  'esbuild',
  '@electric-sql/pglite',
  'socket.io',
  'engine.io',
  'bufferutil',
  'utf-8-validate',
  'pkcs11js',
];
const external = NOT_BUNDLED.flatMap((name) => [name, `${name}/*`]);

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
    external,
    // Whitespace and syntax only: names stay, so stack traces still say which function. About 40% less to read and
    // parse at every start.
    minifyWhitespace: true,
    minifySyntax: true,
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
