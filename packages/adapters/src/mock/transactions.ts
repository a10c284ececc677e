import type { OcapTx } from '@arc/core';
import type { MockChain } from './chain.ts';

/** A transaction (or emitted log) as OCAP shows it: pending in the mempool, or mined with its outcome; null if unknown. */
export function readMockTx(chain: MockChain, hash: string): OcapTx | null {
  const found = chain.lookupTx(hash);
  if (!found) return null;
  const { entry } = found;
  const moved =
    entry.kind === 'log'
      ? { from: entry.address, to: null, value: 0n }
      : { from: entry.from, to: entry.to, value: entry.kind === 'transfer' ? entry.amount : 0n };
  if (found.status === 'pending')
    return { hash, status: 'pending', ...moved, fee: null, blockHeight: null, blockHash: null, confirmations: 0 };
  const { header } = found.block;
  const tx: OcapTx = {
    hash,
    status: found.outcome.status,
    ...moved,
    fee: found.outcome.fee,
    blockHeight: header.height,
    blockHash: header.hash,
    confirmations: chain.head.header.height - header.height + 1,
  };
  if (found.outcome.error !== undefined) tx.error = found.outcome.error;
  return tx;
}
