import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { checkError, lastEndedPeriod, publishItx, rejects } from '../../test/economy-kit.ts';
import {
  alice,
  bob,
  carol,
  dave,
  ECONOMY,
  erin,
  frank,
  MIN_FEE,
  meter,
  openApplicationItx,
  shop,
  TestChain,
  transferItx,
  treasury,
  validator,
} from '../../test/ledger-kit.ts';
import { utf8 } from '../bytes.ts';
import { deriveDid } from '../did/did.ts';
import { splitByBps } from './economy-billing-apply.ts';
import { applicationStatus } from './economy-state.ts';
import type { ApplicationState, Bill, SettleTx } from './economy-types.ts';
import { AMOUNT_MAX, ECONOMY_LIMITS } from './limits.ts';

let chain: TestChain;
beforeEach(() => {
  chain = TestChain.funded([
    [alice, 100_000n],
    [bob, 1_000_000n],
    [carol, 10_000n],
    [meter, 10_000n],
  ]);
});

const app = (): ApplicationState => {
  const state = chain.state.application(shop.did);
  if (!state) throw new Error('billing is not open for the shop');
  return state;
};
const status = () => applicationStatus(app(), chain.timeMs(), ECONOMY.graceMs);
/** A transaction of the shop's user alice whose fee the shop pays. */
const userTx = (fee = 100n, proposer = validator.did) =>
  chain.send(alice, transferItx(carol, { amount: 1n }), { feePayer: shop, fee }, { proposer });
const settle = (bills: Bill[], period = lastEndedPeriod(chain)): SettleTx => ({ type: 'settle', period, bills });
const shopBill = (lines: Bill['lines'] = []): Bill => ({ application: shop.did, lines });

describe('opening billing', () => {
  it("opens billing only with the application's consent signature", () => {
    rejects(chain, bob, openApplicationItx(alice, shop, 1_000n), 'INVALID_SIGNATURE', /consent/);
    rejects(chain, bob, { ...openApplicationItx(bob, shop, 1_000n), applicationKey: alice.keys.publicKey }, 'INVALID_SIGNATURE');
    rejects(chain, bob, openApplicationItx(bob, shop, 1_000n, 'arc-other-1'), 'INVALID_SIGNATURE');
    rejects(chain, bob, openApplicationItx(bob, shop, 1_000_001n), 'INSUFFICIENT_FUNDS');
    const ok = chain.ok(bob, openApplicationItx(bob, shop, 1_000n));
    expect(ok.events).toContainEqual({ type: 'applicationOpened', application: shop.did, owner: bob.did, deposit: 1_000n });
    // Its four refused attempts failed in their blocks: each paid its fee.
    expect(chain.balance(bob)).toBe(1_000_000n - 1_000n - 5n * MIN_FEE);
    expect(app()).toMatchObject({ owner: bob.did, deposit: 1_000n, arrearsSinceMs: 0, nextPeriod: 0, createdAtHeight: chain.height });
    rejects(chain, alice, openApplicationItx(alice, shop, 1n), 'APPLICATION_EXISTS');
  });

  it('adds to the deposit from anyone, and withdraws only what is not owed, owner only', () => {
    rejects(chain, alice, { type: 'fundApplication', application: shop.did, amount: 1n }, 'UNKNOWN_APPLICATION');
    chain.ok(bob, openApplicationItx(bob, shop, 150n));
    const funded = chain.ok(alice, { type: 'fundApplication', application: shop.did, amount: 50n });
    expect(funded.events).toContainEqual({ type: 'applicationFunded', application: shop.did, from: alice.did, amount: 50n });
    expect(app().deposit).toBe(200n);
    expect(userTx(150n)).not.toBeInstanceOf(Error);
    rejects(chain, alice, { type: 'withdrawDeposit', application: shop.did, amount: 1n }, 'NOT_APPLICATION_OWNER');
    rejects(chain, bob, { type: 'withdrawDeposit', application: shop.did, amount: 51n }, 'DEPOSIT_TOO_LOW', /50 of the deposit/);
    const before = chain.balance(bob);
    const ok = chain.ok(bob, { type: 'withdrawDeposit', application: shop.did, amount: 50n });
    expect(ok.events).toContainEqual({ type: 'depositWithdrawn', application: shop.did, amount: 50n });
    expect(chain.balance(bob)).toBe(before + 50n - MIN_FEE);
    expect(app().deposit).toBe(150n);
  });
});

