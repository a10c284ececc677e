#!/usr/bin/env node
// The whole repository's typecheck in three TypeScript programs instead of one per package: the packages that share
// tsconfig.base.json's options unchanged (core, client, adapters, node, cli) in one (tsconfig.server.json), then
// ui and web with their DOM and JSX options. Each package's own program checks the sources of the packages it
// imports again (they are linked as TypeScript, not as declarations), so the per-package run (`turbo run typecheck`,
// still each package's `npm run typecheck`) checked core five times: about 190 s of CPU against about 95 s here.
import { spawnSync } from 'node:child_process';

const PROGRAMS = [
  ['-p', 'tsconfig.server.json'],
  ['-p', 'packages/ui/tsconfig.json'],
  ['-p', 'apps/web/tsconfig.json'],
];

let failed = 0;
for (const args of PROGRAMS) {
  const started = performance.now();
  const { status } = spawnSync('npx', ['tsc', '--noEmit', ...args], { stdio: 'inherit' });
  console.log(
    `tsc ${args.join(' ')}: ${status === 0 ? 'no errors' : 'errors above'} (${Math.round((performance.now() - started) / 1000)} s)`,
  );
  if (status !== 0) failed += 1;
}
process.exit(failed > 0 ? 1 : 0);
