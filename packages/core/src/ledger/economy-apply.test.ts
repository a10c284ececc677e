import { beforeEach, describe, expect, it } from 'vitest';
import { checkError, rejects, stakeOf } from '../../test/economy-kit.ts';
import {
  type Actor,
  alice,
  approvalsBy,
  approved,
  BRIDGE_SIGNERS,
  bob,
  CHAIN_ID,
  carol,
  dave,
  ECONOMY,
  escrow,
  MIN_FEE,
  TestChain,
  treasury,
  VALIDATORS,
} from '../../test/ledger-kit.ts';
import { utf8 } from '../bytes.ts';
import { signMessage } from '../crypto/keys.ts';
import { sha3 } from '../crypto/provider.ts';
import { tokenAddress } from './addresses.ts';
import { approvalDigest } from './economy-codec.ts';
import type { BridgeReleaseTx, IssueTokenTx, SlashTx } from './economy-types.ts';
import { AMOUNT_MAX, ECONOMY_LIMITS } from './limits.ts';

const [v1, v2, v3] = VALIDATORS as [Actor, Actor, Actor];
const [s1, s2, s3] = BRIDGE_SIGNERS as [Actor, Actor, Actor];
const evidence = (text: string) => sha3(utf8(text));

let chain: TestChain;
beforeEach(() => {
  chain = TestChain.funded([
    [alice, 100_000n],
    [bob, 100_000n],
    [carol, 100_000n],
  ]);
});

describe('staking', () => {
  it('stakes from the balance, unstakes into unbonding, and withdraws only after the unbonding delay', () => {
    const staked = chain.ok(alice, { type: 'stake', amount: 1_000n });
    expect(staked.events).toContainEqual({ type: 'staked', did: alice.did, amount: 1_000n });
    expect(chain.balance(alice)).toBe(100_000n - 1_000n - MIN_FEE);
    expect(stakeOf(chain, alice)).toEqual({ did: alice.did, bonded: 1_000n, unbonding: [], slashed: 0n, names: 0 });

    const releaseAtMs = chain.timeMs() + ECONOMY.unbondingMs;
    const unstaked = chain.ok(alice, { type: 'unstake', amount: 400n });
    expect(unstaked.events).toContainEqual({ type: 'unstaked', did: alice.did, amount: 400n, releaseAtMs });
    expect(stakeOf(chain, alice)).toMatchObject({ bonded: 600n, unbonding: [{ amount: 400n, releaseAtMs }] });

    rejects(chain, alice, { type: 'withdrawStake' }, 'NOTHING_TO_WITHDRAW');
    chain.wait(releaseAtMs - 1 - chain.timeMs());
    rejects(chain, alice, { type: 'withdrawStake' }, 'NOTHING_TO_WITHDRAW');
    chain.wait(releaseAtMs - chain.timeMs());
    const before = chain.balance(alice);
    const withdrawn = chain.ok(alice, { type: 'withdrawStake' });
    expect(withdrawn.events).toContainEqual({ type: 'stakeWithdrawn', did: alice.did, amount: 400n });
    expect(chain.balance(alice)).toBe(before + 400n - MIN_FEE);
    expect(stakeOf(chain, alice)).toMatchObject({ bonded: 600n, unbonding: [] });
  });

  it('withdraws only the unbonding amounts whose delay has passed', () => {
    chain.ok(alice, { type: 'stake', amount: 1_000n });
    chain.ok(alice, { type: 'unstake', amount: 100n });
    chain.wait(3_000);
    chain.ok(alice, { type: 'unstake', amount: 200n });
    chain.wait(1_500);
    const ok = chain.ok(alice, { type: 'withdrawStake' });
    expect(ok.events).toContainEqual({ type: 'stakeWithdrawn', did: alice.did, amount: 100n });
    expect(stakeOf(chain, alice).unbonding.map((u) => u.amount)).toEqual([200n]);
  });

  it('refuses to stake more than the balance, or to unstake more than is bonded', () => {
    rejects(chain, alice, { type: 'stake', amount: 100_000n }, 'INSUFFICIENT_FUNDS');
    rejects(chain, alice, { type: 'unstake', amount: 1n }, 'INSUFFICIENT_STAKE');
    chain.ok(alice, { type: 'stake', amount: 50n });
    rejects(chain, alice, { type: 'unstake', amount: 51n }, 'INSUFFICIENT_STAKE');
  });

  it('keeps at most unbondingEntriesMax unstakes waiting (UNBONDING_FULL)', () => {
    chain.ok(alice, { type: 'stake', amount: 1_000n });
    for (let i = 0; i < ECONOMY_LIMITS.unbondingEntriesMax; i++) chain.ok(alice, { type: 'unstake', amount: 1n });
    rejects(chain, alice, { type: 'unstake', amount: 1n }, 'UNBONDING_FULL');
  });

  it('refuses zero amounts before reading state', () => {
    expect(checkError(alice, { type: 'stake', amount: 0n })).toBe('INVALID_TX');
    expect(checkError(alice, { type: 'unstake', amount: 0n })).toBe('INVALID_TX');
  });
});

