// The Debian packages the suite drives besides npm's: checked before anything runs, installed when we can
// (root with apt-get, `apt-get update` first), else the suite stops at once with the one command to run.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Each package, what needs it, and how to tell it is installed. */
export const SYSTEM_PACKAGES = [
  { name: 'chromium', usedBy: 'the browser tests (Playwright drives /usr/bin/chromium)', installed: () => existsSync('/usr/bin/chromium') },
  {
    name: 'strace',
    usedBy: "the durability test (it traces the node's fsyncs)",
    installed: () => spawnSync('strace', ['-V'], { stdio: 'ignore' }).status === 0,
  },
  {
    name: 'mosquitto-clients',
    usedBy: "the MQTT test with Debian's mosquitto_pub/mosquitto_sub",
    installed: () => existsSync('/usr/bin/mosquitto_pub') && existsSync('/usr/bin/mosquitto_sub'),
  },
];

/** The packages of `packages` that are not installed. */
export function missingPackages(packages = SYSTEM_PACKAGES) {
  return packages.filter((pkg) => !pkg.installed());
}

/**
 * Installs what is missing when this process may (root, apt-get present); answers null when all is there after,
 * else the one line to print: what is missing, for what, and the exact command to run.
 */
export function ensureSystemPackages({ packages = SYSTEM_PACKAGES, log = console.log, canInstall = canAptInstall() } = {}) {
  let missing = missingPackages(packages);
  if (missing.length === 0) return null;
  const names = missing.map((pkg) => pkg.name).join(' ');
  if (canInstall) {
    log(`installing Debian ${names} (${missing.map((pkg) => pkg.usedBy).join('; ')}); this takes a minute or two`);
    const install = spawnSync('sh', ['-c', `apt-get update && apt-get install -y ${names}`], { encoding: 'utf8' });
    if (install.status !== 0) log((install.stderr || install.stdout || '').split('\n').slice(-15).join('\n'));
    missing = missingPackages(packages);
    if (missing.length === 0) return null;
  }
  const still = missing.map((pkg) => pkg.name).join(' ');
  return `npm test needs Debian ${still} (${missing.map((pkg) => pkg.usedBy).join('; ')}): run \`sudo apt-get update && sudo apt-get install -y ${still}\`, then npm test again.`;
}

/** True when this process can install Debian packages itself: root, with apt-get. */
export function canAptInstall() {
  return process.getuid?.() === 0 && spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
}
