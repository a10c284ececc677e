import { beforeEach, describe, expect, it } from 'vitest';
import { publishItx as componentItx, rejects, stakeOf } from '../../test/economy-kit.ts';
import { type Actor, alice, approved, bob, carol, MIN_FEE, PUBLISH_STAKE, TestChain, VALIDATORS } from '../../test/ledger-kit.ts';
import { utf8 } from '../bytes.ts';
import { sha3 } from '../crypto/provider.ts';
import { decodeStake, encodeStake } from './economy-state.ts';
import type { SlashTx } from './economy-types.ts';
import { formatAbt } from './name-bond.ts';
import type { PublishComponentTx } from './types.ts';

/** The bonded stake component names are backed by (issue: token economy, "stake required to publish components"). */

const [v1, v2] = VALIDATORS as [Actor, Actor];

/** A free component paying alice, at `version`. */
const publishItx = (name: string, version = '1.0.0'): PublishComponentTx => ({
  ...componentItx(name, [{ did: alice.did, shareBps: 10_000 }]),
  version,
});

function slashItx(offender: Actor, amount: bigint): SlashTx {
  return approved<SlashTx>(
    { type: 'slash', offender: offender.did, amount, evidenceHash: sha3(utf8(`${offender.name} misbehaved`)), reason: 'misbehaved' },
    [v1, v2],
  );
}

let chain: TestChain;
beforeEach(() => {
  chain = TestChain.funded([
    [alice, 100_000n],
    [bob, 100_000n],
    [carol, 100_000n],
  ]);
});

describe('publishing a new component name', () => {
  it('refuses a publisher with no bonded stake, however large its balance, saying how much to stake (STAKE_TOO_LOW)', () => {
    const error = rejects(chain, alice, publishItx('oracle'), 'STAKE_TOO_LOW');
    expect(error.message).toBe(
      `publishing a new name needs ${formatAbt(PUBLISH_STAKE)} bonded for 1 name; you have 0 ABT bonded: stake ${formatAbt(PUBLISH_STAKE)} more`,
    );
    expect(error.retriable).toBe(true);
  });

  it('accepts a publisher whose bond covers the name: nothing leaves its balance but the fee, and the name is counted', () => {
    chain.bondForNames(alice, 1);
    const before = chain.balance(alice);
    const ok = chain.ok(alice, publishItx('oracle'));
    expect(chain.balance(alice)).toBe(before - MIN_FEE);
    expect(chain.state.component('oracle')).toMatchObject({ owner: alice.did, stake: 0n });
    expect(stakeOf(chain, alice)).toMatchObject({ bonded: PUBLISH_STAKE, names: 1 });
    expect(ok.events).toContainEqual(expect.objectContaining({ type: 'componentPublished', name: 'oracle', stake: 0n }));
  });

  it('needs the bond of every name owned plus the new one: a second name needs twice the stake', () => {
    chain.bondForNames(alice, 1);
    chain.ok(alice, publishItx('oracle'));
    rejects(
      chain,
      alice,
      publishItx('bridge'),
      'STAKE_TOO_LOW',
      new RegExp(
        `needs ${formatAbt(2n * PUBLISH_STAKE)} bonded for 2 names; you have ${formatAbt(PUBLISH_STAKE)} bonded: stake ${formatAbt(PUBLISH_STAKE)} more`,
      ),
    );
    chain.bondForNames(alice, 1);
    chain.ok(alice, publishItx('bridge'));
    expect(stakeOf(chain, alice)).toMatchObject({ bonded: 2n * PUBLISH_STAKE, names: 2 });
  });

  it('takes no more stake for a new version of a name the account owns', () => {
    chain.bondForNames(alice, 1);
    chain.ok(alice, publishItx('oracle'));
    chain.ok(alice, publishItx('oracle', '1.1.0'));
    chain.ok(alice, publishItx('oracle', '2.0.0'));
    expect(stakeOf(chain, alice)).toMatchObject({ bonded: PUBLISH_STAKE, names: 1 });
  });
});