describe('slashing', () => {
  const slashItx = (amount: bigint, fields: Partial<SlashTx> = {}): Omit<SlashTx, 'approvals'> => ({
    type: 'slash',
    offender: carol.did,
    amount,
    evidenceHash: evidence('carol double-signed'),
    reason: 'double-signed',
    ...fields,
  });

  beforeEach(() => {
    chain.ok(carol, { type: 'stake', amount: 1_000n });
  });

  it('slashes only with a threshold of validator approvals, to the treasury', () => {
    rejects(chain, bob, approved<SlashTx>(slashItx(300n), [v1]), 'NOT_ENOUGH_APPROVALS', /1 approvals; this needs 2/);
    const ok = chain.ok(bob, approved<SlashTx>(slashItx(300n), [v1, v3]));
    expect(stakeOf(chain, carol)).toMatchObject({ bonded: 700n, slashed: 300n });
    expect(chain.balance(treasury)).toBe(300n);
    expect(ok.events).toContainEqual(
      expect.objectContaining({ type: 'slashed', offender: carol.did, amount: 300n, approvers: [v1.did, v3.did] }),
    );
    expect(ok.accounts).toContain(carol.did);
  });

  it('takes bonded stake first, then unbonding stake from the newest, which stays slashable until withdrawn', () => {
    chain.ok(carol, { type: 'unstake', amount: 200n });
    chain.ok(carol, { type: 'unstake', amount: 300n });
    chain.ok(bob, approved<SlashTx>(slashItx(700n), [v1, v2, v3]));
    expect(stakeOf(chain, carol)).toMatchObject({ bonded: 0n, slashed: 700n });
    expect(stakeOf(chain, carol).unbonding.map((u) => u.amount)).toEqual([200n, 100n]);
    chain.ok(bob, approved<SlashTx>(slashItx(300n, { evidenceHash: evidence('again') }), [v1, v2]));
    expect(stakeOf(chain, carol)).toMatchObject({ bonded: 0n, unbonding: [], slashed: 1_000n });
    expect(chain.balance(treasury)).toBe(1_000n);
  });

  it('never slashes twice for one evidence (ALREADY_APPLIED), and never more than the stake', () => {
    chain.ok(bob, approved<SlashTx>(slashItx(100n), [v1, v2]));
    rejects(chain, alice, approved<SlashTx>(slashItx(50n, { reason: 'again' }), [v2, v3]), 'ALREADY_APPLIED');
    rejects(chain, bob, approved<SlashTx>(slashItx(901n, { evidenceHash: evidence('other') }), [v1, v2]), 'INSUFFICIENT_STAKE');
    rejects(
      chain,
      bob,
      approved<SlashTx>(slashItx(1n, { offender: dave.did, evidenceHash: evidence('d') }), [v1, v2]),
      'INSUFFICIENT_STAKE',
    );
  });

  it('refuses an approval from outside the set, a forged one, one for another amount or chain', () => {
    const itx = approved<SlashTx>(slashItx(300n), [v1, v2]);
    rejects(chain, bob, approved<SlashTx>(slashItx(300n), [v1, alice]), 'NOT_ENOUGH_APPROVALS', /not in the set/);
    rejects(chain, bob, approved<SlashTx>(slashItx(300n), [s1, s2]), 'NOT_ENOUGH_APPROVALS');
    const digest = approvalDigest(CHAIN_ID, itx);
    const forged = { did: v2.did, publicKey: v2.keys.publicKey, signature: signMessage(alice.seed, digest) };
    rejects(chain, bob, { ...itx, approvals: [itx.approvals[0], forged] } as SlashTx, 'INVALID_SIGNATURE');
    const wrongKey = { did: v2.did, publicKey: alice.keys.publicKey, signature: signMessage(alice.seed, digest) };
    rejects(chain, bob, { ...itx, approvals: [itx.approvals[0], wrongKey] } as SlashTx, 'INVALID_SIGNATURE');
    const forLess = approvalsBy({ ...itx, amount: 100n }, [v1, v2]);
    rejects(chain, bob, { ...itx, approvals: forLess }, 'INVALID_SIGNATURE');
    rejects(chain, bob, { ...itx, approvals: approvalsBy(itx, [v1, v2], 'arc-other-1') }, 'INVALID_SIGNATURE');
    expect(chain.balance(treasury)).toBe(0n);
  });

  it('refuses a slash without approvals, with an approver twice, or without a reason, before reading state', () => {
    expect(checkError(bob, { ...slashItx(1n), approvals: [] })).toBe('INVALID_TX');
    const once = approvalsBy({ ...slashItx(1n), approvals: [] }, [v1]);
    expect(checkError(bob, { ...slashItx(1n), approvals: [...once, ...once] })).toBe('INVALID_TX');
    expect(checkError(bob, approved<SlashTx>(slashItx(1n, { reason: ' ' }), [v1, v2]))).toBe('INVALID_TX');
    expect(checkError(bob, approved<SlashTx>(slashItx(0n), [v1, v2]))).toBe('INVALID_TX');
  });
});

