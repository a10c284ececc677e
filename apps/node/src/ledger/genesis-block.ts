import {
  BLOCK_VERSION,
  type BlockHeader,
  blockHash,
  type GenesisConfig,
  genesisEntries,
  type KeyPair,
  signMessage,
  txMerkleRoot,
  ZERO_HASH,
} from '@arc/core';
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
  const header: BlockHeader = {
    version: BLOCK_VERSION,
    chainId: config.chainId,
    height: 0,
    prevHash: ZERO_HASH,
    timeMs: config.timeMs,
    proposer: '',
    txRoot: txMerkleRoot([]),
    stateRoot: trieUpdate.root,
    txCount: 0,
  };
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
