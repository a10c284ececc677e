import { beforeEach, describe, expect, it } from 'vitest';
import {
  type Actor,
  alice,
  bob,
  carol,
  createdAsset,
  dave,
  expectRefused,
  GENESIS_TIME_MS,
  MIN_FEE,
  TestChain,
  transferItx,
  validator,
} from '../../test/ledger-kit.ts';
import { assetAddress, tokenAddress } from './addresses.ts';
import type { ApplyOk } from './apply.ts';
import type { CheckedTx } from './check.ts';
import type { LedgerError, LedgerErrorCode } from './errors.ts';
import type { Itx } from './types.ts';

const GOLD = tokenAddress('GOLD');
const SILVER = tokenAddress('SILVER');
const LATER_MS = GENESIS_TIME_MS + 1_000_000;

let chain: TestChain;
beforeEach(() => {
  chain = TestChain.funded([
    [alice, 1_000_000n],
    [bob, 1_000_000n],
    [carol, 1_000n],
  ]);
});

/** Applies the transaction and expects it refused with `code`: rejected before its fee, or included as failed (fee only). */
function expectRejected(checked: CheckedTx, code: LedgerErrorCode, ctx = {}): LedgerError {
  return expectRefused(chain, checked, code, undefined, ctx);
}

const rejects = (from: Actor, itx: Itx, code: LedgerErrorCode, opts = {}, ctx = {}) =>
  expectRejected(chain.build(from, itx, opts), code, ctx);

function createToken(owner: Actor, symbol: string, totalSupply: bigint): ApplyOk {
  return chain.ok(owner, { type: 'createToken', symbol, name: `${symbol} coin`, decimals: 2, totalSupply });
}

function createAsset(owner: Actor, fields: { transferable?: boolean; readonly?: boolean } = {}): string {
  const itx: Itx = { type: 'createAsset', moniker: 'ticket', data: new Uint8Array([1]), transferable: true, readonly: false, ...fields };
  return createdAsset(chain.ok(owner, itx));
}

function delegate(payer: Actor, grantee: Actor, allowance: bigint, expiresAtMs = LATER_MS): void {
  chain.ok(payer, { type: 'delegate', grantee: grantee.did, allowance, expiresAtMs });
}

describe('accounts and nonces', () => {
  it('declares a funded account: binds its key, records its moniker and takes nonce 1', () => {
    const ok = chain.ok(alice, { type: 'declareAccount', moniker: 'Alice' });
    const account = chain.state.account(alice.did);
    expect(account).toMatchObject({ moniker: 'Alice', nonce: 1, balance: 1_000_000n - MIN_FEE, publicKey: alice.keys.publicKey });
    expect(ok.events).toContainEqual({ type: 'accountDeclared', did: alice.did });
  });

  it('declares a brand-new account whose fee a granting payer covers', () => {
    delegate(alice, dave, 100n);
    chain.ok(dave, { type: 'declareAccount', moniker: 'Dave' }, { feePayer: alice });
    expect(chain.state.account(dave.did)).toMatchObject({ moniker: 'Dave', nonce: 1, balance: 0n, publicKey: dave.keys.publicKey });
  });

  it('rejects anything but declareAccount from an account that has never received funds (UNKNOWN_ACCOUNT)', () => {
    const error = rejects(dave, transferItx(alice, { amount: 1n }), 'UNKNOWN_ACCOUNT');
    expect(error.retriable).toBe(true);
  });

  it('rejects declaring an account that is already bound to its key (ACCOUNT_EXISTS)', () => {
    chain.ok(alice, { type: 'declareAccount', moniker: 'Alice' });
    rejects(alice, { type: 'declareAccount', moniker: 'Alice again' }, 'ACCOUNT_EXISTS');
    chain.ok(bob, transferItx(alice, { amount: 1n }));
    rejects(bob, { type: 'declareAccount', moniker: 'Bob' }, 'ACCOUNT_EXISTS');
  });

  it('rejects a nonce already used (NONCE_TOO_LOW), for good', () => {
    chain.ok(alice, transferItx(bob, { amount: 1n }));
    const error = rejects(alice, transferItx(bob, { amount: 1n }), 'NONCE_TOO_LOW', { nonce: 1 });
    expect(error.retriable).toBe(false);
  });

  it('rejects a nonce that skips ahead (NONCE_GAP), retriably', () => {
    const error = rejects(alice, transferItx(bob, { amount: 1n }), 'NONCE_GAP', { nonce: 2 });
    expect(error.retriable).toBe(true);
  });

  it('increases the nonce by exactly one per applied transaction', () => {
    for (let i = 1; i <= 3; i++) {
      chain.ok(alice, transferItx(bob, { amount: 1n }));
      expect(chain.state.account(alice.did)?.nonce).toBe(i);
    }
  });
});

