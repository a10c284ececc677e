import type { EventEmitter } from 'node:events';
import type { BlockHeader, BlockSeal, BuiltBlock, Tx } from '@arc/core';
import type { Dropped } from './mempool.ts';
import type { CommitBlock } from './store.ts';

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

/** What the database records of a built block: its rows, and the drops whose records `stored` kept (within bounds). */
export function commitRecord(built: BuiltBlock, seal: BlockSeal, stored: Dropped[]): CommitBlock {
  return {
    header: built.header,
    hash: built.hash,
    seal,
    txs: built.applied.included.map(({ checked, ok }) => ({
      checked,
      accounts: ok.accounts,
      events: ok.events,
      failed: ok.failed && { code: ok.failed.code, message: ok.failed.message },
    })),
    writes: built.writes,
    rejected: stored.map((d) => ({ hashHex: d.entry.checked.hashHex, code: d.code, message: d.message })),
  };
}

/** What subscribers hear of a committed block: every drop, also those whose records went past their bound. */
export function committedOf(block: CommitBlock, dropped: Dropped[]): BlockCommitted {
  return {
    header: block.header,
    hash: block.hash,
    txHashes: block.txs.map((t) => t.checked.hashHex),
    failed: block.txs.flatMap(({ checked, failed }) => (failed ? [{ hashHex: checked.hashHex, ...failed }] : [])),
    rejected: dropped.map((d) => ({ hashHex: d.entry.checked.hashHex, code: d.code, message: d.message })),
    txs: block.txs.map(({ checked, accounts, failed }) => ({
      hashHex: checked.hashHex,
      type: checked.tx.itx.type,
      accounts,
      tx: checked.tx,
      failed,
    })),
  };
}
