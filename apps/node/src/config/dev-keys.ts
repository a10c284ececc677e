import { didFromPublicKey, type KeyPair, keyPairFromSeed, sha3, utf8 } from '@arc/core';

/**
 * Well-known keys of development chains: the faucet and the demo accounts. Their seeds are public
 * on purpose (anyone can sign as them), which is why they are only funded by dev genesis files.
 */
export const DEV_ACCOUNT_NAMES = ['faucet', 'alice', 'bob', 'carol'] as const;
export type DevAccountName = (typeof DEV_ACCOUNT_NAMES)[number];

/** The key pair of a well-known development account. */
export function devKey(name: DevAccountName): KeyPair & { did: string } {
  const key = keyPairFromSeed(sha3(utf8(`arc-dev:${name}`)));
  return { ...key, did: didFromPublicKey(key.publicKey) };
}
