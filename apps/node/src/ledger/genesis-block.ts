import {
  applyWritesToTrie,
  blockHash,
  EMPTY_ROOT,
  type GenesisConfig,
  genesisEntries,
  genesisHeader,
  type KeyPair,
  signMessage,
  type TrieUpdateResult,
} from '@arc/core';
import type { CommitBlock } from './store.ts';

/** Block 0: no transactions, the genesis allocations as its state writes. */
export function genesisBlock(config: GenesisConfig, key: KeyPair): { block: CommitBlock; trieUpdate: TrieUpdateResult } {
  const entries = genesisEntries(config);
  // From the empty trie nothing is read: every node is built.
  const trieUpdate = applyWritesToTrie({ get: () => undefined }, EMPTY_ROOT, entries);
  const header = genesisHeader(config, trieUpdate.root);
  const hash = blockHash(header);
  return {
    block: {
      header,
      hash,
      seal: { publicKey: key.publicKey, signature: signMessage(key.secretKey, hash) },
      txs: [],
      writes: entries,
      rejected: [],
    },
    trieUpdate,
  };
}
