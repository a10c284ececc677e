import { verifySignature } from '../crypto/provider.ts';
import { didMatchesPublicKey } from '../did/did.ts';
import { tokenAddress } from './addresses.ts';
import type { CheckedTx } from './check.ts';
import { application, emptyAccount, moveBalance, payOut, payUnpaid, settleBill } from './economy-billing-apply.ts';
import { approvalDigest, burnReceiptId, openApplicationDigest, slashReceiptId } from './economy-codec.ts';
import { applicationOwes, cloneStake, emptyStake } from './economy-state.ts';
import type { Approval, EconomyItx } from './economy-types.ts';
import { LedgerError, ledgerError } from './errors.ts';
import { AMOUNT_MAX, ECONOMY_LIMITS } from './limits.ts';
import { checkUnstakeKeepsNames } from './name-bond.ts';
import { cloneAccount, type Overlay } from './state.ts';
import type { AccountState, Beneficiary, BlockContext } from './types.ts';

/** Something an economy transaction did, for indexes, subscribers, explorers and invoices. */
export type EconomyEvent =
  | { type: 'staked'; did: string; amount: bigint }
  | { type: 'unstaked'; did: string; amount: bigint; releaseAtMs: number }
  | { type: 'stakeWithdrawn'; did: string; amount: bigint }
  | { type: 'slashed'; offender: string; amount: bigint; evidence: string; reason: string; approvers: string[] }
  | { type: 'applicationOpened'; application: string; owner: string; deposit: bigint }
  | { type: 'applicationFunded'; application: string; from: string; amount: bigint }
  | { type: 'depositWithdrawn'; application: string; amount: bigint }
  | { type: 'feeAccrued'; application: string; proposer: string; amount: bigint }
  | { type: 'billSettled'; application: string; period: number; charged: bigint; paid: boolean }
  /** `application` is '' when a settlement's payouts are summed over its bills. */
  | { type: 'paidOut'; application: string; to: string; amount: bigint }
  | { type: 'tokenIssued'; address: string; symbol: string; owner: string; initialSupply: bigint; policy: string; cap: bigint }
  | { type: 'tokenMinted'; token: string; to: string; amount: bigint }
  | { type: 'tokenBurned'; token: string; from: string; amount: bigint }
  | { type: 'bridgeLocked'; lockId: string; from: string; amount: bigint; ethAddress: string }
  | { type: 'bridgeReleased'; burn: string; to: string; amount: bigint };

/** Counts the approvals by distinct members of `set` whose signatures verify over this transaction's digest. */
function checkApprovals(
  itx: EconomyItx & { approvals: Approval[] },
  ctx: BlockContext,
  set: string[],
  threshold: number,
): LedgerError | null {
  const digest = approvalDigest(ctx.chainId, itx);
  let valid = 0;
  for (const a of itx.approvals) {
    if (!set.includes(a.did)) return ledgerError('NOT_ENOUGH_APPROVALS', `${a.did} is not in the set of signers this needs`);
    if (!didMatchesPublicKey(a.did, a.publicKey) || !verifySignature(a.publicKey, digest, a.signature)) {
      return ledgerError('INVALID_SIGNATURE', `the approval of ${a.did} does not verify`);
    }
    valid += 1;
  }
  if (valid < threshold) return ledgerError('NOT_ENOUGH_APPROVALS', `${valid} approvals; this needs ${threshold}`);
  return null;
}

/** The smaller of two amounts (Math.min takes no bigint). */
function smaller(a: bigint, b: bigint): bigint {
  return b < a ? b : a;
}

