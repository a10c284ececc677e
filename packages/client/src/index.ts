/** @arc/client: wallet, transaction builders and a typed, proof-checking client of an Arc node. */
export * from './amount.ts';
export * from './builders.ts';
export * from './client.ts';
export * from './errors.ts';
export * from './proof.ts';
export * from './schemas.ts';
export * from './tx.ts';
export * from './wallet.ts';
// The core pieces an application needs alongside the client, so it imports one package.
export { attachSignatures, signTx, tokenAddress, assetAddress, isValidDid, parseDid, LEDGER_ERRORS } from '@arc/core';
export type { Itx, ItxType, Tx, UnsignedTx, TokenAmount, FeePayer } from '@arc/core';
