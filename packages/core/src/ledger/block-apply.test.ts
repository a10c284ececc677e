import { describe, expect, it } from 'vitest';
import {
  alice,
  blockCtx,
  bob,
  carol,
  dave,
  genesisConfig,
  MIN_FEE,
  mustCheck,
  PARAMS,
  signedTx,
  transferItx,
  validator,
} from '../../test/ledger-kit.ts';
import { tokenAddress } from './addresses.ts';
import { applyTxs, assertConserved } from './block-apply.ts';
import { nativeSupply } from './genesis.ts';
import { MemoryState } from './memory-state.ts';
import { Overlay } from './state.ts';
import type { AccountState, ApplicationState, TokenState } from './types.ts';

const config = genesisConfig([
  { did: alice.did, amount: 1_000n },
  { did: bob.did, amount: 500n },
  { did: alice.did, amount: 24n },
]);

function account(did: string, balance: bigint, tokens: [string, bigint][] = []): AccountState {
  return { did, publicKey: null, moniker: '', nonce: 0, balance, tokens: new Map(tokens) };
}

describe('genesis', () => {
  it('makes one account per allocated DID, adding up repeated allocations, and counts the native supply', () => {
    const state = MemoryState.fromGenesis(config);
    expect(state.account(alice.did)).toEqual(account(alice.did, 1_024n));
    expect(state.account(bob.did)).toEqual(account(bob.did, 500n));
    expect(state.accounts()).toHaveLength(2);
    expect(nativeSupply(config)).toBe(1_524n);
  });
});

describe('applyTxs', () => {
  it('includes transactions that apply or fail after their fee, in order, and lists the rejected with their errors', () => {
    const state = MemoryState.fromGenesis(config);
    const txs = [
      mustCheck(signedTx(alice, transferItx(carol, { amount: 100n }), { nonce: 1 })),
      mustCheck(signedTx(dave, transferItx(alice, { amount: 1n }), { nonce: 1 })),
      mustCheck(signedTx(alice, transferItx(bob, { amount: 10_000n }), { nonce: 2 })),
      mustCheck(signedTx(alice, transferItx(bob, { amount: 10n }), { nonce: 2 })),
      mustCheck(signedTx(carol, transferItx(bob, { amount: 5n }), { nonce: 1 })),
    ];
    const { included, rejected, overlay } = applyTxs(state, txs, blockCtx(1));
    // The overdraft (nonce 2) goes in as failed and pays its fee, so the second nonce 2 is too low.
    expect(included.map((i) => [i.checked, i.ok.failed?.code ?? null])).toEqual([
      [txs[0], null],
      [txs[2], 'INSUFFICIENT_FUNDS'],
      [txs[4], null],
    ]);
    expect(rejected.map((r) => [r.checked, r.error.code])).toEqual([
      [txs[1], 'UNKNOWN_ACCOUNT'],
      [txs[3], 'NONCE_TOO_LOW'],
    ]);
    expect(overlay.account(alice.did)).toMatchObject({ nonce: 2, balance: 1_024n - 100n - 2n * MIN_FEE });
    expect(overlay.account(bob.did)?.balance).toBe(500n + 5n);
    expect(overlay.account(carol.did)).toMatchObject({ nonce: 1, balance: 100n - 5n - MIN_FEE });
    expect(overlay.account(validator.did)?.balance).toBe(3n * MIN_FEE);
  });

  it('never changes the state it reads from', () => {
    const state = MemoryState.fromGenesis(config);
    const before = state.snapshot();
    applyTxs(state, [mustCheck(signedTx(alice, transferItx(bob, { amount: 1n }), { nonce: 1 }))], blockCtx(1));
    expect(state.snapshot()).toEqual(before);
  });

  it('stops including at maxTxsPerBlock and neither includes nor rejects what is left', () => {
    const state = MemoryState.fromGenesis(config);
    const txs = [1, 2, 3].map((nonce) => mustCheck(signedTx(alice, transferItx(bob, { amount: 1n }), { nonce })));
    const { included, rejected } = applyTxs(state, txs, blockCtx(1, { params: { ...PARAMS, maxTxsPerBlock: 2 } }));
    expect(included).toHaveLength(2);
    expect(rejected).toHaveLength(0);
  });
});

