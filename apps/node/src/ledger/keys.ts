import { type CheckedTx, grantId, tokenAddress } from '@arc/core';
import type { StateKeys } from './store.ts';

/** Adds every state entry a transaction may read to the key set. */
export function addTxKeys(keys: StateKeys, checked: CheckedTx): void {
  const { tx } = checked;
  keys.accounts.add(tx.from);
  if (tx.feePayer) {
    keys.accounts.add(tx.feePayer.did);
    keys.grants.add(grantId(tx.feePayer.did, tx.from));
  }
  const itx = tx.itx;
  switch (itx.type) {
    case 'transfer':
      keys.accounts.add(itx.to);
      for (const t of itx.tokens) keys.tokens.add(t.token);
      for (const a of itx.assets) keys.assets.add(a);
      return;
    case 'createToken':
      keys.tokens.add(tokenAddress(itx.symbol));
      return;
    case 'updateAsset':
    case 'consumeAsset':
      keys.assets.add(itx.address);
      return;
    case 'delegate':
    case 'revokeDelegation':
      keys.grants.add(grantId(tx.from, itx.grantee));
      return;
    default:
      return;
  }
}
