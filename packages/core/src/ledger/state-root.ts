import { sha3 } from '../crypto/provider.ts';
import { type TrieNodeReader, type TrieUpdateResult, updateTrie } from '../merkle/trie.ts';
import { encodeEntry, type StateEntry, type StateWrite, stateKeyHash, writeKey } from './state.ts';

/** The trie leaf value of an entry: SHA3-256 of its canonical encoding. */
export function entryValueHash(entry: StateEntry): Uint8Array {
  return sha3(encodeEntry(entry));
}

/** Folds a block's writes into the state trie; cost grows with the writes, not the state. */
export function applyWritesToTrie(reader: TrieNodeReader, root: Uint8Array, writes: Iterable<StateWrite>): TrieUpdateResult {
  const updates = [];
  for (const write of writes) {
    updates.push({
      key: stateKeyHash(writeKey(write)),
      valueHash: write.value === null ? null : entryValueHash(write as StateEntry),
    });
  }
  return updateTrie(reader, root, updates);
}
