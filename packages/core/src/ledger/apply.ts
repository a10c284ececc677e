import { bytesEqual } from '../bytes.ts';
import { assetAddress, tokenAddress } from './addresses.ts';
import type { CheckedTx } from './check.ts';
import { applyEconomyItx, type EconomyEvent } from './economy-apply.ts';
import { accrueApplicationFee } from './economy-billing-apply.ts';
import type { EconomyItx } from './economy-types.ts';
import { LedgerError, type LedgerErrorCode, ledgerError } from './errors.ts';
import { applyMarketItx, type MarketEvent } from './market-apply.ts';
import { cloneAccount, grantId, Overlay, stateKey } from './state.ts';
import type { AccountState, AssetState, BlockContext, Itx, Tx } from './types.ts';

/** Something a committed transaction did, for indexes, subscribers and explorers. */
export type LedgerEvent =
  | { type: 'accountDeclared'; did: string }
  | { type: 'feePaid'; payer: string; amount: bigint; proposer: string }
  | { type: 'transferred'; from: string; to: string; amount: bigint; tokens: { token: string; amount: bigint }[]; assets: string[] }
  | { type: 'tokenCreated'; address: string; symbol: string; owner: string; totalSupply: bigint }
  | { type: 'assetCreated'; address: string; owner: string }
  | { type: 'assetUpdated'; address: string }
  | { type: 'assetConsumed'; address: string }
  | { type: 'delegated'; payer: string; grantee: string; allowance: bigint; expiresAtMs: number }
  | { type: 'delegationRevoked'; payer: string; grantee: string }
  | { type: 'blockletDeployed'; name: string; version: string; owner: string; manifestHash: Uint8Array; bundleHash: Uint8Array }
  | { type: 'txFailed'; code: LedgerErrorCode; message: string }
  | MarketEvent
  | EconomyEvent;

/** A transaction that goes into the block: it succeeded, or it failed after its fee was charged (`failed`). */
export interface ApplyOk {
  /**
   * The accounts whose history lists this transaction: sender, recipient, fee payer, grantee. The
   * proposer earns every fee, so listing each transaction under it would say nothing. Nor is an application with
   * billing open listed for its users' transactions it pays for: its account does not move (the fee accrues to its
   * bill, where it sees them), and every one of its users' transactions would bury its own.
   */
  accounts: string[];
  /** What it did; for a failed transaction, the fee event(s) and one `txFailed` event. */
  events: LedgerEvent[];
  /**
   * Why its inner transaction failed, or null when it succeeded. A failed transaction is still in the block: its
   * nonce advanced and its fee was charged, and nothing else it would have done happened (a receipt with status 0).
   */
  failed: LedgerError | null;
}

/**
 * Applies one checked transaction to the overlay. It works on a scratch layer of its own, so:
 * - a LedgerError is a *rejection* (an envelope rule failed before the fee was charged: unknown account, nonce,
 *   public key, a fee nobody can pay): the overlay is unchanged and the transaction stays out of the block;
 * - an ApplyOk goes into the block. When its inner transaction failed (`failed`), the overlay holds only the nonce
 *   and the fee, so failing transactions are never free to send.
 */
export function applyTx(overlay: Overlay, checked: CheckedTx, ctx: BlockContext): ApplyOk | LedgerError {
  const scratch = new Overlay(overlay);
  const result = applyToScratch(scratch, checked, ctx);
  if (result instanceof LedgerError) return result;
  scratch.mergeInto(overlay);
  return result;
}

function emptyAccount(did: string): AccountState {
  return { did, publicKey: null, moniker: '', nonce: 0, balance: 0n, tokens: new Map() };
}

function applyToScratch(s: Overlay, checked: CheckedTx, ctx: BlockContext): ApplyOk | LedgerError {
  const { tx } = checked;
  const existing = s.account(tx.from);
  if (existing === undefined && tx.itx.type !== 'declareAccount') {
    return ledgerError('UNKNOWN_ACCOUNT', `account ${tx.from} does not exist yet; receive funds or declare it first`);
  }
  if (existing?.publicKey && tx.itx.type === 'declareAccount') {
    return ledgerError('ACCOUNT_EXISTS', `account ${tx.from} is already declared`);
  }
  const sender = cloneAccount(existing ?? emptyAccount(tx.from));
  const expected = sender.nonce + 1;
  if (tx.nonce < expected) return ledgerError('NONCE_TOO_LOW', `nonce ${tx.nonce} is used; the next is ${expected}`);
  if (tx.nonce > expected) return ledgerError('NONCE_GAP', `nonce ${tx.nonce} skips ahead; the next is ${expected}`);
  if (sender.publicKey !== null && !bytesEqual(sender.publicKey, tx.publicKey)) {
    return ledgerError('INVALID_SIGNATURE', 'the public key differs from the one this account is bound to');
  }
  sender.nonce = tx.nonce;
  sender.publicKey = tx.publicKey;
  s.put({ kind: 'account', value: sender });

  const events: LedgerEvent[] = [];
  const feeError = chargeFee(s, tx, ctx, events);
  if (feeError) return feeError;
  const accounts = new Set([tx.from]);
  if (tx.feePayer && !s.application(tx.feePayer.did)) accounts.add(tx.feePayer.did);
  // The inner transaction gets a scratch of its own over the charged fee: on failure it is dropped whole.
  const inner = new Overlay(s);
  const innerEvents: LedgerEvent[] = [];
  const innerAccounts = new Set(accounts);
  const failed = applyItx(inner, tx.itx, checked, ctx, innerEvents, innerAccounts);
  if (failed) {
    events.push({ type: 'txFailed', code: failed.code, message: failed.message });
    return { accounts: [...accounts], events, failed };
  }
  inner.mergeInto(s);
  return { accounts: [...innerAccounts], events: [...events, ...innerEvents], failed: null };
}

