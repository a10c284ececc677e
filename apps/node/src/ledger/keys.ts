import type { StateView } from '@arc/core';
import { type CheckedTx, componentVersionId, grantId, reviewId, tokenAddress, usageId } from '@arc/core';
import type { StateCache } from './state-cache.ts';
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
    case 'publishComponent':
      keys.components.add(itx.name);
      keys.componentVersions.add(componentVersionId(itx.name, itx.version));
      return;
    case 'transferComponent':
      keys.components.add(itx.name);
      return;
    case 'deprecateVersion':
      keys.components.add(itx.name);
      keys.componentVersions.add(componentVersionId(itx.name, itx.version));
      return;
    case 'reviewComponent':
      keys.components.add(itx.name);
      keys.usage.add(usageId(itx.name, tx.from));
      keys.reviews.add(reviewId(itx.name, tx.from));
      return;
    case 'replyReview':
      keys.components.add(itx.name);
      keys.reviews.add(reviewId(itx.name, itx.reviewer));
      return;
    case 'reportAbuse':
      keys.components.add(itx.name);
      if (itx.reviewer !== '') keys.reviews.add(reviewId(itx.name, itx.reviewer));
      keys.reports.add(checked.hashHex);
      return;
    case 'resolveReport':
      // The report names the review it is about; a block that resolves it loads that review in a second pass.
      keys.reports.add(itx.report);
      return;
    case 'recordUsage':
      for (const r of itx.records) {
        keys.components.add(r.component);
        keys.usage.add(usageId(r.component, r.account));
      }
      return;
    default:
      return;
  }
}

/**
 * Keys only the state can name: resolving a report reads the review it is about, which the report's entry says.
 * Adds them and answers whether any were new.
 */
export function addDependentKeys(keys: StateKeys, txs: CheckedTx[], view: StateView): boolean {
  let added = false;
  for (const { tx } of txs) {
    if (tx.itx.type !== 'resolveReport') continue;
    const report = view.report(tx.itx.report);
    if (!report || report.reviewer === '') continue;
    const id = reviewId(report.component, report.reviewer);
    if (!keys.reviews.has(id)) {
      keys.reviews.add(id);
      added = true;
    }
  }
  return added;
}

/** Loads every entry the transactions may read: their own keys, then the keys their state names. */
export async function viewForTxs(cache: StateCache, keys: StateKeys, txs: CheckedTx[]): Promise<StateView> {
  for (const checked of txs) addTxKeys(keys, checked);
  const view = await cache.view(keys);
  return addDependentKeys(keys, txs, view) ? cache.view(keys) : view;
}
