import type { EconomyEvent } from './economy-apply.ts';
import { applicationOwes, cloneApplication } from './economy-state.ts';
import type { ApplicationState, Bill } from './economy-types.ts';
import { LedgerError, ledgerError } from './errors.ts';
import { AMOUNT_MAX, ECONOMY_LIMITS, SHARE_BPS_TOTAL } from './limits.ts';
import { cloneAccount, type Overlay } from './state.ts';
import type { AccountState, Beneficiary, BlockContext } from './types.ts';

/**
 * The economy's billing rules (economy-apply.ts dispatches to them): fees an application pays for its users, bills
 * settled into payouts (treasury's cut, beneficiaries by basis points), paid all or nothing from the deposit.
 */

export function emptyAccount(did: string): AccountState {
  return { did, publicKey: null, moniker: '', nonce: 0, balance: 0n, tokens: new Map() };
}

/** Adds (or, with a negative amount, takes) ABT on an account; answers INSUFFICIENT_FUNDS instead of going below 0. */
export function moveBalance(s: Overlay, did: string, amount: bigint): LedgerError | null {
  const account = cloneAccount(s.account(did) ?? emptyAccount(did));
  if (account.balance + amount < 0n) {
    return ledgerError('INSUFFICIENT_FUNDS', `${did} has ${account.balance} and cannot pay ${-amount}`);
  }
  account.balance += amount;
  s.put({ kind: 'account', value: account });
  return null;
}

export function application(s: Overlay, did: string): ApplicationState | LedgerError {
  const app = s.application(did);
  return app ? cloneApplication(app) : ledgerError('UNKNOWN_APPLICATION', `no application has billing open under ${did}`);
}

function addTo(map: Map<string, bigint>, key: string, amount: bigint): void {
  if (amount > 0n) map.set(key, (map.get(key) ?? 0n) + amount);
}

/**
 * Pays everything settled and unpaid from the deposit when the deposit covers all of it (and the fees owed since);
 * otherwise nothing moves and the application is in arrears from now (if it was not already). All or nothing: no
 * payee is paid ahead of another.
 */
export function payUnpaid(app: ApplicationState, ctx: BlockContext, paid: Map<string, bigint>): void {
  let total = 0n;
  for (const v of app.unpaid.values()) total += v;
  if (total === 0n) {
    app.arrearsSinceMs = 0;
    return;
  }
  // Fees its users ran up in grace stay covered too: paying the bills must not leave the deposit short of them.
  let feesOwed = 0n;
  for (const v of app.feesOwed.values()) feesOwed += v;
  if (app.deposit < total + feesOwed) {
    if (app.arrearsSinceMs === 0) app.arrearsSinceMs = ctx.timeMs;
    return;
  }
  app.deposit -= total;
  for (const [to, amount] of app.unpaid) addTo(paid, to, amount);
  app.unpaid = new Map();
  app.arrearsSinceMs = 0;
}

/**
 * Credits what `payUnpaid` paid, once per payee (a settlement sums its bills' payouts: one balance write and one
 * event per payee, not one per payee per bill). `application` is '' for a settlement's sum over its bills.
 */
export function payOut(s: Overlay, paid: Map<string, bigint>, application: string, events: EconomyEvent[], accounts: Set<string>): void {
  for (const [to, amount] of [...paid].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    moveBalance(s, to, amount);
    accounts.add(to);
    events.push({ type: 'paidOut', application, to, amount });
  }
}

/**
 * Splits `amount` by basis points: each share is floored, and what flooring leaves (less than one unit per payee)
 * goes to the first payee, so the parts always add up to the whole.
 */
export function splitByBps(amount: bigint, shares: { did: string; shareBps: number }[]): [string, bigint][] {
  const parts = shares.map(({ did, shareBps }) => [did, (amount * BigInt(shareBps)) / BigInt(SHARE_BPS_TOTAL)] as [string, bigint]);
  const rest = amount - parts.reduce((sum, [, v]) => sum + v, 0n);
  if (parts[0]) parts[0][1] += rest;
  return parts;
}

/**
 * A component line's payees: the beneficiaries of the component's latest version, or why there are none. Looked up
 * once per settlement in `memo`: a settlement writes no component, and its bills name the same few in every bill
 * (each lookup through the block's overlays costs more than the line's arithmetic).
 */