describe('unstaking while owning names', () => {
  it('refuses an unstake that would leave the bond below names × publishStake, and allows unstaking the surplus', () => {
    chain.ok(alice, { type: 'stake', amount: PUBLISH_STAKE + 300n });
    chain.ok(alice, publishItx('oracle'));
    rejects(
      chain,
      alice,
      { type: 'unstake', amount: 301n },
      'STAKE_TOO_LOW',
      new RegExp(`your 1 name need ${formatAbt(PUBLISH_STAKE)} bonded; .* unstake at most ${formatAbt(300n)}`),
    );
    chain.ok(alice, { type: 'unstake', amount: 300n });
    expect(stakeOf(chain, alice)).toMatchObject({ bonded: PUBLISH_STAKE, names: 1 });
  });
});

describe('transferring a name', () => {
  beforeEach(() => {
    chain.bondForNames(alice, 1);
    chain.ok(alice, publishItx('oracle'));
  });

  it('refuses a receiver whose bond does not cover one more name (STAKE_TOO_LOW)', () => {
    rejects(
      chain,
      alice,
      { type: 'transferComponent', name: 'oracle', to: bob.did },
      'STAKE_TOO_LOW',
      new RegExp(`receiving oracle needs ${formatAbt(PUBLISH_STAKE)} bonded for 1 name; ${bob.did} has 0 ABT bonded`),
    );
  });

  it("moves the name's count from the old owner's stake to the new owner's, freeing the old owner's bond", () => {
    chain.bondForNames(bob, 1);
    chain.ok(alice, { type: 'transferComponent', name: 'oracle', to: bob.did });
    expect(stakeOf(chain, alice)).toMatchObject({ names: 0 });
    expect(stakeOf(chain, bob)).toMatchObject({ names: 1 });
    chain.ok(alice, { type: 'unstake', amount: PUBLISH_STAKE });
    rejects(chain, bob, { type: 'unstake', amount: 1n }, 'STAKE_TOO_LOW');
  });
});

describe('slashing a bond that backs names', () => {
  it('may leave the bond short: the names stay, no new name until the owner stakes again', () => {
    chain.bondForNames(alice, 2);
    chain.ok(alice, publishItx('oracle'));
    chain.ok(carol, slashItx(alice, PUBLISH_STAKE + 1n));
    expect(stakeOf(chain, alice)).toMatchObject({ bonded: PUBLISH_STAKE - 1n, names: 1 });
    expect(chain.state.component('oracle')?.owner).toBe(alice.did);
    chain.ok(alice, publishItx('oracle', '1.0.1'));
    rejects(chain, alice, publishItx('bridge'), 'STAKE_TOO_LOW', new RegExp(`stake ${formatAbt(PUBLISH_STAKE + 1n)} more`));
    chain.ok(alice, { type: 'stake', amount: PUBLISH_STAKE + 1n });
    chain.ok(alice, publishItx('bridge'));
  });
});

describe('a name published under the old rule (a stake locked on the component)', () => {
  it('transfers without counting on either bond: its locked stake backs it', () => {
    chain.bondForNames(bob, 1);
    chain.ok(bob, publishItx('bridge'));
    const legacy = { ...(chain.state.component('bridge') as NonNullable<ReturnType<typeof chain.state.component>>), stake: PUBLISH_STAKE };
    chain.state.commit([{ kind: 'component', value: legacy }]);
    chain.ok(bob, { type: 'transferComponent', name: 'bridge', to: carol.did });
    expect(stakeOf(chain, bob)).toMatchObject({ names: 1 });
    expect(stakeOf(chain, carol)).toMatchObject({ names: 0 });
    expect(chain.state.component('bridge')).toMatchObject({ owner: carol.did, stake: PUBLISH_STAKE });
  });
});

describe('the stake encoding', () => {
  it('keeps the version 1 bytes for a stake without names (existing roots stand) and counts names in version 2', () => {
    const plain = { did: alice.did, bonded: 5n, unbonding: [{ amount: 2n, releaseAtMs: 9 }], slashed: 1n, names: 0 };
    expect(encodeStake(plain)[0]).toBe(1);
    expect(decodeStake(encodeStake(plain))).toEqual(plain);
    const backing = { ...plain, names: 3 };
    expect(encodeStake(backing)[0]).toBe(2);
    expect(decodeStake(encodeStake(backing))).toEqual(backing);
  });

  it('says amounts in ABT, exactly', () => {
    expect(formatAbt(10n ** 18n)).toBe('1 ABT');
    expect(formatAbt(15n * 10n ** 17n)).toBe('1.5 ABT');
    expect(formatAbt(1_000n)).toBe('0.000000000000001 ABT');
    expect(formatAbt(0n)).toBe('0 ABT');
  });
});