/** Applies one economy transaction (its fee is charged already). */
export function applyEconomyItx(
  s: Overlay,
  itx: EconomyItx,
  checked: CheckedTx,
  ctx: BlockContext,
  events: EconomyEvent[],
  accounts: Set<string>,
): LedgerError | null {
  const from = checked.tx.from;
  const p = ctx.params.economy;
  switch (itx.type) {
    case 'stake': {
      const paid = moveBalance(s, from, -itx.amount);
      if (paid) return paid;
      const stake = cloneStake(s.stake(from) ?? emptyStake(from));
      stake.bonded += itx.amount;
      s.put({ kind: 'stake', value: stake });
      events.push({ type: 'staked', did: from, amount: itx.amount });
      return null;
    }
    case 'unstake': {
      const stake = cloneStake(s.stake(from) ?? emptyStake(from));
      if (stake.bonded < itx.amount) return ledgerError('INSUFFICIENT_STAKE', `${from} has ${stake.bonded} bonded, not ${itx.amount}`);
      const keepsNames = checkUnstakeKeepsNames(stake, itx.amount, p.publishStake);
      if (keepsNames) return keepsNames;
      if (stake.unbonding.length >= ECONOMY_LIMITS.unbondingEntriesMax) {
        return ledgerError(
          'UNBONDING_FULL',
          `${ECONOMY_LIMITS.unbondingEntriesMax} unstakes are waiting; withdraw the finished ones first`,
        );
      }
      const releaseAtMs = ctx.timeMs + p.unbondingMs;
      stake.bonded -= itx.amount;
      stake.unbonding.push({ amount: itx.amount, releaseAtMs });
      s.put({ kind: 'stake', value: stake });
      events.push({ type: 'unstaked', did: from, amount: itx.amount, releaseAtMs });
      return null;
    }
    case 'withdrawStake': {
      const stake = cloneStake(s.stake(from) ?? emptyStake(from));
      const ready = stake.unbonding.filter((u) => u.releaseAtMs <= ctx.timeMs);
      const amount = ready.reduce((sum, u) => sum + u.amount, 0n);
      if (amount === 0n) return ledgerError('NOTHING_TO_WITHDRAW', `nothing of ${from} has finished unbonding`);
      stake.unbonding = stake.unbonding.filter((u) => u.releaseAtMs > ctx.timeMs);
      s.put({ kind: 'stake', value: stake });
      moveBalance(s, from, amount);
      events.push({ type: 'stakeWithdrawn', did: from, amount });
      return null;
    }
    case 'slash': {
      const approved = checkApprovals(itx, ctx, p.validators, p.slashThreshold);
      if (approved) return approved;
      const receipt = slashReceiptId(itx.evidenceHash);
      if (s.receipt(receipt)) return ledgerError('ALREADY_APPLIED', 'this evidence has slashed already');
      const stake = cloneStake(s.stake(itx.offender) ?? emptyStake(itx.offender));
      const total = stake.unbonding.reduce((sum, u) => sum + u.amount, stake.bonded);
      if (total < itx.amount) return ledgerError('INSUFFICIENT_STAKE', `${itx.offender} has ${total} staked, less than ${itx.amount}`);
      // Bonded first, then the newest unbonding (the stake that tried to leave last).
      let left = itx.amount;
      const fromBonded = smaller(left, stake.bonded);
      stake.bonded -= fromBonded;
      left -= fromBonded;
      for (let i = stake.unbonding.length - 1; i >= 0 && left > 0n; i--) {
        const u = stake.unbonding[i] as { amount: bigint };
        const take = smaller(left, u.amount);
        u.amount -= take;
        left -= take;
      }
      stake.unbonding = stake.unbonding.filter((u) => u.amount > 0n);
      stake.slashed += itx.amount;
      s.put({ kind: 'stake', value: stake });
      moveBalance(s, p.treasury, itx.amount);
      s.put({ kind: 'receipt', value: { id: receipt, txHash: checked.hashHex, height: ctx.height } });
      accounts.add(itx.offender);
      const approvers = itx.approvals.map((a) => a.did);
      events.push({ type: 'slashed', offender: itx.offender, amount: itx.amount, evidence: receipt, reason: itx.reason, approvers });
      return null;
    }
    case 'openApplication': {
      if (s.application(itx.application)) return ledgerError('APPLICATION_EXISTS', `billing is open for ${itx.application} already`);
      const digest = openApplicationDigest(ctx.chainId, itx.application, from);
      if (
        !didMatchesPublicKey(itx.application, itx.applicationKey) ||
        !verifySignature(itx.applicationKey, digest, itx.applicationSignature)
      ) {
        return ledgerError('INVALID_SIGNATURE', "the application's consent does not verify; sign it with the application's key");
      }
      const paid = moveBalance(s, from, -itx.deposit);
      if (paid) return paid;
      s.put({
        kind: 'application',
        value: {
          did: itx.application,
          owner: from,
          deposit: itx.deposit,
          feesOwed: new Map(),
          unpaid: new Map(),
          arrearsSinceMs: 0,
          nextPeriod: 0,
          createdAtHeight: ctx.height,
        },
      });
      accounts.add(itx.application);
      events.push({ type: 'applicationOpened', application: itx.application, owner: from, deposit: itx.deposit });
      return null;
    }
    case 'fundApplication': {
      const app = application(s, itx.application);
      if (app instanceof LedgerError) return app;
      const paid = moveBalance(s, from, -itx.amount);
      if (paid) return paid;
      app.deposit += itx.amount;
      events.push({ type: 'applicationFunded', application: app.did, from, amount: itx.amount });
      const paidNow = new Map<string, bigint>();
      payUnpaid(app, ctx, paidNow);
      payOut(s, paidNow, app.did, events, accounts);
      s.put({ kind: 'application', value: app });
      accounts.add(app.did);
      return null;
    }
    case 'withdrawDeposit': {
      const app = application(s, itx.application);
      if (app instanceof LedgerError) return app;
      if (app.owner !== from) return ledgerError('NOT_APPLICATION_OWNER', `${app.did} belongs to ${app.owner}`);
      const free = app.deposit - applicationOwes(app);
      if (free < itx.amount) return ledgerError('DEPOSIT_TOO_LOW', `${free} of the deposit is not owed; ${itx.amount} cannot be withdrawn`);
      app.deposit -= itx.amount;
      s.put({ kind: 'application', value: app });
      moveBalance(s, from, itx.amount);
      accounts.add(app.did);
      events.push({ type: 'depositWithdrawn', application: app.did, amount: itx.amount });
      return null;
    }
    case 'settle': {
      if (!p.settlers.includes(from)) return ledgerError('NOT_SETTLER', `${from} is not one of the chain's settlers`);
      const endMs = (itx.period + 1) * p.billingPeriodMs;
      if (endMs > ctx.timeMs)
        return ledgerError('PERIOD_NOT_OVER', `period ${itx.period} ends at ${endMs}; the block time is ${ctx.timeMs}`);
      const paid = new Map<string, bigint>();
      const beneficiaries = new Map<string, Beneficiary[] | LedgerError>();
      for (const bill of itx.bills) {
        const failed = settleBill(s, bill, itx.period, ctx, events, accounts, paid, beneficiaries);
        if (failed) return failed;
      }
      payOut(s, paid, '', events, accounts);
      return null;
    }
    case 'issueToken': {
      const address = tokenAddress(itx.symbol);
      if (s.token(address)) return ledgerError('TOKEN_EXISTS', `the symbol ${itx.symbol} is taken`);
      const { symbol, name, decimals, initialSupply, policy, cap } = itx;
      s.put({
        kind: 'token',
        value: { address, symbol, name, decimals, totalSupply: initialSupply, owner: from, createdAtHeight: ctx.height, policy, cap },
      });
      if (initialSupply > 0n) {
        const owner = cloneAccount(s.account(from) as AccountState);
        owner.tokens.set(address, (owner.tokens.get(address) ?? 0n) + initialSupply);
        s.put({ kind: 'account', value: owner });
      }
      events.push({ type: 'tokenIssued', address, symbol, owner: from, initialSupply, policy, cap });
      return null;
    }
    case 'mintToken': {
      const token = s.token(itx.token);
      if (!token) return ledgerError('UNKNOWN_TOKEN', `no token at ${itx.token}`);
      if (token.owner !== from) return ledgerError('NOT_TOKEN_OWNER', `${token.symbol} belongs to ${token.owner}`);
      if (token.policy === 'fixed') return ledgerError('TOKEN_NOT_MINTABLE', `${token.symbol} has a fixed supply`);
      const supply = token.totalSupply + itx.amount;
      const cap = token.policy === 'capped' ? token.cap : AMOUNT_MAX;
      if (supply > cap) {
        return ledgerError('TOKEN_CAP_EXCEEDED', `${token.symbol} is capped at ${cap}; ${cap - token.totalSupply} can still be minted`);
      }
      s.put({ kind: 'token', value: { ...token, totalSupply: supply } });
      const to = cloneAccount(s.account(itx.to) ?? emptyAccount(itx.to));
      to.tokens.set(itx.token, (to.tokens.get(itx.token) ?? 0n) + itx.amount);
      s.put({ kind: 'account', value: to });
      accounts.add(itx.to);
      events.push({ type: 'tokenMinted', token: itx.token, to: itx.to, amount: itx.amount });
      return null;
    }
    case 'burnToken': {
      const token = s.token(itx.token);
      if (!token) return ledgerError('UNKNOWN_TOKEN', `no token at ${itx.token}`);
      const holder = cloneAccount(s.account(from) as AccountState);
      const held = holder.tokens.get(itx.token) ?? 0n;
      if (held < itx.amount)
        return ledgerError('INSUFFICIENT_FUNDS', `${from} holds ${held} of ${token.symbol} and cannot burn ${itx.amount}`);
      if (held === itx.amount) holder.tokens.delete(itx.token);
      else holder.tokens.set(itx.token, held - itx.amount);
      s.put({ kind: 'account', value: holder });
      s.put({ kind: 'token', value: { ...token, totalSupply: token.totalSupply - itx.amount } });
      events.push({ type: 'tokenBurned', token: itx.token, from, amount: itx.amount });
      return null;
    }
    case 'bridgeLock': {
      const paid = moveBalance(s, from, -itx.amount);
      if (paid) return paid;
      moveBalance(s, p.bridgeEscrow, itx.amount);
      events.push({ type: 'bridgeLocked', lockId: checked.hashHex, from, amount: itx.amount, ethAddress: itx.ethAddress });
      return null;
    }
    case 'bridgeRelease': {
      const approved = checkApprovals(itx, ctx, p.bridgeSigners, p.bridgeThreshold);
      if (approved) return approved;
      const receipt = burnReceiptId(itx.ethTxHash, itx.logIndex);
      if (s.receipt(receipt)) return ledgerError('ALREADY_APPLIED', 'this burn has been released already');
      const escrow = s.account(p.bridgeEscrow)?.balance ?? 0n;
      if (escrow < itx.amount) return ledgerError('BRIDGE_ESCROW_LOW', `the bridge escrow holds ${escrow}, less than ${itx.amount}`);
      moveBalance(s, p.bridgeEscrow, -itx.amount);
      moveBalance(s, itx.to, itx.amount);
      s.put({ kind: 'receipt', value: { id: receipt, txHash: checked.hashHex, height: ctx.height } });
      accounts.add(itx.to);
      events.push({ type: 'bridgeReleased', burn: receipt, to: itx.to, amount: itx.amount });
      return null;
    }
  }
}
