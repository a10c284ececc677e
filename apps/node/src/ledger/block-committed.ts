import type { EventEmitter } from 'node:events';
import type { BlockHeader, Tx } from '@arc/core';

/** What subscribers hear after each commit. */
export interface BlockCommitted {
  header: BlockHeader;
  hash: Uint8Array;
  txHashes: string[];
  /** The block's transactions that failed (in `txHashes` too): each paid its fee, nothing else happened. */
  failed: { hashHex: string; code: string; message: string }[];
  /** Every transaction the block rejected or dropped, also those past their sender's bound that were not stored. */
  rejected: { hashHex: string; code: string; message: string }[];
  /**
   * The committed transactions in block order, as the producer held them, so subscribers need not read the block
   * back from the database. Absent on a block that did not come from this producer: read it from the `txs` table.
   */
  txs?: CommittedTx[];
}

/** One committed transaction as written to `txs`: its hash, type, the accounts it touched, the decoded tx, why it failed. */
export interface CommittedTx {
  hashHex: string;
  type: Tx['itx']['type'];
  accounts: string[];
  tx: Tx;
  /** Set when its inner transaction failed: it paid its fee and did nothing else (indexes of what txs did skip it). */
  failed: { code: string; message: string } | null;
}

/** Tells every subscriber of a committed block; one that throws neither stops the others nor the chain. */
export function announce(events: EventEmitter<{ block: [BlockCommitted] }>, committed: BlockCommitted, log: (line: string) => void): void {
  // rawListeners: a `once` subscriber's wrapper removes itself, as emit() would.
  const failed = (error: unknown) => log(`a subscriber of block ${committed.header.height} failed: ${(error as Error).message}`);
  for (const listener of events.rawListeners('block') as ((b: BlockCommitted) => unknown)[]) {
    try {
      const result = listener(committed);
      // An async subscriber's failure is its own to handle; here it is at least never unhandled.
      if (result instanceof Promise) result.then(undefined, failed);
    } catch (error) {
      failed(error);
    }
  }
}
