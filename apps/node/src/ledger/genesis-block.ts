import { blockHash, type GenesisConfig, genesisEntries, genesisHeader, type KeyPair, signMessage } from '@arc/core';
import type { StateTrie } from './state-trie.ts';
import type { CommitBlock } from './store.ts';

/** Block 0: no transactions, the genesis allocations as its state writes. */
export function genesisBlock(
  config: GenesisConfig,
  trie: StateTrie,
  key: KeyPair,
): { block: CommitBlock; trieUpdate: ReturnType<StateTrie['seed']> } {
  const entries = genesisEntries(config);
  const trieUpdate = trie.seed(entries);
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
