import { isValidDid, OcapError, type TransferTx } from '@arc/core';

/** Argument checks of the native adapter: each mistake is an OcapError naming what was wrong. */

const HASH = /^(0x)?[0-9a-fA-F]{64}$/;

/** A transfer's inner transaction: ABT, tokens and assets to one recipient. */
export function transferItx(to: string, moves: Partial<Pick<TransferTx, 'amount' | 'tokens' | 'assets'>>): TransferTx {
  return { type: 'transfer', to, amount: moves.amount ?? 0n, tokens: moves.tokens ?? [], assets: moves.assets ?? [], memo: '' };
}

export function checkAddress(address: string, what = 'address'): void {
  if (typeof address !== 'string' || !isValidDid(address)) {
    throw new OcapError(
      'INVALID_ADDRESS',
      `"${String(address)}" is not a valid did:abt: ${what} (check for a missing or wrong character).`,
    );
  }
}

export function checkAmount(amount: bigint): void {
  if (typeof amount !== 'bigint' || amount <= 0n)
    throw new OcapError('INVALID_ARGUMENT', `An amount is a bigint above 0 in the smallest unit, not ${String(amount)}.`);
}

/** The lower-case hex form the node names blocks and transactions by. */
export function checkHash(hash: string): string {
  if (typeof hash !== 'string' || !HASH.test(hash))
    throw new OcapError('INVALID_ARGUMENT', `"${String(hash)}" is not a hash (64 hex characters).`);
  return hash.replace(/^0x/, '').toLowerCase();
}
