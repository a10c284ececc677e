/**
 * Token economy properties over random transaction streams (test/economy-streams.ts). fast-check prints the seed and
 * path of a failing run; replay it with `fc.assert(..., { seed, path })` in the RUNS options below (ECON_RUNS=600 runs more).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  APPS,
  buildEconomyTx,
  ECONOMY_CAST,
  type EconomyScenario,
  economyScenarioArb,
  STREAM_BLOCK_MS,
} from '../../test/economy-streams.ts';
import { blockCtx, ECONOMY, GENESIS_TIME_MS, genesisConfig } from '../../test/ledger-kit.ts';
import { toHex } from '../bytes.ts';
import { applyTxs } from './block-apply.ts';
import type { CheckedTx } from './check.ts';
import { applicationOwes } from './economy-state.ts';
import type { LedgerErrorCode } from './errors.ts';
import { nativeSupply } from './genesis.ts';
import { ECONOMY_LIMITS } from './limits.ts';
import { MemoryState, MemoryTrie } from './memory-state.ts';
import type { BlockContext } from './types.ts';

const RUNS = { numRuns: Number(process.env.ECON_RUNS ?? 60) };

/** The refusals a statically valid economy stream can meet once state is read. */
const STATEFUL_CODES: LedgerErrorCode[] = [
  'INSUFFICIENT_FUNDS',
  'UNKNOWN_TOKEN',
  'TOKEN_EXISTS',
  'GRANT_NOT_FOUND',
  'COMPONENT_NAME_TAKEN',
  'VERSION_EXISTS',
  'UNKNOWN_COMPONENT',
  'UNKNOWN_APPLICATION',
  'APPLICATION_EXISTS',
  'NOT_APPLICATION_OWNER',
  'APP_SUSPENDED',
  'DEPOSIT_TOO_LOW',
  'NOT_SETTLER',
  'PERIOD_NOT_OVER',
  'PERIOD_SETTLED',
  'INSUFFICIENT_STAKE',
  'NOTHING_TO_WITHDRAW',
  'UNBONDING_FULL',
  'NOT_ENOUGH_APPROVALS',
  'INVALID_SIGNATURE',
  'ALREADY_APPLIED',
  'NOT_TOKEN_OWNER',
  'TOKEN_NOT_MINTABLE',
  'TOKEN_CAP_EXCEEDED',
  'BRIDGE_ESCROW_LOW',
  'STAKE_TOO_LOW',
];

/** Tallies across all runs, to prove the streams reach the paths the properties are about. */
const seen = {
  included: new Map<string, number>(),
  failed: new Map<string, number>(),
  rejected: new Map<string, number>(),
  events: new Map<string, number>(),
};
const tally = (m: Map<string, number>, key: string) => m.set(key, (m.get(key) ?? 0) + 1);
const sum = (values: bigint[]) => values.reduce((a, b) => a + b, 0n);

/**
 * What holds after every transaction. Native ABT sits in account balances (the treasury and the escrow are
 * accounts), stakes (bonded and unbonding), application deposits and component publish stakes (locked under the old
 * rule; none in these streams); nothing else. A bond covers its names unless a slash cut it.
 */
