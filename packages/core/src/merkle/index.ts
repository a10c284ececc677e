/** Merkle commitments over ledger state. */
export * from './trie.ts';
export * from './whole-trie.ts';