describe("an application's fees", () => {
  beforeEach(() => {
    chain.ok(bob, openApplicationItx(bob, shop, 10_000n));
  });

  it("pays its users' fees without a grant; the fees accrue and are paid to the proposer at settlement", () => {
    const validatorBefore = chain.balance(validator);
    const first = userTx(100n);
    expect(first).toMatchObject({
      events: expect.arrayContaining([{ type: 'feeAccrued', application: shop.did, proposer: validator.did, amount: 100n }]),
    });
    // Listed under the sender and the recipient, not the application: its account did not move (its bill did).
    expect(first).toMatchObject({ accounts: [alice.did, carol.did] });
    expect(userTx(50n, erin.did)).not.toBeInstanceOf(Error);
    expect(chain.balance(alice)).toBe(100_000n - 2n);
    expect(chain.balance(validator)).toBe(validatorBefore);
    expect(chain.balance(erin)).toBe(0n);
    expect(app().feesOwed).toEqual(
      new Map([
        [validator.did, 100n],
        [erin.did, 50n],
      ]),
    );
    expect(app().deposit).toBe(10_000n);

    const ok = chain.ok(meter, settle([shopBill()]));
    expect(chain.balance(validator)).toBe(validatorBefore + 90n + MIN_FEE);
    expect(chain.balance(erin)).toBe(45n);
    expect(chain.balance(treasury)).toBe(15n);
    expect(app()).toMatchObject({
      deposit: 10_000n - 150n,
      feesOwed: new Map(),
      unpaid: new Map(),
      nextPeriod: lastEndedPeriod(chain) + 1,
    });
    expect(ok.events).toContainEqual({
      type: 'billSettled',
      application: shop.did,
      period: lastEndedPeriod(chain),
      charged: 150n,
      paid: true,
    });
    expect(ok.accounts).toEqual(expect.arrayContaining([shop.did, bob.did, validator.did, erin.did, treasury.did]));
  });

  it('refuses a fee the deposit cannot cover on top of what the application owes (DEPOSIT_TOO_LOW)', () => {
    expect(userTx(9_990n)).not.toBeInstanceOf(Error);
    const refused = userTx(11n);
    expect(refused).toMatchObject({ code: 'DEPOSIT_TOO_LOW' });
    expect(userTx(10n)).not.toBeInstanceOf(Error);
  });

  it('owes fees to at most feePayeesMax proposers between settlements', () => {
    const proposers = Array.from({ length: ECONOMY_LIMITS.feePayeesMax + 1 }, (_, i) => deriveDid(utf8(`node ${i}`), 'account'));
    for (const proposer of proposers.slice(0, -1)) expect(userTx(10n, proposer)).not.toBeInstanceOf(Error);
    expect(userTx(10n, proposers.at(-1))).toMatchObject({ code: 'DEPOSIT_TOO_LOW' });
    expect(userTx(10n, proposers[0])).not.toBeInstanceOf(Error);
  });

  it('still needs a grant from a payer that has no billing open', () => {
    expect(chain.send(alice, transferItx(carol, { amount: 1n }), { feePayer: dave })).toMatchObject({ code: 'GRANT_NOT_FOUND' });
  });
});