function lineBeneficiaries(s: Overlay, name: string, memo: Map<string, Beneficiary[] | LedgerError>): Beneficiary[] | LedgerError {
  let found = memo.get(name);
  if (found === undefined) {
    const component = s.component(name);
    const version = component && s.componentVersion(component.name, component.latestVersion);
    found = !component
      ? ledgerError('UNKNOWN_COMPONENT', `no component is named ${name}`)
      : (version?.beneficiaries ?? ledgerError('UNKNOWN_VERSION', `${component.name}@${component.latestVersion} is missing`));
    memo.set(name, found);
  }
  return found;
}

/**
 * One application's bill: its lines and its accrued fees become payouts (treasury's cut first), then are paid if
 * covered. `beneficiaries` remembers component lines' payees across the bills of one settlement.
 */
export function settleBill(
  s: Overlay,
  bill: Bill,
  period: number,
  ctx: BlockContext,
  events: EconomyEvent[],
  accounts: Set<string>,
  paid: Map<string, bigint>,
  beneficiaries: Map<string, Beneficiary[] | LedgerError> = new Map(),
): LedgerError | null {
  const p = ctx.params.economy;
  const app = application(s, bill.application);
  if (app instanceof LedgerError) return app;
  if (period < app.nextPeriod) return ledgerError('PERIOD_SETTLED', `${app.did} is settled through period ${app.nextPeriod - 1}`);
  const payouts = new Map<string, bigint>();
  let charged = 0n;
  const cut = (amount: bigint): bigint => {
    const treasury = (amount * BigInt(p.treasuryBps)) / BigInt(SHARE_BPS_TOTAL);
    addTo(payouts, p.treasury, treasury);
    charged += amount;
    return amount - treasury;
  };
  for (const line of bill.lines) {
    const rest = cut(line.amount);
    if (line.kind === 'node') {
      addTo(payouts, line.payee, rest);
      continue;
    }
    const shares = lineBeneficiaries(s, line.payee, beneficiaries);
    if (shares instanceof LedgerError) return shares;
    for (const [did, part] of splitByBps(rest, shares)) addTo(payouts, did, part);
  }
  for (const [proposer, fee] of app.feesOwed) addTo(payouts, proposer, cut(fee));
  app.feesOwed = new Map();
  for (const [did, amount] of payouts) addTo(app.unpaid, did, amount);
  if (app.unpaid.size > ECONOMY_LIMITS.unpaidPayeesMax) {
    return ledgerError('DEPOSIT_TOO_LOW', `${app.did} owes more payees than a bill can carry; its owner must add funds first`);
  }
  // What is owed must stay encodable (and payable: no deposit can hold more than the largest amount).
  if (applicationOwes(app) > AMOUNT_MAX) {
    return ledgerError('DEPOSIT_TOO_LOW', `${app.did} would owe more than the largest amount; its owner must pay what it owes first`);
  }
  app.nextPeriod = period + 1;
  payUnpaid(app, ctx, paid);
  s.put({ kind: 'application', value: app });
  events.push({ type: 'billSettled', application: app.did, period, charged, paid: app.unpaid.size === 0 });
  accounts.add(app.did);
  accounts.add(app.owner);
  return null;
}

/**
 * Charges a fee to an application that pays for its users: the fee accrues to its bill (paid at settlement), as long
 * as its deposit covers everything it owes; a suspended application pays for nobody.
 */
export function accrueApplicationFee(
  s: Overlay,
  app: ApplicationState,
  fee: bigint,
  ctx: BlockContext,
  events: EconomyEvent[],
): LedgerError | null {
  const p = ctx.params.economy;
  if (app.unpaid.size > 0 && ctx.timeMs >= app.arrearsSinceMs + p.graceMs) {
    return ledgerError('APP_SUSPENDED', `${app.did} is suspended for unpaid bills; its owner must add funds to its deposit`);
  }
  if (fee === 0n) return null;
  // In grace the unpaid bill is the owner's to settle; its users keep transacting while the deposit covers their fees.
  let fees = fee;
  for (const owed of app.feesOwed.values()) fees += owed;
  if (app.deposit < fees) {
    return ledgerError('DEPOSIT_TOO_LOW', `the deposit of ${app.did} does not cover its users' fees; its owner must add funds`);
  }
  const next = cloneApplication(app);
  if (!next.feesOwed.has(ctx.proposer) && next.feesOwed.size >= ECONOMY_LIMITS.feePayeesMax) {
    return ledgerError('DEPOSIT_TOO_LOW', `${app.did} owes fees to too many nodes; wait for the next settlement`);
  }
  addTo(next.feesOwed, ctx.proposer, fee);
  s.put({ kind: 'application', value: next });
  events.push({ type: 'feeAccrued', application: app.did, proposer: ctx.proposer, amount: fee });
  return null;
}