describe('assertConserved', () => {
  const state = MemoryState.fromGenesis(config);
  const GOLD = tokenAddress('GOLD');
  const gold = (totalSupply: bigint): TokenState => ({
    address: GOLD,
    symbol: 'GOLD',
    name: 'Gold',
    decimals: 0,
    totalSupply,
    owner: alice.did,
    createdAtHeight: 1,
    policy: 'mintable',
    cap: 0n,
  });
  const application = (deposit: bigint): ApplicationState => ({
    did: dave.did,
    owner: alice.did,
    deposit,
    feesOwed: new Map(),
    unpaid: new Map(),
    arrearsSinceMs: 0,
    nextPeriod: 0,
    createdAtHeight: 1,
  });

  it('accepts moves that sum to zero', () => {
    const overlay = new Overlay(state);
    overlay.put({ kind: 'account', value: account(alice.did, 1_000n) });
    overlay.put({ kind: 'account', value: account(carol.did, 24n) });
    expect(() => assertConserved(state, overlay)).not.toThrow();
  });

  it('fires when a block mints or burns the native token', () => {
    const overlay = new Overlay(state);
    overlay.put({ kind: 'account', value: account(carol.did, 1n) });
    expect(() => assertConserved(state, overlay)).toThrow(/native supply by 1/);
  });

  it('fires when token holdings do not match what new tokens minted', () => {
    const overlay = new Overlay(state);
    overlay.put({
      kind: 'token',
      value: {
        address: GOLD,
        symbol: 'GOLD',
        name: 'Gold',
        decimals: 0,
        totalSupply: 10n,
        owner: alice.did,
        createdAtHeight: 1,
        policy: 'fixed',
        cap: 0n,
      },
    });
    overlay.put({ kind: 'account', value: account(alice.did, 1_024n, [[GOLD, 11n]]) });
    expect(() => assertConserved(state, overlay)).toThrow(/supply of .* by 1/);
  });

  it('counts ABT moved into stakes (bonded and unbonding) and application deposits as held, not lost', () => {
    const overlay = new Overlay(state);
    overlay.put({ kind: 'account', value: account(alice.did, 1_000n) });
    overlay.put({
      kind: 'stake',
      value: { did: alice.did, bonded: 10n, unbonding: [{ amount: 4n, releaseAtMs: 1 }], slashed: 0n, names: 0 },
    });
    overlay.put({ kind: 'application', value: application(10n) });
    expect(() => assertConserved(state, overlay)).not.toThrow();
    overlay.put({ kind: 'application', value: application(11n) });
    expect(() => assertConserved(state, overlay)).toThrow(/native supply by 1/);
  });

  it('accepts a mint or burn of an existing token when the holdings move with its supply', () => {
    const withGold = MemoryState.fromGenesis(config);
    withGold.commit(
      [
        { kind: 'token', value: gold(10n) },
        { kind: 'account', value: account(alice.did, 1_024n, [[GOLD, 10n]]) },
      ],
      false,
    );
    const overlay = new Overlay(withGold);
    overlay.put({ kind: 'token', value: gold(15n) });
    overlay.put({ kind: 'account', value: account(bob.did, 500n, [[GOLD, 5n]]) });
    expect(() => assertConserved(withGold, overlay)).not.toThrow();
    overlay.put({ kind: 'account', value: account(alice.did, 1_024n, [[GOLD, 9n]]) });
    expect(() => assertConserved(withGold, overlay)).toThrow(/supply of .* by -1/);
  });

  it('fires on a negative balance even when the sums match', () => {
    const overlay = new Overlay(state);
    overlay.put({ kind: 'account', value: account(alice.did, 1_025n) });
    overlay.put({ kind: 'account', value: account(carol.did, -1n) });
    expect(() => assertConserved(state, overlay)).toThrow(/negative balance/);
  });
});