describe('fees', () => {
  it('moves the fee from the sender to the proposer, creating the proposer account', () => {
    const ok = chain.ok(alice, transferItx(bob, { amount: 100n }), { fee: 25n });
    expect(chain.balance(alice)).toBe(1_000_000n - 125n);
    expect(chain.balance(validator)).toBe(25n);
    expect(ok.events).toContainEqual({ type: 'feePaid', payer: alice.did, amount: 25n, proposer: validator.did });
    // The proposer earns every fee, so it is not listed among the accounts the transaction touched.
    expect([...ok.accounts].sort()).toEqual([alice.did, bob.did].sort());
  });

  it('nets the fee to zero when the sender proposes the block', () => {
    chain.ok(alice, transferItx(bob, { amount: 100n }), {}, { proposer: alice.did });
    expect(chain.balance(alice)).toBe(1_000_000n - 100n);
  });

  it('rejects a fee the sender cannot pay (INSUFFICIENT_FUNDS)', () => {
    rejects(carol, transferItx(bob, { amount: 1n }), 'INSUFFICIENT_FUNDS', { fee: 1_001n });
  });

  it('charges the fee and advances the nonce, and does nothing else, when the transaction fails after the fee step', () => {
    const error = rejects(carol, transferItx(bob, { amount: 995n }), 'INSUFFICIENT_FUNDS');
    expect(error.message).toMatch(/cannot send 995/);
    expect(chain.balance(carol)).toBe(1_000n - MIN_FEE);
    expect(chain.balance(bob)).toBe(1_000_000n);
    expect(chain.state.account(carol.did)?.nonce).toBe(1);
    expect(chain.balance(validator)).toBe(MIN_FEE);
  });
});