/**
 * Moves the fee from the payer (the sender, or a fee payer holding a grant) to the block's proposer. An application
 * with billing open pays for its users without grants: the fee accrues to its bill (economy-apply.ts).
 */
function chargeFee(s: Overlay, tx: Tx, ctx: BlockContext, events: LedgerEvent[]): LedgerError | null {
  const payerDid = tx.feePayer?.did ?? tx.from;
  const app = tx.feePayer ? s.application(payerDid) : undefined;
  if (app) return accrueApplicationFee(s, app, tx.fee, ctx, events as EconomyEvent[]);
  if (tx.feePayer) {
    const grant = s.grant(payerDid, tx.from);
    if (!grant) return ledgerError('GRANT_NOT_FOUND', `${payerDid} has granted no fee allowance to ${tx.from}`);
    if (ctx.timeMs >= grant.expiresAtMs) return ledgerError('GRANT_EXPIRED', `the fee grant from ${payerDid} has expired`);
    if (grant.allowance - grant.spent < tx.fee) {
      return ledgerError('GRANT_EXCEEDED', `the fee grant has ${grant.allowance - grant.spent} left; the fee is ${tx.fee}`);
    }
    s.put({ kind: 'grant', value: { ...grant, spent: grant.spent + tx.fee } });
  }
  if (tx.fee === 0n) return null;
  const payerState = s.account(payerDid);
  if (!payerState || payerState.balance < tx.fee) {
    return ledgerError('INSUFFICIENT_FUNDS', `${payerDid} cannot pay the fee of ${tx.fee}`);
  }
  const payer = cloneAccount(payerState);
  payer.balance -= tx.fee;
  s.put({ kind: 'account', value: payer });
  const proposer = cloneAccount(s.account(ctx.proposer) ?? emptyAccount(ctx.proposer));
  proposer.balance += tx.fee;
  s.put({ kind: 'account', value: proposer });
  events.push({ type: 'feePaid', payer: payerDid, amount: tx.fee, proposer: ctx.proposer });
  return null;
}

function ownedAsset(s: Overlay, address: string, owner: string): AssetState | LedgerError {
  const asset = s.asset(address);
  if (!asset) return ledgerError('UNKNOWN_ASSET', `no asset at ${address}`);
  if (asset.owner !== owner) return ledgerError('ASSET_NOT_OWNED', `asset ${address} belongs to ${asset.owner}`);
  if (asset.consumed) return ledgerError('ASSET_CONSUMED', `asset ${address} has been consumed`);
  return asset;
}

