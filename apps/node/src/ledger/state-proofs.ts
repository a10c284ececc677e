import { bytesEqual, encodeProof, type StateKind, stateKey, stateKeyHash, TrieNodeMissing, toHex } from '@arc/core';
import { z } from 'zod';
import { NodeError } from '../errors.ts';
import { STATE_ENTRY_KINDS } from './api-schemas.ts';
import type { Ledger } from './ledger.ts';

/** The longest state entry id: a component name, '/', and a DID (or '@' and a version). */
export const STATE_ENTRY_ID_MAX = 256;

export const StateProofIn = z.object({
  kind: z.enum(STATE_ENTRY_KINDS),
  id: z.string().min(1).max(STATE_ENTRY_ID_MAX),
  height: z.number().int().min(0),
});

const hex = z.string();

export const StateProofOut = z.object({
  height: z.number(),
  /** The state root of the block at `height` (block.byHeight says the same). */
  stateRoot: hex,
  key: z.string(),
  /** SHA3 of the entry's canonical bytes at that height; null when it did not exist then (a proof of absence). */
  valueHash: hex.nullable(),
  siblings: z.array(hex),
  leaf: z.object({ key: hex, valueHash: hex }).nullable(),
});

/**
 * A Merkle proof of one state entry against the state root of a recent block (the trie keeps the roots of the last
 * `retainBlocks` blocks): what the entry's hash was then, or that it was absent. Older heights are HEIGHT_PRUNED.
 */
export async function stateProofAt(ledger: Ledger, input: z.infer<typeof StateProofIn>): Promise<z.infer<typeof StateProofOut>> {
  const head = ledger.head.height;
  if (input.height > head) throw new NodeError('NOT_FOUND', `block ${input.height} does not exist yet; the head is ${head}`);
  const pruned = () => {
    const from = ledger.trie.provableFrom(ledger.head.height);
    return new NodeError(
      'HEIGHT_PRUNED',
      `the state at height ${input.height} is pruned: this node proves heights ${from} to ${ledger.head.height}`,
    );
  };
  if (input.height < ledger.trie.provableFrom(head)) throw pruned();
  const [row] = await ledger.db.query<{ state_root: Uint8Array }>('SELECT state_root FROM blocks WHERE height = $1', [input.height]);
  if (!row) throw new NodeError('NOT_FOUND', `block ${input.height} was not found`);
  const root = new Uint8Array(row.state_root);
  const key = stateKey(input.kind as StateKind, input.id);
  try {
    const proof = await ledger.trie.prove(key, root);
    const mine = proof.leaf !== null && bytesEqual(proof.leaf.key, stateKeyHash(key));
    return {
      height: input.height,
      stateRoot: toHex(root),
      key,
      valueHash: mine && proof.leaf ? toHex(proof.leaf.valueHash) : null,
      ...encodeProof(proof),
    };
  } catch (error) {
    // Pruned while the proof was being read (the head moved on past the window).
    if (error instanceof TrieNodeMissing) throw pruned();
    throw error;
  }
}