function expectInvariants(state: MemoryState, supply: bigint, escrowed: bigint): void {
  const accounts = state.accounts();
  const stakes = state.stakes();
  const apps = state.applications();
  const balances = sum(accounts.map((a) => a.balance));
  const staked = sum(stakes.map((s) => s.unbonding.reduce((t, u) => t + u.amount, s.bonded)));
  const deposits = sum(apps.map((a) => a.deposit));
  const published = sum(state.components().map((c) => c.stake));
  expect(balances + staked + deposits + published, 'native supply').toBe(supply);
  expect(state.account(ECONOMY.bridgeEscrow)?.balance ?? 0n, 'escrow = locked - released').toBe(escrowed);

  for (const a of accounts) {
    expect(a.balance >= 0n, `balance of ${a.did}`).toBe(true);
    for (const amount of a.tokens.values()) expect(amount > 0n, `a holding of ${a.did}`).toBe(true);
  }
  for (const token of state.tokens()) {
    const held = sum(accounts.map((a) => a.tokens.get(token.address) ?? 0n));
    expect(held, `holdings of ${token.symbol}`).toBe(token.totalSupply);
    if (token.policy === 'capped') expect(token.totalSupply <= token.cap, `cap of ${token.symbol}`).toBe(true);
  }
  for (const s of stakes) {
    expect(s.bonded >= 0n && s.unbonding.every((u) => u.amount > 0n), `stake of ${s.did}`).toBe(true);
    const owned = state.components().filter((c) => c.owner === s.did).length;
    expect(s.names, `names counted on the stake of ${s.did}`).toBe(owned);
    if (s.slashed === 0n) expect(s.bonded >= BigInt(s.names) * ECONOMY.publishStake, `bond of ${s.did} covers its names`).toBe(true);
    expect(s.unbonding.length).toBeLessThanOrEqual(ECONOMY_LIMITS.unbondingEntriesMax);
  }
  for (const a of apps) {
    const unpaid = sum([...a.unpaid.values()]);
    expect(a.deposit >= 0n).toBe(true);
    expect(a.feesOwed.size).toBeLessThanOrEqual(ECONOMY_LIMITS.feePayeesMax);
    if (a.unpaid.size > 0) {
      // All or nothing: an application in arrears is one whose deposit cannot pay what was settled together with the
      // fees its users ran up since (paying the bills must not leave those uncovered).
      expect(a.arrearsSinceMs, `arrears of ${a.did}`).toBeGreaterThan(0);
      expect(unpaid > 0n).toBe(true);
      expect(a.deposit < applicationOwes(a), `a deposit that could pay sits unpaid on ${a.did}`).toBe(true);
    } else {
      expect(a.arrearsSinceMs, `arrears of ${a.did}`).toBe(0);
      expect(a.deposit >= applicationOwes(a), `fees of ${a.did} its deposit does not cover`).toBe(true);
    }
  }
}

interface Included {
  ctx: BlockContext;
  checked: CheckedTx;
}

/** Applies every transaction of the scenario on its own, checking the invariants after each; returns what went in. */
function runScenario(scenario: EconomyScenario): { state: MemoryState; included: Included[]; config: ReturnType<typeof genesisConfig> } {
  const config = genesisConfig(
    scenario.funded.map((amount, i) => ({ did: (ECONOMY_CAST[i] as (typeof ECONOMY_CAST)[number]).did, amount })),
  );
  const supply = nativeSupply(config);
  const state = MemoryState.fromGenesis(config);
  let escrowed = 0n;
  const included: Included[] = [];
  scenario.blocks.forEach((block, i) => {
    const proposer = ECONOMY_CAST[block.proposer]?.did ?? ECONOMY.treasury;
    const ctx = blockCtx(i + 1, { timeMs: GENESIS_TIME_MS + (i + 1) * STREAM_BLOCK_MS, proposer });
    for (const op of block.ops) {
      const checked = buildEconomyTx(op, state, ctx.timeMs);
      const result = applyTxs(state, [checked], ctx);
      for (const { error } of result.rejected) {
        expect(STATEFUL_CODES, error.message).toContain(error.code);
        tally(seen.rejected, error.code);
      }
      for (const { ok } of result.included) {
        if (ok.failed) {
          // Included as failed: the fee was charged (paid or accrued), nothing else happened.
          expect(STATEFUL_CODES, ok.failed.message).toContain(ok.failed.code);
          expect(ok.events.slice(0, -1).every((e) => e.type === 'feePaid' || e.type === 'feeAccrued')).toBe(true);
          tally(seen.failed, ok.failed.code);
        } else tally(seen.included, checked.tx.feePayer ? `${checked.tx.itx.type}+feePayer` : checked.tx.itx.type);
        for (const e of ok.events) {
          tally(seen.events, e.type === 'billSettled' ? `billSettled:${e.paid ? 'paid' : 'unpaid'}` : e.type);
          if (e.type === 'bridgeLocked') escrowed += e.amount;
          if (e.type === 'bridgeReleased') escrowed -= e.amount;
        }
        included.push({ ctx, checked });
      }
      state.commit(result.overlay.writes.values());
      expectInvariants(state, supply, escrowed);
    }
  });
  return { state, included, config };
}

