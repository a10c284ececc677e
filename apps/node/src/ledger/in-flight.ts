import type { BuiltBlock, StateEntry, StateWrite, TrieNode } from '@arc/core';
import { writeKey } from '@arc/core';
import type { BlockCommitted } from './block-committed.ts';
import type { Head } from './ledger-options.ts';
import type { Dropped } from './mempool.ts';

/**
 * A block whose commit is under way while the producer builds the next one on top of it (the pipeline): the next
 * block's parent, what it wrote (read before the cache and the database), the trie nodes it made (not yet in the
 * database), and the transactions it holds or drops (not offered again). Nothing of it is acknowledged until `commit`
 * resolves: the database holds the block then.
 */
export interface InFlight {
  head: Head;
  writes: Map<string, StateEntry | null>;
  nodes: ReadonlyMap<string, TrieNode>;
  /** The transactions it holds. */
  held: Set<string>;
  /** Those and the ones it drops. */
  txs: Set<string>;
  commit: Promise<BlockCommitted>;
}

/** The in-flight record of a built block whose commit `commit` is. */
export function inFlight(built: BuiltBlock, dropped: Dropped[], commit: Promise<BlockCommitted>): InFlight {
  const { header, hash, writes, trieUpdate } = built;
  const held = new Set(built.applied.included.map(({ checked }) => checked.hashHex));
  const txs = new Set(held);
  for (const d of dropped) txs.add(d.entry.checked.hashHex);
  return {
    head: { height: header.height, hash, stateRoot: header.stateRoot, timeMs: header.timeMs },
    writes: new Map(writes.map((w: StateWrite) => [writeKey(w), w.value === null ? null : (w as StateEntry)])),
    nodes: trieUpdate.created,
    held,
    txs,
    commit,
  };
}
