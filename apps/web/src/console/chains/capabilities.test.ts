import { describe, expect, it } from 'vitest';
import { capabilityCell, chainFamily } from './capabilities.ts';

describe('the chains page in words', () => {
  it('names the kind of chain from its CAIP-2 namespace, Fabric channels included', () => {
    expect(chainFamily('eip155:31337')).toBe('EVM');
    expect(chainFamily('bip122:0f9188f13cb7b2c71f2a335e3a4fc328')).toBe('Bitcoin');
    expect(chainFamily('fabric:e532ba45d0607dfd5c08081c6355fee6')).toBe('Hyperledger Fabric');
    expect(chainFamily('arc:arc-dev')).toBe('Arc ledger');
    expect(chainFamily('mock:mock')).toBe('Mock (in memory)');
    expect(chainFamily('solana:mainnet')).toBeNull();
    expect(chainFamily(undefined)).toBeNull();
  });

  it('says each capability mark in words', () => {
    expect(capabilityCell('native')).toEqual({ mark: '✓', words: 'supported natively' });
    expect(capabilityCell('emulated')).toEqual({ mark: '≈', words: 'emulated by the adapter' });
    expect(capabilityCell(false)).toEqual({ mark: '—', words: 'not supported' });
  });
});
