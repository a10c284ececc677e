/** Merkle commitments over ledger state. */
export * from './trie.ts';
