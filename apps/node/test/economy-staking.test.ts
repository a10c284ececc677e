import { createHash } from 'node:crypto';
import { approve } from '@arc/client';
import { fromHex, type SlashTx } from '@arc/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devKey } from '../src/config/dev-keys.ts';
import { startTestNode, type TestNode, testGenesis } from '../src/testing.ts';
import { type NodeClient, nodeClient } from './helpers/client.ts';
import {
  ABT,
  balanceOf,
  failedCode,
  fundedWallet,
  randomSigner,
  type Signer,
  type Wallet,
  Wallet as WalletClass,
} from './helpers/wallet.ts';

/**
 * Staking and slashing end to end: an account stakes and unstakes (the unbonding delay holds the ABT, still
 * slashable), and a slash approved by a threshold of the chain's validators takes stake to the treasury with its
 * evidence recorded and served; fewer approvals, a stranger's, or the same evidence twice change nothing.
 */

const UNBONDING_MS = 2_000;
const validators = [randomSigner(), randomSigner(), randomSigner()];

describe('staking and slashing', () => {
  let node: TestNode;
  let client: NodeClient;
  let faucet: Wallet;
  beforeAll(async () => {
    const base = await testGenesis();
    const economy = { ...base.params.economy, unbondingMs: UNBONDING_MS, validators: validators.map((v) => v.did), slashThreshold: 2 };
    node = await startTestNode({ genesis: { ...base, params: { ...base.params, economy } }, blockIntervalMs: 200 });
    client = nodeClient(node.url);
    faucet = new WalletClass(client, node.chainId, devKey('faucet'));
  });
  afterAll(async () => {
    await node?.stop();
  });

  it('stakes, unstakes, and withdraws only after the unbonding delay', async () => {
    const staker = await fundedWallet(faucet, 10n * ABT);
    await staker.commit({ type: 'stake', amount: 4n * ABT });
    expect(await client.economy.stake.query({ did: staker.did })).toMatchObject({ bonded: (4n * ABT).toString(), withdrawable: '0' });
    await staker.commit({ type: 'unstake', amount: ABT });
    const unbonding = await client.economy.stake.query({ did: staker.did });
    expect(unbonding.bonded).toBe((3n * ABT).toString());
    expect(unbonding.unbonding).toHaveLength(1);
    // Refused in its block: it fails there and pays its fee.
    expect(await failedCode(staker, { type: 'withdrawStake' })).toBe('NOTHING_TO_WITHDRAW');
    await new Promise((resolve) => setTimeout(resolve, UNBONDING_MS + 500));
    const before = await balanceOf(client, staker.did);
    const { tx } = await staker.commit({ type: 'withdrawStake' });
    expect(await balanceOf(client, staker.did)).toBe(before + ABT - tx.unsigned.fee);
    expect((await client.economy.stake.query({ did: staker.did })).unbonding).toHaveLength(0);
  }, 60_000);

  it('slashes with a threshold of validator approvals, to the treasury, with the evidence served, and never twice', async () => {
    const offender = await fundedWallet(faucet, 10n * ABT);
    await offender.commit({ type: 'stake', amount: 5n * ABT });
    const evidence = 'Signed two different blocks at height 42: 0xaaa… and 0xbbb…';
    const { hash } = await client.market.putText.mutate({ text: evidence, purpose: 'evidence' });
    expect(hash).toBe(createHash('sha256').update(evidence).digest('hex'));
    const unsigned: SlashTx = {
      type: 'slash',
      offender: offender.did,
      amount: 2n * ABT,
      evidenceHash: fromHex(hash),
      reason: 'double signing',
      approvals: [],
    };
    const sign = (v: Signer) => approve(v.secretKey, node.chainId, unsigned);
    const sender = await fundedWallet(faucet, ABT);
    const treasury = node.services.ledger.params.economy.treasury;
    const treasuryBefore = await balanceOf(client, treasury);

    // One validator, or a stranger beside one: not enough.
    // (Each refusal fails in its block, paying its fee.)
    const alone = await failedCode(sender, { ...unsigned, approvals: [sign(validators[0] as Signer)] });
    expect(alone).toBe('NOT_ENOUGH_APPROVALS');
    const stranger = await failedCode(sender, {
      ...unsigned,
      approvals: [sign(validators[0] as Signer), approve(randomSigner().secretKey, node.chainId, unsigned)],
    });
    expect(stranger).toBe('NOT_ENOUGH_APPROVALS');
    // An approval of another amount does not count for this one.
    const other = approve((validators[1] as Signer).secretKey, node.chainId, { ...unsigned, amount: 3n * ABT });
    expect(await failedCode(sender, { ...unsigned, approvals: [sign(validators[0] as Signer), other] })).toBe('INVALID_SIGNATURE');

    await sender.commit({ ...unsigned, approvals: [sign(validators[0] as Signer), sign(validators[2] as Signer)] });
    expect(await client.economy.stake.query({ did: offender.did })).toMatchObject({
      bonded: (3n * ABT).toString(),
      slashed: (2n * ABT).toString(),
    });
    expect(await balanceOf(client, treasury)).toBe(treasuryBefore + 2n * ABT);
    expect(await client.economy.evidence.query({ hash })).toEqual({ hash, text: evidence });
    const again = await failedCode(sender, { ...unsigned, approvals: [sign(validators[1] as Signer), sign(validators[2] as Signer)] });
    expect(again).toBe('ALREADY_APPLIED');
    const supply = await client.economy.supply.query();
    expect(BigInt(supply.treasury)).toBe(treasuryBefore + 2n * ABT);
    expect(
      BigInt(supply.circulating) +
        BigInt(supply.staked) +
        BigInt(supply.deposits) +
        BigInt(supply.publishStakes) +
        BigInt(supply.bridgeLocked) +
        BigInt(supply.treasury),
    ).toBe(BigInt(supply.total));
  }, 60_000);
});