describe('the token economy over random transaction streams', () => {
  it('conserves ABT across balances, stakes, deposits and publish stakes after every transaction, and each token supply', () => {
    fc.assert(
      fc.property(economyScenarioArb, (scenario) => {
        const { state, included, config } = runScenario(scenario);
        // Determinism: the included transactions alone (failed ones too), replayed from genesis, all go in again and
        // reach the same root.
        const replay = MemoryState.fromGenesis(config);
        for (const { ctx, checked } of included) {
          const again = applyTxs(replay, [checked], ctx);
          expect(again.rejected.map((r) => r.error.code)).toEqual([]);
          replay.commit(again.overlay.writes.values(), false);
        }
        const root = toHex(new MemoryTrie().fold(state.entries.values()));
        expect(toHex(new MemoryTrie().fold(replay.entries.values()))).toBe(root);
      }),
      RUNS,
    );
    // 60 streams replayed from genesis: ~20 s on a quiet 2-core machine, three times that beside the rest of the suite.
  }, 180_000);

  it('exercised every economy transaction, application-paid fees, and the refusals (rejected or failed) that guard the economy', () => {
    // A guard against a vacuous generator, on streams of a fixed seed: the random runs above reach each path almost
    // always, and a rare one (a second release of one burn, a withdrawal by a stranger) now and then not at all; the
    // guard is about the generator, so it must not depend on the draw.
    for (const m of Object.values(seen)) m.clear();
    fc.assert(
      fc.property(economyScenarioArb, (scenario) => {
        runScenario(scenario);
      }),
      { numRuns: 60, seed: 20_261_206 },
    );
    if (process.env.LEDGER_TALLY) console.log(seen);
    for (const type of [
      'stake',
      'unstake',
      'withdrawStake',
      'slash',
      'openApplication',
      'fundApplication',
      'withdrawDeposit',
      'settle',
      'issueToken',
      'mintToken',
      'burnToken',
      'bridgeLock',
      'bridgeRelease',
      'transfer+feePayer',
    ]) {
      expect(seen.included.get(type) ?? 0, `included ${type}`).toBeGreaterThan(0);
    }
    for (const event of ['feeAccrued', 'paidOut', 'billSettled:paid', 'billSettled:unpaid', 'stakeWithdrawn', 'slashed']) {
      expect(seen.events.get(event) ?? 0, `event ${event}`).toBeGreaterThan(0);
    }
    for (const code of [
      'APP_SUSPENDED',
      'DEPOSIT_TOO_LOW',
      'ALREADY_APPLIED',
      'PERIOD_SETTLED',
      'NOT_ENOUGH_APPROVALS',
      'INVALID_SIGNATURE',
      'BRIDGE_ESCROW_LOW',
      'INSUFFICIENT_STAKE',
      'NOTHING_TO_WITHDRAW',
      'NOT_APPLICATION_OWNER',
      'STAKE_TOO_LOW',
    ] satisfies LedgerErrorCode[]) {
      // Each refused either before its fee (rejected) or after it (included as failed).
      expect((seen.rejected.get(code) ?? 0) + (seen.failed.get(code) ?? 0), `refused with ${code}`).toBeGreaterThan(0);
    }
    expect(seen.failed.size, 'failed inclusions in the streams').toBeGreaterThan(0);
    expect(APPS.length).toBe(2);
  }, 120_000);
});
