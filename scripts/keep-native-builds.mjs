#!/usr/bin/env node
/**
 * Keeps what `npm ci` compiled from C++ so the next `npm ci` on this machine unpacks it instead of compiling it again.
 * isolated-vm (the blocklet sandbox) ships no binary in its npm package: its install script asks prebuild-install for
 * one, which first looks in npm's cache (`<npm cache>/_prebuilds`) and then on GitHub, which CI cannot reach, so it
 * falls back to node-gyp: about two minutes of a 2-core machine per clean install. After an install, this packs the
 * compiled module into that cache under the name prebuild-install looks for (same package version, Node ABI,
 * platform and architecture). A cached module that fails to load is not used: prebuild-install requires it first and
 * the install script compiles on any failure. Run from the repository root after `npm ci`; never fails the caller.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** Packages whose install compiles C++, and the compiled files (relative to the package) their loader requires. */
const NATIVE_BUILDS = [{ name: 'isolated-vm', files: ['out/isolated_vm.node'] }];

const require = createRequire(join(process.cwd(), 'package.json'));

for (const { name, files } of NATIVE_BUILDS) {
  try {
    const packageDir = dirname(require.resolve(`${name}/package.json`));
    const pkg = require(`${name}/package.json`);
    // prebuild-install's own naming, from the copy the package installed with.
    const fromPackage = createRequire(join(packageDir, 'package.json'));
    const rc = fromPackage('prebuild-install/rc');
    const util = fromPackage('prebuild-install/util');
    const cached = util.cachedPrebuild(util.getDownloadUrl({ ...rc(pkg), pkg }));
    if (existsSync(cached)) continue;
    if (!files.every((file) => existsSync(join(packageDir, file)))) continue;
    mkdirSync(dirname(cached), { recursive: true });
    const partial = `${cached}.${process.pid}.tmp`;
    const tar = spawnSync('tar', ['-czf', partial, '-C', packageDir, ...files], { stdio: 'inherit' });
    if (tar.status === 0) {
      renameSync(partial, cached);
      console.log(`kept ${name}'s compiled module for the next install: ${cached}`);
    } else rmSync(partial, { force: true });
  } catch (error) {
    console.log(`did not keep ${name}'s compiled module: ${error.message}`);
  }
}
