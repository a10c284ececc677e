import type { Capabilities } from '@arc/core';

/**
 * The OCAP conformance suite's results for the adapters the node ships, as the demo publishes them (the market's
 * ConformanceOut: passed, failed, skipped, capabilities, checkedAtMs).
 *
 * What the suite checks (packages/adapters/src/conformance): 31 checks in three groups. Level 1 (12, mandatory):
 * chain info and CAIP ids, blocks by height and hash, balances, fee estimates, transfers with idempotency keys and
 * typed errors (insufficient funds, bad address), waiting for confirmations. Levels 2 and 3 (10): accounts, token
 * and asset reads and moves (refusing a non-owner), broadcast of signed raw transactions, native calls, and that a
 * feature whose capability is `false` throws ADAPTER_UNSUPPORTED. The event stream (9): resumable cursors, no event
 * dropped or repeated mid-block, confirmations, reorg removals. A check that needs a capability the adapter lacks
 * (or that tests the refusal of one it has) is skipped, saying why.
 *
 * Recorded from `npx vitest run packages/adapters/src/{mock,ethereum,bitcoin} apps/node/test/native-adapter.test.ts
 * --reporter=json` on 2026-12-04 (ethereum against anvil, bitcoin against the in-process regtest peer, native
 * against a test node on PGlite and PostgreSQL: the same 25/6 on both). Fabric is not shipped, so not published.
 */
export const CONFORMANCE_CHECKED_AT_MS = Date.UTC(2026, 11, 4, 6, 12);

export interface AdapterConformance {
  chain: string;
  passed: number;
  failed: number;
  skipped: number;
  capabilities: Record<keyof Capabilities, boolean>;
  /** The skipped checks, by the suite's titles, so the README can say why. */
  skippedChecks: string[];
  checkedAtMs: number;
}

const REFUSALS = [
  'refuses tokens as unsupported when it has none',
  'refuses assets as unsupported when it has none',
  'refuses as unsupported when the adapter has no events',
];

export const ADAPTER_CONFORMANCE: Record<'mock' | 'arc' | 'ethereum' | 'bitcoin', AdapterConformance> = {
  mock: {
    chain: 'mock',
    passed: 28,
    failed: 0,
    skipped: 3,
    capabilities: { accounts: true, tokens: true, assets: true, events: true, reorgs: true, native: true },
    skippedChecks: REFUSALS,
    checkedAtMs: CONFORMANCE_CHECKED_AT_MS,
  },
  arc: {
    chain: 'arc',
    passed: 25,
    failed: 0,
    skipped: 6,
    capabilities: { accounts: true, tokens: true, assets: true, events: true, reorgs: false, native: true },
    skippedChecks: [
      ...REFUSALS,
      'resumes in the middle of a block with the rest of that block, in order, none dropped',
      'reports events of orphaned blocks as removals after a reorg',
      'signals on resume a reorg that happened while the stream was closed',
    ],
    checkedAtMs: CONFORMANCE_CHECKED_AT_MS,
  },
  ethereum: {
    chain: 'ethereum',
    passed: 27,
    failed: 0,
    skipped: 4,
    capabilities: { accounts: true, tokens: true, assets: true, events: true, reorgs: true, native: true },
    skippedChecks: [...REFUSALS, 'resumes in the middle of a block with the rest of that block, in order, none dropped'],
    checkedAtMs: CONFORMANCE_CHECKED_AT_MS,
  },
  bitcoin: {
    chain: 'bitcoin',
    passed: 26,
    failed: 0,
    skipped: 5,
    capabilities: { accounts: true, tokens: false, assets: false, events: true, reorgs: true, native: true },
    skippedChecks: [
      'reads and moves token balances',
      'maps token transfer errors and honours their idempotency keys',
      'reads and moves assets, refusing a non-owner',
      'maps asset transfer errors and honours their idempotency keys',
      'refuses as unsupported when the adapter has no events',
    ],
    checkedAtMs: CONFORMANCE_CHECKED_AT_MS,
  },
};