describe('settlement', () => {
  beforeEach(() => {
    chain.ok(bob, openApplicationItx(bob, shop, 10_000n));
  });

  it("pays beneficiaries by basis points with the remainder rule, nodes, and the treasury's cut per line", () => {
    chain.bondForNames(carol, 1);
    chain.ok(
      carol,
      publishItx('meter-kit', [
        { did: dave.did, shareBps: 3_333 },
        { did: carol.did, shareBps: 6_667 },
      ]),
    );
    const carolBefore = chain.balance(carol);
    const ok = chain.ok(
      meter,
      settle([
        shopBill([
          { kind: 'component', payee: 'meter-kit', amount: 1_001n },
          { kind: 'node', payee: erin.did, amount: 55n },
          { kind: 'node', payee: frank.did, amount: 9n },
        ]),
      ]),
    );
    // 1001: treasury 100, then 901 split 300 + 600 with the 1 left by flooring to the first beneficiary (dave).
    expect(chain.balance(dave)).toBe(301n);
    expect(chain.balance(carol)).toBe(carolBefore + 600n);
    expect(chain.balance(erin)).toBe(50n);
    // The cut floors per line: 10% of 9 is 0.
    expect(chain.balance(frank)).toBe(9n);
    expect(chain.balance(treasury)).toBe(105n);
    expect(app().deposit).toBe(10_000n - 1_065n);
    expect(ok.events).toContainEqual({ type: 'paidOut', application: '', to: dave.did, amount: 301n });
    expect(ok.events).toContainEqual(expect.objectContaining({ type: 'billSettled', charged: 1_065n, paid: true }));
  });

  it('splits by basis points into parts that add up to the whole, the flooring remainder to the first payee', () => {
    const sharesArb = fc
      .array(fc.integer({ min: 1, max: 100 }), { minLength: 1, maxLength: 4 })
      .map((weights) => {
        const total = weights.reduce((a, b) => a + b, 0);
        const bps = weights.map((w) => Math.max(1, Math.floor((w * 10_000) / total)));
        bps[0] = (bps[0] as number) + 10_000 - bps.reduce((a, b) => a + b, 0);
        return bps.map((shareBps, i) => ({ did: `payee-${i}`, shareBps }));
      })
      .filter((shares) => shares.every((s) => s.shareBps >= 1));
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 1n << 200n }), sharesArb, (amount, shares) => {
        const parts = splitByBps(amount, shares);
        expect(parts.reduce((sum, [, v]) => sum + v, 0n)).toBe(amount);
        parts.forEach(([did, part], i) => {
          const floor = (amount * BigInt(shares[i]?.shareBps ?? 0)) / 10_000n;
          expect(did).toBe(shares[i]?.did);
          if (i > 0) expect(part).toBe(floor);
          else expect(part - floor >= 0n && part - floor < BigInt(shares.length)).toBe(true);
        });
      }),
      { numRuns: 200 },
    );
  });

  it('settles only by a settler, only after the period ended, never twice for a period', () => {
    const period = lastEndedPeriod(chain);
    rejects(chain, alice, settle([shopBill()]), 'NOT_SETTLER');
    rejects(chain, meter, settle([shopBill()], period + 1), 'PERIOD_NOT_OVER');
    chain.ok(meter, settle([shopBill()], period));
    rejects(chain, meter, settle([shopBill()], period), 'PERIOD_SETTLED');
    rejects(chain, meter, settle([shopBill()], period - 1), 'PERIOD_SETTLED');
    chain.wait(ECONOMY.billingPeriodMs);
    chain.ok(meter, settle([shopBill()], period + 1));
    expect(app().nextPeriod).toBe(period + 2);
  });

  it('settles a whole settlement or nothing of it', () => {
    rejects(
      chain,
      meter,
      settle([shopBill([{ kind: 'node', payee: erin.did, amount: 5n }]), { application: alice.did, lines: [] }]),
      'UNKNOWN_APPLICATION',
    );
    rejects(chain, meter, settle([shopBill([{ kind: 'component', payee: 'no-such-thing', amount: 5n }])]), 'UNKNOWN_COMPONENT');
    expect(app().nextPeriod).toBe(0);
    expect(checkError(meter, settle([shopBill(), shopBill()]))).toBe('INVALID_TX');
    expect(checkError(meter, settle([shopBill([{ kind: 'node', payee: erin.did, amount: 0n }])]))).toBe('INVALID_TX');
    expect(checkError(meter, settle([]))).toBe('INVALID_TX');
  });
});

