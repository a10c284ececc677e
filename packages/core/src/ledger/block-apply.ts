import { type ApplyOk, applyTx } from './apply.ts';
import type { CheckedTx } from './check.ts';
import { stakeTotal } from './economy-state.ts';
import { LedgerError } from './errors.ts';
import { Overlay, type StateView, type StateWrite, writeKey } from './state.ts';
import type { BlockContext } from './types.ts';

export interface BlockApplyResult {
  overlay: Overlay;
  /** What goes into the block, in order: successes and failed transactions (`ok.failed`), which paid their fee. */
  included: { checked: CheckedTx; ok: ApplyOk }[];
  /** What stays out: transactions refused before their fee could be charged (they change nothing). */
  rejected: { checked: CheckedTx; error: LedgerError }[];
}

/**
 * Applies transactions in order on one overlay over the base state. A transaction rejected before its fee is left
 * out of the block (it changes nothing); the rest go in, in the order given, the failed ones charged their fee only.
 */
export function applyTxs(base: StateView, txs: CheckedTx[], ctx: BlockContext): BlockApplyResult {
  const overlay = new Overlay(base);
  const included: BlockApplyResult['included'] = [];
  const rejected: BlockApplyResult['rejected'] = [];
  let bytes = 0;
  for (const checked of txs) {
    if (included.length >= ctx.params.maxTxsPerBlock) break;
    // A block never grows past its byte bound; the producer selects within it, a validator checks it.
    if (bytes + checked.bytes.length > ctx.params.maxBlockBytes) break;
    const result = applyTx(overlay, checked, ctx);
    if (result instanceof LedgerError) rejected.push({ checked, error: result });
    else {
      included.push({ checked, ok: result });
      bytes += checked.bytes.length;
    }
  }
  assertConserved(base, overlay);
  return { overlay, included, rejected };
}

/** The native ABT an entry holds: an account's balance, a component's publish stake, a stake, a deposit. */
function nativeIn(view: StateView, kind: StateWrite['kind'], id: string): bigint {
  switch (kind) {
    case 'account':
      return view.account(id)?.balance ?? 0n;
    case 'component':
      return view.component(id)?.stake ?? 0n;
    case 'stake': {
      const stake = view.stake(id);
      return stake ? stakeTotal(stake) : 0n;
    }
    case 'application':
      return view.application(id)?.deposit ?? 0n;
    default:
      return 0n;
  }
}

/**
 * Supply is conserved: across every entry a block wrote, the changes of the native ABT the entries hold (account
 * balances, component publish stakes, stakes bonded and unbonding, application deposits) sum to zero, and each
 * token's balance changes sum to its supply's change (what issuing and minting added, burning took). A failure is a
 * bug.
 */
export function assertConserved(base: StateView, overlay: Overlay): void {
  let native = 0n;
  const tokens = new Map<string, bigint>();
  const add = (token: string, delta: bigint) => tokens.set(token, (tokens.get(token) ?? 0n) + delta);
  for (const write of overlay.writes.values()) {
    const id = writeKey(write).slice(write.kind.length + 1);
    const after = nativeIn(overlay, write.kind, id);
    if (after < 0n || (write.kind === 'stake' && write.value?.unbonding.some((u) => u.amount < 0n))) {
      throw new Error(`invariant broken: negative balance on ${write.kind} ${id}`);
    }
    native += after - nativeIn(base, write.kind, id);
    if (write.kind === 'token') {
      add(id, -((overlay.token(id)?.totalSupply ?? 0n) - (base.token(id)?.totalSupply ?? 0n)));
    }
    if (write.kind !== 'account' || write.value === null) continue;
    const account = write.value;
    for (const [token, amount] of account.tokens) add(token, amount);
    for (const [token, amount] of base.account(account.did)?.tokens ?? []) add(token, -amount);
    if (account.balance < 0n || [...account.tokens.values()].some((v) => v < 0n)) {
      throw new Error(`invariant broken: negative balance on ${account.did}`);
    }
  }
  if (native !== 0n) throw new Error(`invariant broken: a block changed the native supply by ${native}`);
  for (const [token, delta] of tokens) {
    if (delta !== 0n) throw new Error(`invariant broken: a block changed the supply of ${token} by ${delta}`);
  }
}
