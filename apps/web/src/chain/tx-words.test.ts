import { describe, expect, it } from 'vitest';
import type { Tx } from '../trpc/types.ts';
import { balanceChange, describeTx } from './tx-words.ts';

const ABT = 10n ** 18n;
const ME = 'did:abt:z1inHKYewMWmkM72EVvpXc7o62VC2mAWiPZ';
const APP = 'did:abt:z1dnS1Hky3TjS7DK8JFjV7zoKb68Y1R4EjN';

function tx(itx: Tx['itx']): Tx {
  return {
    hash: 'ab'.repeat(32),
    height: 12,
    index: 0,
    timeMs: 0,
    from: ME,
    nonce: 1,
    fee: '100000000000000',
    feePayer: null,
    feePayerBatch: null,
    type: itx.type,
    itx,
    accounts: [ME],
    failed: null,
  } as Tx;
}

describe('describeTx', () => {
  it('says a settlement with what it charged when its events are at hand', () => {
    const settle = tx({ type: 'settle', period: 12, bills: [APP, ME, 'did:abt:zX'].map((application) => ({ application, lines: [] })) });
    const events = [
      { type: 'billSettled', application: APP, period: 12, charged: (42n * 10n ** 16n).toString(), paid: true },
      { type: 'billSettled', application: ME, period: 12, charged: '0', paid: true },
    ];
    expect(describeTx(settle, { events })).toBe('Settled period 12 for 3 applications: 0.42 ABT charged');
    expect(describeTx(settle)).toBe('Settled period 12 for 3 applications');
  });

  it('says a slash with its evidence and its approvals', () => {
    const approval = { did: APP, publicKey: '00', signature: '00' };
    const slash = tx({
      type: 'slash',
      offender: APP,
      amount: (5n * ABT).toString(),
      evidenceHash: `3fa2${'0'.repeat(56)}9c0d`,
      reason: 'double signing',
      approvals: [approval, { ...approval, did: ME }],
    });
    expect(describeTx(slash)).toBe(
      'Slashed 5 ABT from did:abt:z1dnS1…1R4EjN (evidence 3fa2…9c0d: double signing), approved by 2 validators',
    );
  });

  it('says stakes and deposits in words, and what they take from the balance', () => {
    const stake = tx({ type: 'stake', amount: (10n * ABT).toString() });
    expect(describeTx(stake)).toBe('Staked 10 ABT');
    expect(balanceChange(stake, ME)).toBe(-10n * ABT);
    const withdraw = tx({ type: 'withdrawDeposit', application: APP, amount: ABT.toString() });
    expect(describeTx(withdraw)).toBe('Withdrew 1 ABT from the deposit of did:abt:z1dnS1…1R4EjN');
    expect(balanceChange(withdraw, ME)).toBe(ABT);
    expect(
      describeTx(tx({ type: 'withdrawStake' }), { events: [{ type: 'stakeWithdrawn', did: ME, amount: (4n * ABT).toString() }] }),
    ).toBe('Withdrew 4 ABT of unbonded stake');
  });

  it('counts nothing moved by a transaction that failed in its block (only its fee was charged)', () => {
    const failed = { ...tx({ type: 'stake', amount: (10n * ABT).toString() }), failed: { code: 'INSUFFICIENT_FUNDS', message: 'x' } };
    expect(balanceChange(failed, ME)).toBeNull();
    // Its summary says it failed, and what it would have done.
    expect(describeTx(failed)).toMatch(/^Failed \(INSUFFICIENT_FUNDS\), would have: [a-z]/);
  });
});
