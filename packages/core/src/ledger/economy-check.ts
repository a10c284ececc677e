import { utf8 } from '../bytes.ts';
import { isValidDid } from '../did/did.ts';
import type { Approval, EconomyItx, SettleTx } from './economy-types.ts';
import { type LedgerError, ledgerError } from './errors.ts';
import { BLOCKLET_NAME, ECONOMY_LIMITS, ETH_ADDRESS, TOKEN_SYMBOL, TX_LIMITS } from './limits.ts';

/** Field rules of the economy's inner transactions that hold whatever the state is (signatures are checked on apply). */

function did(value: string, field: string): LedgerError | null {
  return isValidDid(value) ? null : ledgerError('INVALID_DID', `${field} is not a valid did:abt: identifier (${value.slice(0, 64)})`);
}

function positive(amount: bigint, what: string): LedgerError | null {
  return amount > 0n ? null : ledgerError('INVALID_TX', `${what} must be above 0`);
}

function approvals(list: Approval[]): LedgerError | null {
  if (list.length === 0) return ledgerError('INVALID_TX', 'the transaction carries no approvals; collect them from the signers first');
  const bad = list.map((a) => did(a.did, 'an approver')).find((e) => e);
  if (bad) return bad;
  if (new Set(list.map((a) => a.did)).size !== list.length) return ledgerError('INVALID_TX', 'an approver appears twice');
  return null;
}

function validateSettle(itx: SettleTx): LedgerError | null {
  const E = ECONOMY_LIMITS;
  if (!Number.isSafeInteger(itx.period) || itx.period < 0) return ledgerError('INVALID_TX', 'a period is a whole number, 0 or more');
  if (itx.bills.length < 1 || itx.bills.length > E.billsMax)
    return ledgerError('INVALID_TX', `a settlement holds 1 to ${E.billsMax} bills`);
  if (new Set(itx.bills.map((b) => b.application)).size !== itx.bills.length) {
    return ledgerError('INVALID_TX', 'an application has two bills in one settlement; merge them');
  }
  for (const bill of itx.bills) {
    const bad = did(bill.application, 'a bill application');
    if (bad) return bad;
    if (bill.lines.length > E.billLinesMax) return ledgerError('INVALID_TX', `a bill holds at most ${E.billLinesMax} lines`);
    const seen = new Set<string>();
    for (const line of bill.lines) {
      const badPayee = line.kind === 'component' ? componentName(line.payee) : did(line.payee, 'a node line payee');
      if (badPayee) return badPayee;
      const key = `${line.kind}:${line.payee}`;
      if (seen.has(key)) return ledgerError('INVALID_TX', `${line.payee} has two lines in one bill; add the amounts`);
      seen.add(key);
      const badAmount = positive(line.amount, 'a bill line amount');
      if (badAmount) return badAmount;
    }
  }
  return null;
}

function componentName(name: string): LedgerError | null {
  return BLOCKLET_NAME.test(name)
    ? null
    : ledgerError('INVALID_TX', 'a component name is 2 to 64 lower-case letters, digits or dashes, starting with a letter');
}

export function validateEconomyItx(itx: EconomyItx): LedgerError | null {
  switch (itx.type) {
    case 'stake':
      return positive(itx.amount, 'a stake');
    case 'unstake':
      return positive(itx.amount, 'an amount to unstake');
    case 'withdrawStake':
      return null;
    case 'slash': {
      const bytes = utf8(itx.reason).length;
      if (itx.reason.trim() === '' || bytes > ECONOMY_LIMITS.slashReasonBytes) {
        return ledgerError('INVALID_TX', `a slash gives a reason of 1 to ${ECONOMY_LIMITS.slashReasonBytes} bytes`);
      }
      return did(itx.offender, 'offender') ?? positive(itx.amount, 'a slash amount') ?? approvals(itx.approvals);
    }
    case 'openApplication':
      return did(itx.application, 'application') ?? (itx.deposit < 0n ? ledgerError('INVALID_TX', 'a deposit is 0 or more') : null);
    case 'fundApplication':
      return did(itx.application, 'application') ?? positive(itx.amount, 'a deposit');
    case 'withdrawDeposit':
      return did(itx.application, 'application') ?? positive(itx.amount, 'an amount to withdraw');
    case 'settle':
      return validateSettle(itx);
    case 'issueToken': {
      if (!TOKEN_SYMBOL.test(itx.symbol))
        return ledgerError('INVALID_TX', 'a token symbol is 2 to 16 characters: A-Z first, then A-Z or 0-9');
      if (itx.name.trim() === '') return ledgerError('INVALID_TX', 'a token needs a name');
      if (itx.decimals > TX_LIMITS.tokenDecimalsMax)
        return ledgerError('INVALID_TX', `token decimals are at most ${TX_LIMITS.tokenDecimalsMax}`);
      if (itx.policy === 'capped') {
        if (itx.cap <= 0n) return ledgerError('INVALID_TX', 'a capped token needs a cap above 0');
        if (itx.initialSupply > itx.cap) return ledgerError('INVALID_TX', 'the initial supply is above the cap');
      } else if (itx.cap !== 0n) {
        return ledgerError('INVALID_TX', 'only a capped token has a cap; leave it 0');
      }
      if (itx.policy === 'fixed' && itx.initialSupply === 0n)
        return ledgerError('INVALID_TX', 'a fixed-supply token needs a supply above 0');
      return null;
    }
    case 'mintToken':
      return did(itx.token, 'token') ?? did(itx.to, 'to') ?? positive(itx.amount, 'an amount to mint');
    case 'burnToken':
      return did(itx.token, 'token') ?? positive(itx.amount, 'an amount to burn');
    case 'bridgeLock':
      if (!ETH_ADDRESS.test(itx.ethAddress)) {
        return ledgerError('INVALID_TX', 'an Ethereum address is 0x and 40 lower-case hex digits');
      }
      return positive(itx.amount, 'an amount to bridge');
    case 'bridgeRelease':
      if (!Number.isSafeInteger(itx.logIndex) || itx.logIndex < 0) return ledgerError('INVALID_TX', 'a log index is a whole number');
      return did(itx.to, 'to') ?? positive(itx.amount, 'an amount to release') ?? approvals(itx.approvals);
  }
}
