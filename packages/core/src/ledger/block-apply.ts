import { type ApplyOk, applyTx } from './apply.ts';
import type { CheckedTx } from './check.ts';
import { LedgerError } from './errors.ts';
import { Overlay, type StateView } from './state.ts';
import type { AccountState, BlockContext, ComponentState } from './types.ts';

export interface BlockApplyResult {
  overlay: Overlay;
  included: { checked: CheckedTx; ok: ApplyOk }[];
  rejected: { checked: CheckedTx; error: LedgerError }[];
}

/**
 * Applies transactions in order on one overlay over the base state. A transaction that fails is
 * left out of the block (it changes nothing); the rest go in, in the order given.
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

/**
 * Supply is conserved: across every account and component a block wrote, the native balance changes plus the
 * component stakes' changes (a publish stake is ABT locked on the component entry) sum to zero, and each token's
 * balance changes sum to what new tokens minted. A failure is a bug.
 */
export function assertConserved(base: StateView, overlay: Overlay): void {
  let native = 0n;
  const tokens = new Map<string, bigint>();
  const add = (token: string, delta: bigint) => tokens.set(token, (tokens.get(token) ?? 0n) + delta);
  for (const write of overlay.writes.values()) {
    if (write.kind === 'component' && write.value !== null) {
      const stake = (write.value as ComponentState).stake;
      if (stake < 0n) throw new Error(`invariant broken: negative stake on ${(write.value as ComponentState).name}`);
      native += stake - (base.component((write.value as ComponentState).name)?.stake ?? 0n);
    }
    if (write.kind === 'token' && write.value !== null && !base.token(write.value.address)) {
      add(write.value.address, -write.value.totalSupply);
    }
    if (write.kind !== 'account' || write.value === null) continue;
    const after = write.value as AccountState;
    const before = base.account(after.did);
    native += after.balance - (before?.balance ?? 0n);
    for (const [token, amount] of after.tokens) add(token, amount);
    for (const [token, amount] of before?.tokens ?? []) add(token, -amount);
    if (after.balance < 0n || [...after.tokens.values()].some((v) => v < 0n)) {
      throw new Error(`invariant broken: negative balance on ${after.did}`);
    }
  }
  if (native !== 0n) throw new Error(`invariant broken: a block changed the native supply by ${native}`);
  for (const [token, delta] of tokens) {
    if (delta !== 0n) throw new Error(`invariant broken: a block changed the supply of ${token} by ${delta}`);
  }
}