function applyItx(
  s: Overlay,
  itx: Itx,
  checked: CheckedTx,
  ctx: BlockContext,
  events: LedgerEvent[],
  accounts: Set<string>,
): LedgerError | null {
  const from = checked.tx.from;
  const sender = s.account(from) as AccountState;
  switch (itx.type) {
    case 'declareAccount':
      s.put({ kind: 'account', value: { ...sender, moniker: itx.moniker } });
      events.push({ type: 'accountDeclared', did: from });
      return null;
    case 'transfer':
      accounts.add(itx.to);
      return transfer(s, from, itx, ctx, events);
    case 'createToken': {
      const address = tokenAddress(itx.symbol);
      if (s.token(address)) return ledgerError('TOKEN_EXISTS', `the symbol ${itx.symbol} is taken`);
      const { symbol, name, decimals, totalSupply } = itx;
      s.put({
        kind: 'token',
        value: { address, symbol, name, decimals, totalSupply, owner: from, createdAtHeight: ctx.height, policy: 'fixed', cap: 0n },
      });
      const owner = cloneAccount(sender);
      owner.tokens.set(address, totalSupply);
      s.put({ kind: 'account', value: owner });
      events.push({ type: 'tokenCreated', address, symbol, owner: from, totalSupply });
      return null;
    }
    case 'createAsset': {
      const address = assetAddress(checked.hash);
      const { moniker, data, transferable, readonly } = itx;
      const h = ctx.height;
      s.put({
        kind: 'asset',
        value: {
          address,
          owner: from,
          issuer: from,
          moniker,
          data,
          transferable,
          readonly,
          consumed: false,
          createdAtHeight: h,
          updatedAtHeight: h,
        },
      });
      events.push({ type: 'assetCreated', address, owner: from });
      return null;
    }
    case 'updateAsset': {
      const asset = ownedAsset(s, itx.address, from);
      if (asset instanceof LedgerError) return asset;
      if (asset.readonly) return ledgerError('ASSET_READONLY', `asset ${itx.address} was created read-only`);
      s.put({ kind: 'asset', value: { ...asset, moniker: itx.moniker, data: itx.data, updatedAtHeight: ctx.height } });
      events.push({ type: 'assetUpdated', address: itx.address });
      return null;
    }
    case 'consumeAsset': {
      const asset = ownedAsset(s, itx.address, from);
      if (asset instanceof LedgerError) return asset;
      s.put({ kind: 'asset', value: { ...asset, consumed: true, updatedAtHeight: ctx.height } });
      events.push({ type: 'assetConsumed', address: itx.address });
      return null;
    }
    case 'delegate':
      if (itx.grantee === from) return ledgerError('INVALID_TX', 'an account cannot grant fees to itself');
      if (itx.expiresAtMs <= ctx.timeMs) return ledgerError('INVALID_TX', 'a fee grant must expire after the current block time');
      s.put({
        kind: 'grant',
        value: { payer: from, grantee: itx.grantee, allowance: itx.allowance, spent: 0n, expiresAtMs: itx.expiresAtMs },
      });
      events.push({ type: 'delegated', payer: from, grantee: itx.grantee, allowance: itx.allowance, expiresAtMs: itx.expiresAtMs });
      accounts.add(itx.grantee);
      return null;
    case 'revokeDelegation':
      if (!s.grant(from, itx.grantee)) return ledgerError('GRANT_NOT_FOUND', `there is no fee grant from ${from} to ${itx.grantee}`);
      s.remove('grant', stateKey('grant', grantId(from, itx.grantee)));
      events.push({ type: 'delegationRevoked', payer: from, grantee: itx.grantee });
      accounts.add(itx.grantee);
      return null;
    case 'deployBlocklet':
      // An anchor: the ledger records who published which hashes; the runtime index settles names by chain order.
      events.push({
        type: 'blockletDeployed',
        name: itx.name,
        version: itx.version,
        owner: from,
        manifestHash: itx.manifestHash,
        bundleHash: itx.bundleHash,
      });
      return null;
    case 'publishComponent':
    case 'transferComponent':
    case 'deprecateVersion':
    case 'reviewComponent':
    case 'replyReview':
    case 'reportAbuse':
    case 'resolveReport':
    case 'recordUsage':
      return applyMarketItx(s, itx, checked, ctx, events as MarketEvent[], accounts);
    default:
      return applyEconomyItx(s, itx satisfies EconomyItx, checked, ctx, events as EconomyEvent[], accounts);
  }
}

function transfer(
  s: Overlay,
  from: string,
  itx: Extract<Itx, { type: 'transfer' }>,
  ctx: BlockContext,
  events: LedgerEvent[],
): LedgerError | null {
  const sender = cloneAccount(s.account(from) as AccountState);
  if (sender.balance < itx.amount) {
    return ledgerError('INSUFFICIENT_FUNDS', `${from} has ${sender.balance} and cannot send ${itx.amount}`);
  }
  sender.balance -= itx.amount;
  for (const { token, amount } of itx.tokens) {
    if (!s.token(token)) return ledgerError('UNKNOWN_TOKEN', `no token at ${token}`);
    const held = sender.tokens.get(token) ?? 0n;
    if (held < amount) return ledgerError('INSUFFICIENT_FUNDS', `${from} holds ${held} of ${token} and cannot send ${amount}`);
    if (held === amount) sender.tokens.delete(token);
    else sender.tokens.set(token, held - amount);
  }
  for (const address of itx.assets) {
    const asset = ownedAsset(s, address, from);
    if (asset instanceof LedgerError) return asset;
    if (!asset.transferable) return ledgerError('ASSET_NOT_TRANSFERABLE', `asset ${address} cannot be transferred`);
    s.put({ kind: 'asset', value: { ...asset, owner: itx.to, updatedAtHeight: ctx.height } });
  }
  s.put({ kind: 'account', value: sender });
  // Read the recipient after the sender is written, so a transfer to oneself nets to zero.
  const recipient = cloneAccount(s.account(itx.to) ?? emptyAccount(itx.to));
  recipient.balance += itx.amount;
  for (const { token, amount } of itx.tokens) recipient.tokens.set(token, (recipient.tokens.get(token) ?? 0n) + amount);
  s.put({ kind: 'account', value: recipient });
  events.push({ type: 'transferred', from, to: itx.to, amount: itx.amount, tokens: itx.tokens, assets: itx.assets });
  return null;
}
