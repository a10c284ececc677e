import { beforeEach, describe, expect, it } from 'vitest';
import {
  alice,
  blockCtx,
  bob,
  carol,
  dave,
  expectOnlyFeeCharged,
  MIN_FEE,
  mustCheck,
  openApplicationItx,
  shop,
  signedTx,
  TestChain,
  transferItx,
  validator,
} from '../../test/ledger-kit.ts';
import { tokenAddress } from './addresses.ts';
import type { ApplyOk } from './apply.ts';
import { applyTxs } from './block-apply.ts';
import { LedgerError } from './errors.ts';

let chain: TestChain;
beforeEach(() => {
  chain = TestChain.funded([
    [alice, 1_000n],
    [bob, 1_000_000n],
    [carol, 5n],
  ]);
});

/** Applies in a block of its own and expects an inclusion (success or failure), not a rejection. */
function included(result: ApplyOk | LedgerError): ApplyOk {
  if (result instanceof LedgerError) throw new Error(`expected an inclusion, got the rejection ${result.code}: ${result.message}`);
  return result;
}

describe('a transaction that fails after its fee is charged', () => {
  it('is included as failed: an overdrawing transfer advances the nonce, pays the proposer, and moves nothing', () => {
    const checked = chain.build(alice, transferItx(bob, { amount: 5_000n }));
    const { result, overlay } = chain.apply(checked);
    const ok = included(result);
    expect(ok.failed?.code).toBe('INSUFFICIENT_FUNDS');
    expect(ok.events).toEqual([
      { type: 'feePaid', payer: alice.did, amount: MIN_FEE, proposer: validator.did },
      { type: 'txFailed', code: 'INSUFFICIENT_FUNDS', message: `${alice.did} has ${1_000n - MIN_FEE} and cannot send 5000` },
    ]);
    expect(ok.accounts).toEqual([alice.did]);
    expectOnlyFeeCharged(checked, ok, overlay, validator.did);
    expect(chain.state.account(alice.did)).toMatchObject({ nonce: 1, balance: 1_000n - MIN_FEE });
    expect(chain.balance(bob)).toBe(1_000_000n);
    expect(chain.balance(validator)).toBe(MIN_FEE);
  });

  it('drops every write of the inner transaction, even those made before it failed (tokens before a missing asset)', () => {
    chain.ok(bob, { type: 'createToken', symbol: 'GOLD', name: 'Gold', decimals: 0, totalSupply: 10n });
    const gold = tokenAddress('GOLD');
    const checked = chain.build(bob, transferItx(alice, { amount: 7n, tokens: [{ token: gold, amount: 3n }], assets: [carol.did] }));
    const ok = included(chain.apply(checked).result);
    expect(ok.failed?.code).toBe('UNKNOWN_ASSET');
    expect(chain.state.account(bob.did)?.tokens.get(gold)).toBe(10n);
    expect(chain.balance(alice)).toBe(1_000n);
    expect(chain.balance(bob)).toBe(1_000_000n - 2n * MIN_FEE);
  });

  it('charges the fee to the holder of a fee grant, counting it against the allowance', () => {
    chain.ok(bob, { type: 'delegate', grantee: alice.did, allowance: 100n, expiresAtMs: chain.timeMs() + 60_000 });
    const checked = chain.build(alice, transferItx(carol, { amount: 5_000n }), { feePayer: bob });
    const { result, overlay } = chain.apply(checked);
    const ok = included(result);
    expectOnlyFeeCharged(checked, ok, overlay, validator.did);
    expect(ok.accounts.sort()).toEqual([alice.did, bob.did].sort());
    expect(chain.state.grant(bob.did, alice.did)?.spent).toBe(MIN_FEE);
    expect(chain.balance(alice)).toBe(1_000n);
    expect(chain.balance(bob)).toBe(1_000_000n - 2n * MIN_FEE);
    expect(chain.state.account(alice.did)?.nonce).toBe(1);
  });

  it("accrues the fee to the application paying for its user's failed transaction", () => {
    chain.ok(bob, openApplicationItx(bob, shop, 1_000n));
    const checked = chain.build(carol, transferItx(dave, { amount: 6n }), { feePayer: shop, fee: 40n });
    const { result, overlay } = chain.apply(checked);
    const ok = included(result);
    expect(ok.failed?.code).toBe('INSUFFICIENT_FUNDS');
    expect(ok.events).toEqual([
      { type: 'feeAccrued', application: shop.did, proposer: validator.did, amount: 40n },
      { type: 'txFailed', code: 'INSUFFICIENT_FUNDS', message: `${carol.did} has 5 and cannot send 6` },
    ]);
    expectOnlyFeeCharged(checked, ok, overlay, validator.did);
    expect(chain.state.application(shop.did)?.feesOwed.get(validator.did)).toBe(40n);
    expect(chain.state.account(carol.did)).toMatchObject({ nonce: 1, balance: 5n });
    expect(chain.balance(dave)).toBe(0n);
  });
});

describe('a transaction refused before its fee', () => {
  it('is still rejected, changing nothing: a nonce gap, a fee the sender cannot pay, a fee grant that does not exist', () => {
    const before = chain.state.snapshot();
    const refused = [
      chain.build(alice, transferItx(bob, { amount: 1n }), { nonce: 2 }),
      chain.build(carol, transferItx(bob, { amount: 1n })),
      chain.build(alice, transferItx(bob, { amount: 1n }), { feePayer: dave }),
    ];
    for (const [checked, code] of [
      [refused[0], 'NONCE_GAP'],
      [refused[1], 'INSUFFICIENT_FUNDS'],
      [refused[2], 'GRANT_NOT_FOUND'],
    ] as const) {
      const { result, overlay } = chain.apply(checked as NonNullable<typeof checked>);
      expect(result).toBeInstanceOf(LedgerError);
      expect((result as LedgerError).code).toBe(code);
      expect(overlay.writes.size).toBe(0);
    }
    expect(chain.state.snapshot()).toEqual(before);
  });
});

describe('a block with a failed transaction', () => {
  it('includes it in order, and the next nonce of the same sender commits after it', () => {
    const txs = [
      mustCheck(signedTx(alice, transferItx(bob, { amount: 5_000n }), { nonce: 1 })),
      mustCheck(signedTx(alice, transferItx(bob, { amount: 10n }), { nonce: 2 })),
      mustCheck(signedTx(alice, transferItx(bob, { amount: 10n }), { nonce: 4 })),
    ];
    const { included: inBlock, rejected, overlay } = applyTxs(chain.state, txs, blockCtx(1));
    expect(inBlock.map((i) => [i.checked, i.ok.failed?.code ?? null])).toEqual([
      [txs[0], 'INSUFFICIENT_FUNDS'],
      [txs[1], null],
    ]);
    expect(rejected.map((r) => [r.checked, r.error.code])).toEqual([[txs[2], 'NONCE_GAP']]);
    expect(overlay.account(alice.did)).toMatchObject({ nonce: 2, balance: 1_000n - 10n - 2n * MIN_FEE });
    expect(overlay.account(bob.did)?.balance).toBe(1_000_000n + 10n);
    expect(overlay.account(validator.did)?.balance).toBe(2n * MIN_FEE);
  });
});
