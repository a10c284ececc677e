/** @arc/client: wallet, transaction builders and a typed, proof-checking client of an Arc node. */

export type { FeePayer, Itx, ItxType, TokenAmount, Tx, UnsignedTx } from '@arc/core';
// The core pieces an application needs alongside the client, so it imports one package.
export { assetAddress, attachSignatures, isValidDid, LEDGER_ERRORS, parseDid, signTx, tokenAddress } from '@arc/core';
export * from './amount.ts';
export * from './builders.ts';
export * from './client.ts';
export * from './e2e.ts';
export * from './economy-builders.ts';
export * from './errors.ts';
export * from './keystore.ts';
export * from './light-client.ts';
export * from './node-api-http.ts';
export * from './proof.ts';
export * from './realtime.ts';
export * from './schemas.ts';
export * from './tx.ts';
export * from './verify.ts';
export * from './wallet.ts';