describe('application tokens', () => {
  const issue = (policy: IssueTokenTx['policy'], initialSupply: bigint, cap = 0n): IssueTokenTx => ({
    type: 'issueToken',
    symbol: 'PTS',
    name: 'Points',
    decimals: 0,
    initialSupply,
    policy,
    cap,
  });
  const PTS = tokenAddress('PTS');
  const supply = () => chain.state.token(PTS)?.totalSupply;

  it('issues a fixed token whose supply no one can mint', () => {
    const ok = chain.ok(alice, issue('fixed', 1_000n));
    expect(chain.state.token(PTS)).toMatchObject({ owner: alice.did, totalSupply: 1_000n, policy: 'fixed', cap: 0n });
    expect(chain.tokenBalance(alice, PTS)).toBe(1_000n);
    expect(ok.events).toContainEqual({
      type: 'tokenIssued',
      address: PTS,
      symbol: 'PTS',
      owner: alice.did,
      initialSupply: 1_000n,
      policy: 'fixed',
      cap: 0n,
    });
    rejects(chain, alice, { type: 'mintToken', token: PTS, to: alice.did, amount: 1n }, 'TOKEN_NOT_MINTABLE');
  });

  it('lets the owner, and only the owner, mint a mintable token to any account', () => {
    chain.ok(alice, issue('mintable', 0n));
    expect(chain.state.account(alice.did)?.tokens.has(PTS)).toBe(false);
    rejects(chain, bob, { type: 'mintToken', token: PTS, to: bob.did, amount: 5n }, 'NOT_TOKEN_OWNER');
    const ok = chain.ok(alice, { type: 'mintToken', token: PTS, to: dave.did, amount: 5n });
    expect(ok.events).toContainEqual({ type: 'tokenMinted', token: PTS, to: dave.did, amount: 5n });
    expect(ok.accounts).toContain(dave.did);
    expect(chain.tokenBalance(dave, PTS)).toBe(5n);
    expect(supply()).toBe(5n);
    rejects(chain, alice, { type: 'mintToken', token: tokenAddress('NOPE'), to: bob.did, amount: 1n }, 'UNKNOWN_TOKEN');
  });

  it('mints a capped token up to its cap and not a unit beyond', () => {
    chain.ok(alice, issue('capped', 600n, 1_000n));
    chain.ok(alice, { type: 'mintToken', token: PTS, to: bob.did, amount: 300n });
    rejects(chain, alice, { type: 'mintToken', token: PTS, to: bob.did, amount: 101n }, 'TOKEN_CAP_EXCEEDED', /100 can still be minted/);
    chain.ok(alice, { type: 'mintToken', token: PTS, to: bob.did, amount: 100n });
    expect(supply()).toBe(1_000n);
  });

  it('never mints a mintable token past the largest amount the ledger holds', () => {
    chain.ok(alice, issue('mintable', AMOUNT_MAX));
    rejects(chain, alice, { type: 'mintToken', token: PTS, to: bob.did, amount: 1n }, 'TOKEN_CAP_EXCEEDED');
  });

  it('burns units of a holder, lowering the supply, and never more than held', () => {
    chain.ok(alice, issue('fixed', 1_000n));
    const ok = chain.ok(alice, { type: 'burnToken', token: PTS, amount: 400n });
    expect(ok.events).toContainEqual({ type: 'tokenBurned', token: PTS, from: alice.did, amount: 400n });
    expect(supply()).toBe(600n);
    expect(chain.tokenBalance(alice, PTS)).toBe(600n);
    rejects(chain, alice, { type: 'burnToken', token: PTS, amount: 601n }, 'INSUFFICIENT_FUNDS');
    rejects(chain, bob, { type: 'burnToken', token: PTS, amount: 1n }, 'INSUFFICIENT_FUNDS');
    chain.ok(alice, { type: 'burnToken', token: PTS, amount: 600n });
    expect(chain.state.account(alice.did)?.tokens.has(PTS)).toBe(false);
    expect(supply()).toBe(0n);
  });

  it('refuses a taken symbol, and policies whose supply and cap disagree', () => {
    chain.ok(bob, { type: 'createToken', symbol: 'PTS', name: 'Taken', decimals: 0, totalSupply: 1n });
    rejects(chain, alice, issue('mintable', 1n), 'TOKEN_EXISTS');
    expect(checkError(alice, issue('capped', 1n, 0n))).toBe('INVALID_TX');
    expect(checkError(alice, issue('capped', 11n, 10n))).toBe('INVALID_TX');
    expect(checkError(alice, issue('mintable', 1n, 10n))).toBe('INVALID_TX');
    expect(checkError(alice, issue('fixed', 0n))).toBe('INVALID_TX');
    expect(checkError(alice, { type: 'mintToken', token: PTS, to: bob.did, amount: 0n })).toBe('INVALID_TX');
  });
});