describe('arrears', () => {
  it('leaves the application in grace, then suspended (APP_SUSPENDED), and funding it pays every payee and resumes it', () => {
    chain.ok(bob, openApplicationItx(bob, shop, 500n));
    expect(userTx(100n)).not.toBeInstanceOf(Error);
    const validatorBefore = chain.balance(validator);
    const arrearsSinceMs = chain.timeMs();
    const settled = chain.ok(meter, settle([shopBill([{ kind: 'node', payee: erin.did, amount: 1_000n }])]));
    expect(settled.events).toContainEqual(expect.objectContaining({ type: 'billSettled', charged: 1_100n, paid: false }));
    expect(app()).toMatchObject({ deposit: 500n, arrearsSinceMs, feesOwed: new Map() });
    expect(app().unpaid).toEqual(
      new Map([
        [treasury.did, 110n],
        [erin.did, 900n],
        [validator.did, 90n],
      ]),
    );
    expect(chain.balance(erin)).toBe(0n);
    expect(status()).toBe('grace');

    // In grace its users still transact while the deposit covers their fees; nothing can be withdrawn; a part payment
    // pays nobody.
    expect(userTx(10n)).not.toBeInstanceOf(Error);
    expect(userTx(500n)).toMatchObject({ code: 'DEPOSIT_TOO_LOW' });
    rejects(chain, bob, { type: 'withdrawDeposit', application: shop.did, amount: 1n }, 'DEPOSIT_TOO_LOW');
    chain.ok(alice, { type: 'fundApplication', application: shop.did, amount: 100n });
    expect(app()).toMatchObject({ deposit: 600n, arrearsSinceMs });
    expect(chain.balance(erin)).toBe(0n);

    chain.wait(arrearsSinceMs + ECONOMY.graceMs - chain.timeMs());
    expect(status()).toBe('suspended');
    expect(userTx(10n)).toMatchObject({ code: 'APP_SUSPENDED' });

    const funded = chain.ok(bob, { type: 'fundApplication', application: shop.did, amount: 600n });
    expect(funded.events.filter((e) => e.type === 'paidOut').map((e) => (e.type === 'paidOut' ? e.to : ''))).toEqual(
      [treasury.did, erin.did, validator.did].sort(),
    );
    expect(chain.balance(erin)).toBe(900n);
    expect(chain.balance(treasury)).toBe(110n);
    // Four fees: the settlement, two fundings and the refused withdrawal (it failed in its block and paid its fee).
    expect(chain.balance(validator)).toBe(validatorBefore + 90n + 4n * MIN_FEE);
    expect(app()).toMatchObject({ deposit: 100n, arrearsSinceMs: 0, unpaid: new Map() });
    expect(status()).toBe('active');
    expect(userTx(50n)).not.toBeInstanceOf(Error);
  });

  it('pays the bills only when the deposit also covers the fees its users ran up in grace', () => {
    chain.ok(bob, openApplicationItx(bob, shop, 500n));
    chain.ok(meter, settle([shopBill([{ kind: 'node', payee: erin.did, amount: 1_000n }])]));
    expect(userTx(10n)).not.toBeInstanceOf(Error);
    // 1,000 settled and unpaid plus 10 in fees since: a deposit of exactly the bills pays nobody.
    chain.ok(bob, { type: 'fundApplication', application: shop.did, amount: 500n });
    expect(app().deposit).toBe(1_000n);
    expect(app().unpaid.size).toBeGreaterThan(0);
    expect(chain.balance(erin)).toBe(0n);
    chain.ok(bob, { type: 'fundApplication', application: shop.did, amount: 10n });
    expect(app()).toMatchObject({ deposit: 10n, arrearsSinceMs: 0, unpaid: new Map() });
    expect(chain.balance(erin)).toBe(900n);
    expect(status()).toBe('active');
  });
});

describe('bounds', () => {
  it('refuses a settlement after which the application would owe more than the largest amount', () => {
    chain.ok(bob, openApplicationItx(bob, shop, 0n));
    const huge = (period: number) => settle([shopBill([{ kind: 'node', payee: erin.did, amount: AMOUNT_MAX }])], period);
    chain.ok(meter, huge(lastEndedPeriod(chain) - 1));
    expect(app().unpaid.get(erin.did)).toBe(AMOUNT_MAX - AMOUNT_MAX / 10n);
    rejects(chain, meter, huge(lastEndedPeriod(chain)), 'DEPOSIT_TOO_LOW', /largest amount/);
  });
});
