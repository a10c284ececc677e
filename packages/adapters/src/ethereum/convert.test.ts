import { describe, expect, it } from 'vitest';
import { ADDRESS_CACHE_MAX, checkAddress, isEthereumAddress } from './convert.ts';

const CHECKSUMMED = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
/** The same address with one letter's case flipped: a broken EIP-55 checksum. */
const BAD_CHECKSUM = '0x70997970c51812dc3A010C7d01b50e0d17dc79C8';

describe('ethereum address checks', () => {
  it('gives the EIP-55 form of any valid case and refuses a broken checksum, also once the valid forms are remembered', () => {
    for (let round = 0; round < 2; round += 1) {
      expect(checkAddress(CHECKSUMMED.toLowerCase())).toBe(CHECKSUMMED);
      expect(checkAddress(`0x${CHECKSUMMED.slice(2).toUpperCase()}`)).toBe(CHECKSUMMED);
      expect(checkAddress(CHECKSUMMED)).toBe(CHECKSUMMED);
      expect(isEthereumAddress(BAD_CHECKSUM)).toBe(false);
      expect(() => checkAddress(BAD_CHECKSUM, 'receiver')).toThrow(/receiver .* is not an Ethereum address/);
    }
  });

  it('stays right after its cache of checksums fills and empties', () => {
    for (let i = 0; i <= ADDRESS_CACHE_MAX; i += 1) checkAddress(`0x${i.toString(16).padStart(40, '0')}`);
    expect(checkAddress(CHECKSUMMED.toLowerCase())).toBe(CHECKSUMMED);
    expect(isEthereumAddress(BAD_CHECKSUM)).toBe(false);
  });
});