describe('transfers', () => {
  it('moves ABT, two tokens and two assets in one transaction', () => {
    createToken(alice, 'GOLD', 1_000n);
    createToken(alice, 'SILVER', 50n);
    const ticket = createAsset(alice);
    const badge = createAsset(alice);
    const ok = chain.ok(
      alice,
      transferItx(bob, {
        amount: 500n,
        tokens: [
          { token: GOLD, amount: 300n },
          { token: SILVER, amount: 50n },
        ],
        assets: [ticket, badge],
      }),
    );
    expect(chain.balance(alice)).toBe(1_000_000n - 500n - 5n * MIN_FEE);
    expect(chain.balance(bob)).toBe(1_000_500n);
    expect(chain.tokenBalance(alice, GOLD)).toBe(700n);
    expect(chain.tokenBalance(bob, GOLD)).toBe(300n);
    expect(chain.tokenBalance(bob, SILVER)).toBe(50n);
    expect(chain.state.account(alice.did)?.tokens.has(SILVER)).toBe(false); // zero balances are not kept
    for (const asset of [ticket, badge]) {
      expect(chain.state.asset(asset)).toMatchObject({ owner: bob.did, issuer: alice.did, updatedAtHeight: chain.height });
    }
    expect(ok.events).toContainEqual(expect.objectContaining({ type: 'transferred', from: alice.did, to: bob.did, amount: 500n }));
  });

  it('creates the recipient account, unbound to any key, which can then send', () => {
    chain.ok(alice, transferItx(dave, { amount: 100n }));
    expect(chain.state.account(dave.did)).toMatchObject({ balance: 100n, nonce: 0, publicKey: null });
    chain.ok(dave, transferItx(alice, { amount: 10n }));
    expect(chain.balance(dave)).toBe(100n - 10n - MIN_FEE);
  });

  it('lets an account send itself funds, changing only the fee', () => {
    createToken(alice, 'GOLD', 10n);
    chain.ok(alice, transferItx(alice, { amount: 400n, tokens: [{ token: GOLD, amount: 10n }] }));
    expect(chain.balance(alice)).toBe(1_000_000n - 2n * MIN_FEE);
    expect(chain.tokenBalance(alice, GOLD)).toBe(10n);
  });

  it('spends the whole balance left after the fee, down to zero', () => {
    chain.ok(carol, transferItx(bob, { amount: 1_000n - MIN_FEE }));
    expect(chain.balance(carol)).toBe(0n);
  });

  it('rejects a transfer that would overdraw ABT (INSUFFICIENT_FUNDS)', () => {
    rejects(carol, transferItx(bob, { amount: 1_000n }), 'INSUFFICIENT_FUNDS');
  });

  it('rejects a transfer of more of a token than the sender holds (INSUFFICIENT_FUNDS)', () => {
    createToken(alice, 'GOLD', 10n);
    rejects(alice, transferItx(bob, { tokens: [{ token: GOLD, amount: 11n }] }), 'INSUFFICIENT_FUNDS');
    rejects(bob, transferItx(alice, { tokens: [{ token: GOLD, amount: 1n }] }), 'INSUFFICIENT_FUNDS');
  });

  it('rejects a transfer of a token that does not exist (UNKNOWN_TOKEN)', () => {
    rejects(alice, transferItx(bob, { tokens: [{ token: GOLD, amount: 1n }] }), 'UNKNOWN_TOKEN');
  });

  it('rejects a transfer of an asset that does not exist (UNKNOWN_ASSET)', () => {
    rejects(alice, transferItx(bob, { assets: [assetAddress(new Uint8Array(32))] }), 'UNKNOWN_ASSET');
  });

  it('rejects a transfer of an asset someone else owns (ASSET_NOT_OWNED)', () => {
    const ticket = createAsset(bob);
    rejects(alice, transferItx(carol, { assets: [ticket] }), 'ASSET_NOT_OWNED');
  });

  it('rejects a transfer of a non-transferable asset (ASSET_NOT_TRANSFERABLE)', () => {
    const soulbound = createAsset(alice, { transferable: false });
    rejects(alice, transferItx(bob, { assets: [soulbound] }), 'ASSET_NOT_TRANSFERABLE');
  });

  it('rejects a transfer of a consumed asset (ASSET_CONSUMED)', () => {
    const ticket = createAsset(alice);
    chain.ok(alice, { type: 'consumeAsset', address: ticket });
    rejects(alice, transferItx(bob, { assets: [ticket] }), 'ASSET_CONSUMED');
  });
});

describe('tokens', () => {
  it('creates a token and credits its whole supply to the owner', () => {
    const ok = createToken(alice, 'GOLD', 21_000_000n);
    expect(chain.state.token(GOLD)).toEqual({
      address: GOLD,
      symbol: 'GOLD',
      name: 'GOLD coin',
      decimals: 2,
      totalSupply: 21_000_000n,
      owner: alice.did,
      createdAtHeight: chain.height,
      policy: 'fixed',
      cap: 0n,
    });
    expect(chain.tokenBalance(alice, GOLD)).toBe(21_000_000n);
    expect(ok.events).toContainEqual({ type: 'tokenCreated', address: GOLD, symbol: 'GOLD', owner: alice.did, totalSupply: 21_000_000n });
  });

  it('rejects a second token with a taken symbol (TOKEN_EXISTS)', () => {
    createToken(alice, 'GOLD', 1n);
    rejects(bob, { type: 'createToken', symbol: 'GOLD', name: 'Fake gold', decimals: 0, totalSupply: 5n }, 'TOKEN_EXISTS');
  });
});

