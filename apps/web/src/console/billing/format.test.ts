import { describe, expect, it } from 'vitest';
import { type Billing, formatPeriod, groupLines, type InvoiceLine, shortfallOf, withdrawableOf } from './format.ts';

const ABT = 10n ** 18n;

function billing(patch: Partial<Billing>): Billing {
  return {
    application: 'did:abt:zApp',
    open: true,
    owner: 'did:abt:zOwner',
    deposit: '0',
    feesOwed: '0',
    unpaid: '0',
    status: 'active',
    graceEndsAtMs: 0,
    billingPeriodMs: 30 * 86_400_000,
    currentPeriod: 1,
    nextPeriod: 1,
    accruing: '0',
    notice: null,
    ...patch,
  };
}

describe('what the owner may withdraw and must add', () => {
  it('withdraws only the deposit that is not owed', () => {
    const b = billing({ deposit: (5n * ABT).toString(), feesOwed: ABT.toString(), unpaid: '0' });
    expect(withdrawableOf(b)).toBe(4n * ABT);
    expect(withdrawableOf(billing({ deposit: '1', unpaid: '5' }))).toBe(0n);
  });

  it('asks for what the deposit lacks to pay the unpaid bill, and nothing when it covers it', () => {
    expect(shortfallOf(billing({ deposit: ABT.toString(), unpaid: (3n * ABT).toString() }))).toBe(2n * ABT);
    expect(shortfallOf(billing({ deposit: (3n * ABT).toString(), unpaid: ABT.toString() }))).toBe(0n);
  });
});

describe('formatPeriod', () => {
  it('says a period of days by its dates, and a short one by its times, in UTC', () => {
    const day = 86_400_000;
    const start = Date.UTC(2026, 10, 25);
    expect(formatPeriod(start, start + 30 * day)).toBe('Nov 25 – Dec 24, 2026');
    expect(formatPeriod(Date.UTC(2026, 11, 4, 21, 3, 20), Date.UTC(2026, 11, 4, 21, 3, 40))).toBe('Dec 4, 2026, 21:03:20 – 21:03:40 UTC');
  });
});

describe('groupLines', () => {
  const line = (day: string, kind: InvoiceLine['kind'], payee: string, quantity: number, amount: bigint): InvoiceLine => ({
    day,
    kind,
    payee,
    quantity,
    unit: kind === 'component' ? 'call' : kind === 'node' ? 'cpu-ms' : 'period',
    amount: amount.toString(),
  });

  it('groups an invoice per component and resource with its days in order, largest amount first', () => {
    const groups = groupLines([
      line('2026-12-05', 'component', 'oracle', 3, 30n),
      line('2026-12-04', 'node', 'did:abt:zNode', 100, 100n),
      line('2026-12-04', 'component', 'oracle', 2, 20n),
    ]);
    expect(groups.map((g) => [g.kind, g.payee, g.quantity, g.amount])).toEqual([
      ['node', 'did:abt:zNode', 100, 100n],
      ['component', 'oracle', 5, 50n],
    ]);
    expect(groups[1]?.days.map((d) => d.day)).toEqual(['2026-12-04', '2026-12-05']);
  });
});
