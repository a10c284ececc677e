/**
 * Ledger properties over random transaction streams. fast-check prints the seed and path of a
 * failing run; replay it with `fc.assert(..., { seed, path })` in the RUNS options below.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { blockCtx, genesisConfig } from '../../test/ledger-kit.ts';
import { buildBlock, CAST, type Scenario, type StreamMemory, scenarioArb } from '../../test/ledger-streams.ts';
import { MemoryState, MemoryTrie } from '../../test/memory-state.ts';
import { toHex } from '../bytes.ts';
import { applyTxs } from './block-apply.ts';
import type { CheckedTx } from './check.ts';
import type { LedgerErrorCode } from './errors.ts';
import { type GenesisConfig, genesisEntries, nativeSupply } from './genesis.ts';
import type { StateWrite } from './state.ts';
import type { BlockContext } from './types.ts';

const RUNS = { numRuns: 80 };

/** The refusals a statically valid transaction can meet once state is read. */
const STATEFUL_CODES: LedgerErrorCode[] = [
  'UNKNOWN_ACCOUNT',
  'ACCOUNT_EXISTS',
  'NONCE_TOO_LOW',
  'NONCE_GAP',
  'INSUFFICIENT_FUNDS',
  'UNKNOWN_TOKEN',
  'TOKEN_EXISTS',
  'UNKNOWN_ASSET',
  'ASSET_NOT_OWNED',
  'ASSET_NOT_TRANSFERABLE',
  'ASSET_CONSUMED',
  'ASSET_READONLY',
  'GRANT_NOT_FOUND',
  'GRANT_EXPIRED',
  'GRANT_EXCEEDED',
  'INVALID_TX',
];

/** One committed block: what a replay needs and the root it must reach. */
interface Committed {
  ctx: BlockContext;
  included: CheckedTx[];
  writes: StateWrite[];
  rootHex: string;
}

/** Tallies across all runs, to prove the streams reach the paths the properties are about. */
const seen = { included: new Map<string, number>(), rejected: new Map<string, number>() };
const tally = (m: Map<string, number>, key: string) => m.set(key, (m.get(key) ?? 0) + 1);

function configOf(scenario: Scenario): GenesisConfig {
  return genesisConfig(scenario.funded.map((amount, i) => ({ did: (CAST[i] as (typeof CAST)[number]).did, amount })));
}

/** The invariants that hold after every block. */
function expectInvariants(state: MemoryState, supply: bigint): void {
  const accounts = state.accounts();
  expect(accounts.reduce((sum, a) => sum + a.balance, 0n)).toBe(supply);
  for (const a of accounts) {
    expect(a.balance >= 0n, `balance of ${a.did}`).toBe(true);
    for (const [token, amount] of a.tokens) {
      expect(amount > 0n, `holding of ${token} by ${a.did}`).toBe(true);
      expect(state.token(token), `held token ${token} exists`).toBeDefined();
    }
  }
  for (const token of state.tokens()) {
    const held = accounts.reduce((sum, a) => sum + (a.tokens.get(token.address) ?? 0n), 0n);
    expect(held, `holdings of ${token.symbol}`).toBe(token.totalSupply);
  }
}

/** Applies the scenario block by block, checking the per-block properties; returns what was committed. */
function runScenario(scenario: Scenario): { config: GenesisConfig; blocks: Committed[] } {
  const config = configOf(scenario);
  const supply = nativeSupply(config);
  const state = MemoryState.fromGenesis(config);
  expectInvariants(state, supply);
  const memory: StreamMemory = { assets: [] };
  const blocks: Committed[] = [];
  scenario.blocks.forEach((block, i) => {
    const ctx = blockCtx(i + 1, { proposer: (CAST[block.proposer] as (typeof CAST)[number]).did });
    const txs = buildBlock(block.ops, state, memory, ctx);
    const nonceBefore = new Map(CAST.map((c) => [c.did, state.account(c.did)?.nonce ?? 0]));
    const snapshot = state.snapshot();

    const { overlay, included, rejected } = applyTxs(state, txs, ctx);

    expect(state.snapshot(), 'applyTxs must not change the state it reads').toEqual(snapshot);
    expect(included.length + rejected.length).toBe(txs.length);
    for (const { error } of rejected) {
      expect(STATEFUL_CODES).toContain(error.code);
      tally(seen.rejected, error.code);
    }
    for (const { checked } of included) {
      tally(seen.included, checked.tx.feePayer ? `${checked.tx.itx.type}+feePayer` : checked.tx.itx.type);
    }
    const writes = [...overlay.writes.values()];
    const root = state.commit(writes);
    expectInvariants(state, supply);
    for (const c of CAST) {
      const mine = included.filter((inc) => inc.checked.tx.from === c.did).length;
      expect(state.account(c.did)?.nonce ?? 0, `nonce of ${c.name}`).toBe((nonceBefore.get(c.did) ?? 0) + mine);
    }
    blocks.push({ ctx, included: included.map((inc) => inc.checked), writes, rootHex: toHex(root) });
  });
  return { config, blocks };
}

describe('ledger over random transaction streams', () => {
  it('conserves supply, keeps balances non-negative and nonces exact, and replays to the same roots', () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        const { config, blocks } = runScenario(scenario);

        // Determinism: the included transactions alone, replayed from genesis in fresh state,
        // are all included again and give the same state root at every height.
        const replay = MemoryState.fromGenesis(config);
        for (const block of blocks) {
          const again = applyTxs(replay, block.included, block.ctx);
          expect(again.rejected.map((r) => r.error.code)).toEqual([]);
          expect(toHex(replay.commit(again.overlay.writes.values()))).toBe(block.rootHex);
        }

        // Batching: every block's writes folded into one trie update from the empty root (genesis
        // included) reach the same final root as folding them block by block.
        const finalRoot = blocks.at(-1)?.rootHex;
        const allAtOnce = new MemoryTrie().fold([...genesisEntries(config), ...blocks.flatMap((b) => b.writes)]);
        expect(toHex(allAtOnce)).toBe(finalRoot);

        // And the root depends only on the final entries, not on the history that led to them.
        expect(toHex(new MemoryTrie().fold(replay.entries.values()))).toBe(finalRoot);
      }),
      RUNS,
    );
  });

  it('exercised every transaction type, fee payers, and the common refusals', () => {
    if (process.env.LEDGER_TALLY) console.log(seen);
    // Runs after the property above (vitest keeps file order); a guard against a vacuous generator.
    for (const type of [
      'transfer',
      'createToken',
      'createAsset',
      'updateAsset',
      'consumeAsset',
      'delegate',
      'revokeDelegation',
      'declareAccount',
    ]) {
      expect(seen.included.get(type) ?? 0, `included ${type}`).toBeGreaterThan(0);
    }
    expect(
      [...seen.included.keys()].some((k) => k.endsWith('+feePayer')),
      'an included fee-payer tx',
    ).toBe(true);
    for (const code of ['INSUFFICIENT_FUNDS', 'NONCE_TOO_LOW', 'NONCE_GAP', 'UNKNOWN_ACCOUNT', 'TOKEN_EXISTS', 'ASSET_NOT_OWNED']) {
      expect(seen.rejected.get(code) ?? 0, `rejected with ${code}`).toBeGreaterThan(0);
    }
  });
});