describe('assets', () => {
  it('creates an asset at the address derived from the transaction hash, owned and issued by the sender', () => {
    const checked = chain.build(alice, {
      type: 'createAsset',
      moniker: 'deed',
      data: new Uint8Array([9, 9]),
      transferable: false,
      readonly: true,
    });
    const { result } = chain.apply(checked);
    const address = assetAddress(checked.hash);
    expect(result).toMatchObject({ events: [expect.anything(), { type: 'assetCreated', address, owner: alice.did }] });
    expect(chain.state.asset(address)).toEqual({
      address,
      owner: alice.did,
      issuer: alice.did,
      moniker: 'deed',
      data: new Uint8Array([9, 9]),
      transferable: false,
      readonly: true,
      consumed: false,
      createdAtHeight: chain.height,
      updatedAtHeight: chain.height,
    });
  });

  it('updates the moniker and data of an owned asset and records the height', () => {
    const ticket = createAsset(alice);
    const createdAt = chain.height;
    chain.ok(alice, { type: 'updateAsset', address: ticket, moniker: 'ticket (used)', data: new Uint8Array([2, 3]) });
    expect(chain.state.asset(ticket)).toMatchObject({
      moniker: 'ticket (used)',
      data: new Uint8Array([2, 3]),
      createdAtHeight: createdAt,
      updatedAtHeight: chain.height,
    });
  });

  it('lets the new owner, not the issuer, update a transferred asset', () => {
    const ticket = createAsset(alice);
    chain.ok(alice, transferItx(bob, { assets: [ticket] }));
    rejects(alice, { type: 'updateAsset', address: ticket, moniker: 'mine', data: new Uint8Array() }, 'ASSET_NOT_OWNED');
    chain.ok(bob, { type: 'updateAsset', address: ticket, moniker: 'mine', data: new Uint8Array() });
  });

  it('consumes an owned asset, which stays in state marked consumed', () => {
    const ticket = createAsset(alice);
    const ok = chain.ok(alice, { type: 'consumeAsset', address: ticket });
    expect(chain.state.asset(ticket)).toMatchObject({ consumed: true, owner: alice.did });
    expect(ok.events).toContainEqual({ type: 'assetConsumed', address: ticket });
  });

  it('rejects updating a read-only asset (ASSET_READONLY)', () => {
    const deed = createAsset(alice, { readonly: true });
    rejects(alice, { type: 'updateAsset', address: deed, moniker: 'x', data: new Uint8Array() }, 'ASSET_READONLY');
  });

  it('rejects updating or consuming a consumed asset (ASSET_CONSUMED)', () => {
    const ticket = createAsset(alice);
    chain.ok(alice, { type: 'consumeAsset', address: ticket });
    rejects(alice, { type: 'updateAsset', address: ticket, moniker: 'x', data: new Uint8Array() }, 'ASSET_CONSUMED');
    rejects(alice, { type: 'consumeAsset', address: ticket }, 'ASSET_CONSUMED');
  });

  it('rejects consuming an asset that does not exist (UNKNOWN_ASSET) or that another account owns (ASSET_NOT_OWNED)', () => {
    rejects(alice, { type: 'consumeAsset', address: assetAddress(new Uint8Array(32)) }, 'UNKNOWN_ASSET');
    const ticket = createAsset(bob);
    rejects(alice, { type: 'consumeAsset', address: ticket }, 'ASSET_NOT_OWNED');
  });
});