describe('the bridge', () => {
  const ETH = '0x00000000000000000000000000000000deadbeef';
  const releaseItx = (amount: bigint, logIndex = 0, fields: Partial<BridgeReleaseTx> = {}): Omit<BridgeReleaseTx, 'approvals'> => ({
    type: 'bridgeRelease',
    ethTxHash: evidence('burn 1'),
    logIndex,
    to: dave.did,
    amount,
    ...fields,
  });

  it('locks ABT in the escrow, the lock id being the transaction hash', () => {
    const checked = chain.build(alice, { type: 'bridgeLock', amount: 5_000n, ethAddress: ETH });
    const { result } = chain.apply(checked);
    expect(result).not.toBeInstanceOf(Error);
    expect(chain.balance(escrow)).toBe(5_000n);
    expect(chain.balance(alice)).toBe(100_000n - 5_000n - MIN_FEE);
    expect((result as { events: unknown[] }).events).toContainEqual({
      type: 'bridgeLocked',
      lockId: checked.hashHex,
      from: alice.did,
      amount: 5_000n,
      ethAddress: ETH,
    });
    rejects(chain, bob, { type: 'bridgeLock', amount: 100_001n, ethAddress: ETH }, 'INSUFFICIENT_FUNDS');
    expect(checkError(bob, { type: 'bridgeLock', amount: 1n, ethAddress: ETH.toUpperCase().replace('0X', '0x') })).toBe('INVALID_TX');
  });

  it('releases with a threshold of bridge signers, once per burn, never more than the escrow holds', () => {
    chain.ok(alice, { type: 'bridgeLock', amount: 5_000n, ethAddress: ETH });
    rejects(chain, bob, approved<BridgeReleaseTx>(releaseItx(1_000n), [s2]), 'NOT_ENOUGH_APPROVALS');
    rejects(chain, bob, approved<BridgeReleaseTx>(releaseItx(1_000n), [v1, v2]), 'NOT_ENOUGH_APPROVALS');
    rejects(chain, bob, approved<BridgeReleaseTx>(releaseItx(5_001n), [s1, s2]), 'BRIDGE_ESCROW_LOW');
    const ok = chain.ok(bob, approved<BridgeReleaseTx>(releaseItx(3_000n), [s2, s3]));
    expect(chain.balance(dave)).toBe(3_000n);
    expect(chain.balance(escrow)).toBe(2_000n);
    expect(ok.accounts).toContain(dave.did);
    expect(ok.events).toContainEqual(expect.objectContaining({ type: 'bridgeReleased', to: dave.did, amount: 3_000n }));
    rejects(chain, bob, approved<BridgeReleaseTx>(releaseItx(1n), [s1, s3]), 'ALREADY_APPLIED');
    rejects(chain, bob, approved<BridgeReleaseTx>(releaseItx(2_001n, 1), [s1, s3]), 'BRIDGE_ESCROW_LOW');
    chain.ok(bob, approved<BridgeReleaseTx>(releaseItx(2_000n, 1), [s1, s3]));
    expect(chain.balance(escrow)).toBe(0n);
  });

  it('refuses a release approval signed for another recipient', () => {
    chain.ok(alice, { type: 'bridgeLock', amount: 5_000n, ethAddress: ETH });
    const forBob = approvalsBy({ ...releaseItx(1_000n), to: bob.did, approvals: [] }, [s1, s2]);
    rejects(chain, carol, { ...releaseItx(1_000n), approvals: forBob }, 'INVALID_SIGNATURE');
  });
});
