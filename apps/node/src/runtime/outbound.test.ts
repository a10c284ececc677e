import { describe, expect, it } from 'vitest';
import { isNonPublicAddress, parsePrivateTargets, targetAllowed } from './outbound.ts';

describe('outbound targets of blocklets', () => {
  it('counts loopback, private, link-local, unique-local, multicast, unspecified and their IPv4-mapped forms as non-public', () => {
    for (const address of [
      '127.0.0.1',
      '127.1.2.3',
      '10.0.0.1',
      '172.16.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '255.255.255.255',
      '::',
      '::1',
      'fd00::1',
      'fe80::1',
      'ff02::1',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '::ffff:169.254.169.254',
      '64:ff9b::10.0.0.1',
      'not an address',
    ])
      expect(isNonPublicAddress(address), address).toBe(true);
    for (const address of ['93.184.216.34', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])
      expect(isNonPublicAddress(address), address).toBe(false);
  });

  it('lets the operator allow all private targets or only some CIDRs, and refuses a malformed setting', () => {
    expect(targetAllowed('127.0.0.1', parsePrivateTargets('false'))).toBe(false);
    expect(targetAllowed('127.0.0.1', parsePrivateTargets('true'))).toBe(true);
    const some = parsePrivateTargets('10.0.0.0/8, fd00::/8');
    expect(targetAllowed('10.1.2.3', some)).toBe(true);
    expect(targetAllowed('::ffff:10.1.2.3', some)).toBe(true);
    expect(targetAllowed('fd00::5', some)).toBe(true);
    expect(targetAllowed('127.0.0.1', some)).toBe(false);
    expect(targetAllowed('8.8.8.8', parsePrivateTargets('false'))).toBe(true);
    expect(() => parsePrivateTargets('10.0.0.0/33')).toThrow(/CIDR/);
    expect(() => parsePrivateTargets('localhost')).toThrow(/CIDR/);
  });
});