describe('fee grants', () => {
  it('records a grant, then charges a fee-payer transaction to the payer and adds the fee to grant.spent', () => {
    delegate(alice, bob, 100n);
    expect(chain.state.grant(alice.did, bob.did)).toEqual({
      payer: alice.did,
      grantee: bob.did,
      allowance: 100n,
      spent: 0n,
      expiresAtMs: LATER_MS,
    });
    const aliceBefore = chain.balance(alice);
    const ok = chain.ok(bob, transferItx(carol, { amount: 7n }), { feePayer: alice, fee: 30n });
    expect(chain.balance(alice)).toBe(aliceBefore - 30n);
    expect(chain.balance(bob)).toBe(1_000_000n - 7n);
    expect(chain.state.grant(alice.did, bob.did)?.spent).toBe(30n);
    expect(ok.events).toContainEqual({ type: 'feePaid', payer: alice.did, amount: 30n, proposer: validator.did });
    expect(ok.accounts).toContain(alice.did);
  });

  it('replaces an existing grant with a fresh one (spent back to 0)', () => {
    delegate(alice, bob, 100n);
    chain.ok(bob, transferItx(carol, { amount: 1n }), { feePayer: alice });
    delegate(alice, bob, 500n);
    expect(chain.state.grant(alice.did, bob.did)).toMatchObject({ allowance: 500n, spent: 0n });
  });

  it('rejects a fee-payer transaction without a grant from that payer (GRANT_NOT_FOUND)', () => {
    delegate(carol, bob, 100n);
    rejects(bob, transferItx(carol, { amount: 1n }), 'GRANT_NOT_FOUND', { feePayer: alice });
  });

  it('rejects a fee-payer transaction at or after the grant expiry (GRANT_EXPIRED)', () => {
    delegate(alice, bob, 100n, LATER_MS);
    rejects(bob, transferItx(carol, { amount: 1n }), 'GRANT_EXPIRED', { feePayer: alice }, { timeMs: LATER_MS });
    chain.ok(bob, transferItx(carol, { amount: 1n }), { feePayer: alice }, { timeMs: LATER_MS - 1 });
  });

  it('rejects a fee beyond what is left of the allowance (GRANT_EXCEEDED)', () => {
    delegate(alice, bob, 15n);
    chain.ok(bob, transferItx(carol, { amount: 1n }), { feePayer: alice, fee: 10n });
    const error = rejects(bob, transferItx(carol, { amount: 1n }), 'GRANT_EXCEEDED', { feePayer: alice, fee: 10n });
    expect(error.message).toMatch(/has 5 left; the fee is 10/);
    expect(chain.state.grant(alice.did, bob.did)?.spent).toBe(10n);
  });

  it('rejects a fee-payer transaction whose payer cannot cover the fee (INSUFFICIENT_FUNDS)', () => {
    delegate(carol, bob, 5_000n);
    rejects(bob, transferItx(alice, { amount: 1n }), 'INSUFFICIENT_FUNDS', { feePayer: carol, fee: 991n });
  });

  it('revokes a grant: it leaves the state and the grantee can no longer use it', () => {
    delegate(alice, bob, 100n);
    const ok = chain.ok(alice, { type: 'revokeDelegation', grantee: bob.did });
    expect(chain.state.grant(alice.did, bob.did)).toBeUndefined();
    expect(ok.events).toContainEqual({ type: 'delegationRevoked', payer: alice.did, grantee: bob.did });
    rejects(bob, transferItx(carol, { amount: 1n }), 'GRANT_NOT_FOUND', { feePayer: alice });
  });

  it('rejects revoking a grant that does not exist (GRANT_NOT_FOUND)', () => {
    rejects(alice, { type: 'revokeDelegation', grantee: bob.did }, 'GRANT_NOT_FOUND');
  });

  it('rejects a grant to oneself or one already expired (INVALID_TX)', () => {
    rejects(alice, { type: 'delegate', grantee: alice.did, allowance: 1n, expiresAtMs: LATER_MS }, 'INVALID_TX');
    rejects(alice, { type: 'delegate', grantee: bob.did, allowance: 1n, expiresAtMs: GENESIS_TIME_MS }, 'INVALID_TX');
  });
});
