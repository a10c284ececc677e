import type { ChainAdapter } from '@arc/core';
import { describe, expect, it } from 'vitest';
import { createMockAdapter } from '../mock/index.ts';
import {
  type Breakage,
  broken,
  claimsNativeWithout,
  confirmationsOffBy,
  dropsOnMidBlockResume,
  ignoresIdempotencyKey,
  ignoresReorgWhileClosed,
  inventsUnknownTransaction,
  numberFeeEstimates,
  numberTxFees,
  redeliversFinishedBlock,
  reordersOnMidBlockResume,
  unmappedErrors,
} from './broken.ts';
import type { ConformanceHarness } from './harness.ts';
import { checkConformance } from './runner.ts';

const TRANSFER_AMOUNT = 1_000n;
const TOKEN_SUPPLY = 1_000_000n;
/** Short waits: the mock answers at once, and a broken adapter's missing event should fail the check quickly. */
const OPTIONS = { timeoutMs: 6_000, pollMs: 20, parallelSends: 5 };

/** The mock's conformance harness, its adapter optionally replaced by a broken wrapper around it. */
function mockHarness(breakage?: Breakage): () => Promise<ConformanceHarness> {
  return async () => {
    const funded = createMockAdapter().signer(crypto.getRandomValues(new Uint8Array(32)));
    const mock = createMockAdapter({
      accounts: { [funded.address]: 10n ** 24n },
      tokens: [{ symbol: 'USDM', name: 'Mock dollar', decimals: 6, supply: TOKEN_SUPPLY, owner: funded.address }],
    });
    const token = mock.native.tokens()[0];
    if (!token) throw new Error('the token preset is missing');
    const adapter: ChainAdapter = breakage ? broken(mock, breakage) : mock;
    return {
      adapter,
      funded,
      transferAmount: TRANSFER_AMOUNT,
      unknownTxHash: `0x${'ab'.repeat(32)}`,
      mine: async (n) => void mock.native.mine(n),
      reorg: async (depth) => void mock.native.reorg(depth),
      token: { address: token.address, holder: funded, amount: TOKEN_SUPPLY },
      mintAsset: async (owner) => mock.native.mintAsset(owner).id,
      signTransfer: async (signer, request) => mock.native.buildTransfer(signer, request),
    };
  };
}

/** Each broken adapter and the check (a part of its name) that must fail for it. */
const CASES: { bug: string; breakage: Breakage; check: string }[] = [
  { bug: 'drops an event when resuming mid-block', breakage: dropsOnMidBlockResume, check: 'resumes in the middle of a block' },
  { bug: 'reorders events when resuming mid-block', breakage: reordersOnMidBlockResume, check: 'resumes in the middle of a block' },
  { bug: 're-delivers a finished block on resume', breakage: redeliversFinishedBlock, check: 'passed its end' },
  { bug: 'delivers one confirmation early', breakage: confirmationsOffBy(-1), check: 'exactly the requested confirmations' },
  { bug: 'delivers one confirmation late', breakage: confirmationsOffBy(1), check: 'exactly the requested confirmations' },
  { bug: 'misses a reorg while the stream was closed', breakage: ignoresReorgWhileClosed, check: 'while the stream was closed' },
  { bug: 'leaks raw errors from token transfers', breakage: unmappedErrors('transferToken'), check: 'maps token transfer errors' },
  {
    bug: 'ignores idempotency keys on token transfers',
    breakage: ignoresIdempotencyKey('transferToken'),
    check: 'maps token transfer errors',
  },
  { bug: 'leaks raw errors from asset transfers', breakage: unmappedErrors('transferAsset'), check: 'maps asset transfer errors' },
  {
    bug: 'ignores idempotency keys on asset transfers',
    breakage: ignoresIdempotencyKey('transferAsset'),
    check: 'maps asset transfer errors',
  },
  { bug: 'leaks raw errors from broadcast', breakage: unmappedErrors('broadcast'), check: 'malformed raw transaction' },
  { bug: 'ignores idempotency keys on broadcast', breakage: ignoresIdempotencyKey('broadcast'), check: 'once per idempotency key' },
  { bug: 'estimates fees as numbers', breakage: numberFeeEstimates, check: 'estimates a fee' },
  { bug: 'reports transaction fees as numbers', breakage: numberTxFees, check: 'sends a native transfer' },
  { bug: 'invents a result for an unknown hash', breakage: inventsUnknownTransaction, check: 'no one sent' },
  { bug: 'claims native with no native API', breakage: claimsNativeWithout(undefined), check: 'native capability' },
  { bug: 'claims native with an empty native API', breakage: claimsNativeWithout({}), check: 'native capability' },
];

describe('the conformance suite', () => {
  it('passes the working mock on every check the broken adapters below must fail', async () => {
    const checks = [...new Set(CASES.map((c) => c.check))];
    const report = await checkConformance('mock', mockHarness(), { ...OPTIONS, only: (name) => checks.some((c) => name.includes(c)) });
    expect(report.failed.map((f) => `${f.name}: ${String(f.error)}`)).toEqual([]);
    expect(report.skipped).toEqual([]);
    for (const check of checks)
      expect(
        report.passed.some((name) => name.includes(check)),
        check,
      ).toBe(true);
  });

  it.each(CASES)('fails an adapter that $bug', async ({ breakage, check }) => {
    const report = await checkConformance('broken mock', mockHarness(breakage), { ...OPTIONS, only: (name) => name.includes(check) });
    expect(report.skipped).toEqual([]);
    expect(report.passed).toEqual([]);
    expect(report.failed).toHaveLength(1);
  });

  it('skips, naming the capability, instead of passing a check the adapter cannot run', async () => {
    const noEvents: Breakage = (a) => ({ capabilities: () => ({ ...a.capabilities(), events: false as const }) });
    const report = await checkConformance('mock without events', mockHarness(noEvents), {
      ...OPTIONS,
      only: (name) => name.includes('event stream'),
    });
    expect(report.skipped.length).toBeGreaterThan(5);
    for (const skip of report.skipped) expect(skip.reason).toMatch(/events capability is false|claims the events capability/);
    expect(report.passed.length + report.skipped.length + report.failed.length).toBeGreaterThan(5);
  });
});
