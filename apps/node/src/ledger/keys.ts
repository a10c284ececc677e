import type { ApplicationState, StateEntry, StateView } from '@arc/core';
import { burnReceiptId, type CheckedTx, componentVersionId, grantId, reviewId, slashReceiptId, tokenAddress, usageId } from '@arc/core';
import type { StateCache } from './state-cache.ts';
import type { StateKeys } from './store.ts';

/**
 * Rounds of loading the keys the state names (report → review; component → latest version → beneficiaries;
 * application → the accounts it owes). The longest chain today takes two; a chain longer than this is a key rule
 * that never settles, a bug.
 */
export const DEPENDENT_KEY_PASSES_MAX = 4;

/** Adds every state entry a transaction may read to the key set. */
export function addTxKeys(keys: StateKeys, checked: CheckedTx): void {
  const { tx } = checked;
  keys.accounts.add(tx.from);
  if (tx.feePayer) {
    keys.accounts.add(tx.feePayer.did);
    // A fee payer that is an application accrues the fee to its billing account instead of paying it at once; any
    // other pays from a grant, named once the view says which it is (addDependentKeys).
    keys.applications.add(tx.feePayer.did);
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
      // A new name must be covered by the publisher's bonded stake, which counts its names.
      keys.stakes.add(tx.from);
      return;
    case 'transferComponent':
      keys.components.add(itx.name);
      // The name's count moves from the old owner's bond to the new owner's.
      keys.stakes.add(tx.from);
      keys.stakes.add(itx.to);
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
    case 'stake':
    case 'unstake':
    case 'withdrawStake':
      keys.stakes.add(tx.from);
      return;
    case 'slash':
      keys.stakes.add(itx.offender);
      keys.receipts.add(slashReceiptId(itx.evidenceHash));
      for (const a of itx.approvals) keys.accounts.add(a.did);
      return;
    case 'openApplication':
    case 'fundApplication':
    case 'withdrawDeposit':
      keys.applications.add(itx.application);
      return;
    case 'settle':
      for (const bill of itx.bills) {
        keys.applications.add(bill.application);
        for (const line of bill.lines) {
          if (line.kind === 'component') keys.components.add(line.payee);
          else keys.accounts.add(line.payee);
        }
      }
      return;
    case 'issueToken':
      keys.tokens.add(tokenAddress(itx.symbol));
      return;
    case 'mintToken':
      keys.tokens.add(itx.token);
      keys.accounts.add(itx.to);
      return;
    case 'burnToken':
      keys.tokens.add(itx.token);
      return;
    case 'bridgeLock':
      // The escrow account is loaded with every block (Ledger.produceBlock).
      return;
    case 'bridgeRelease':
      keys.accounts.add(itx.to);
      keys.receipts.add(burnReceiptId(itx.ethTxHash, itx.logIndex));
      // As for a slash: the signers' accounts, should the rules read them.
      for (const a of itx.approvals) keys.accounts.add(a.did);
      return;
    default:
      return;
  }
}

/**
 * Keys only the state can name, as far as the view holds the entries that name them: a fee payer that is no
 * application pays from its grant; resolving a report reads the review it is about; settling a component's line pays the beneficiaries of its latest version; an application
 * (settled, funded, or paying a fee) pays the accounts it owes. Adds them and answers whether any were new; call it
 * again on a view that holds the new keys until it answers false (viewForTxs).
 */
export function addDependentKeys(keys: StateKeys, txs: CheckedTx[], view: StateView): boolean {
  const before = keyCount(keys);
  // A block's settlements name the same few components in every bill: look each up once per pass.
  const components = new Set<string>();
  for (const { tx } of txs) {
    if (tx.feePayer) addPayerKeys(keys, tx.feePayer.did, tx.from, view);
    const itx = tx.itx;
    switch (itx.type) {
      case 'resolveReport': {
        const report = view.report(itx.report);
        if (report && report.reviewer !== '') keys.reviews.add(reviewId(report.component, report.reviewer));
        break;
      }
      case 'settle':
        for (const bill of itx.bills) {
          addOwedKeys(keys, view.application(bill.application));
          for (const line of bill.lines) {
            if (line.kind !== 'component' || components.has(line.payee)) continue;
            components.add(line.payee);
            addBeneficiaryKeys(keys, view, line.payee);
          }
        }
        break;
      case 'fundApplication':
        addOwedKeys(keys, view.application(itx.application));
        break;
      default:
        break;
    }
  }
  return keyCount(keys) > before;
}

/**
 * What paying a fee for `from` reads besides the payer's account: an application's billing entry and the accounts it
 * owes, or else the payer's grant to `from`. (Every transaction an application pays for would otherwise look up a
 * grant that is never read: a database query per admission of a new sender.)
 */
function addPayerKeys(keys: StateKeys, payer: string, from: string, view: StateView): void {
  const application = view.application(payer);
  if (application) addOwedKeys(keys, application);
  else keys.grants.add(grantId(payer, from));
}

/** The accounts an application owes: proposers of its unsettled fees and payees of its unpaid payouts. */
function addOwedKeys(keys: StateKeys, application: ApplicationState | undefined): void {
  if (!application) return;
  for (const did of application.feesOwed.keys()) keys.accounts.add(did);
  for (const did of application.unpaid.keys()) keys.accounts.add(did);
}

/** A component's latest version, and once the view holds it, the accounts of its beneficiaries. */
function addBeneficiaryKeys(keys: StateKeys, view: StateView, name: string): void {
  const component = view.component(name);
  if (!component || component.latestVersion === '') return;
  keys.componentVersions.add(componentVersionId(name, component.latestVersion));
  const version = view.componentVersion(name, component.latestVersion);
  if (version) for (const b of version.beneficiaries) keys.accounts.add(b.did);
}

function keyCount(keys: StateKeys): number {
  let n = 0;
  for (const set of Object.values(keys) as Set<string>[]) n += set.size;
  return n;
}

/** Loads every entry the transactions may read: their own keys, then, round by round, the keys their state names. */
export async function viewForTxs(
  cache: StateCache,
  keys: StateKeys,
  txs: CheckedTx[],
  overlay?: ReadonlyMap<string, StateEntry | null>,
): Promise<StateView> {
  for (const checked of txs) addTxKeys(keys, checked);
  let view = await cache.view(keys, overlay);
  for (let pass = 1; addDependentKeys(keys, txs, view); pass++) {
    // A view missing an entry the rules read would apply the block differently from every other node: stop instead.
    if (pass > DEPENDENT_KEY_PASSES_MAX) {
      throw new Error(`the state keys of a block still grew after ${DEPENDENT_KEY_PASSES_MAX} passes (a key rule that never settles)`);
    }
    view = await cache.view(keys, overlay);
  }
  return view;
}
