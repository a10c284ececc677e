import { describe, expect, it } from 'vitest';
import { ensureSystemPackages, missingPackages, SYSTEM_PACKAGES } from './system-packages.mjs';

const absent = { name: 'arc-absent-package', usedBy: 'a test of the check', installed: () => false };
const present = { name: 'arc-present-package', usedBy: 'a test of the check', installed: () => true };

describe('the system packages npm test needs', () => {
  it('names Chromium, strace and the mosquitto clients', () => {
    expect(SYSTEM_PACKAGES.map((pkg) => pkg.name)).toEqual(['chromium', 'strace', 'mosquitto-clients']);
  });

  it('stops with the one command to run when a package is missing and cannot be installed here', () => {
    const line = ensureSystemPackages({ packages: [present, absent], canInstall: false, log: () => undefined });
    expect(line).toContain('sudo apt-get update && sudo apt-get install -y arc-absent-package');
    expect(line).toContain('a test of the check');
    expect(line).not.toContain('arc-present-package');
    expect(line?.split('\n')).toHaveLength(1);
  });

  it('goes on when everything is installed', () => {
    expect(ensureSystemPackages({ packages: [present], canInstall: false })).toBeNull();
    expect(missingPackages([present, absent])).toEqual([absent]);
  });
});
