import { formatAbt, type PublishComponentTx } from '@arc/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devKey } from '../src/config/dev-keys.ts';
import { startTestNode, type TestNode, testDrivers } from '../src/testing.ts';
import { type NodeClient, nodeClient } from './helpers/client.ts';
import { ABT, balanceOf, fundedWallet, MIN_FEE, publishStakeOf, type Wallet, Wallet as WalletClass } from './helpers/wallet.ts';

/**
 * The stake to publish components comes from bonded stake (issue: token economy): through the node's API a
 * publisher without a bond pays the fee of a failed transaction whose sentence that says how much to stake; once it stakes, the publish goes
 * in and takes nothing from its balance but the fee; and the bond behind its name cannot be unstaked.
 */

function publishItx(name: string, owner: string): PublishComponentTx {
  return {
    type: 'publishComponent',
    kind: 'blocklet',
    name,
    version: '1.0.0',
    description: 'Backed by a bond',
    manifestHash: new Uint8Array(32).fill(1),
    bundleHash: new Uint8Array(32),
    readmeHash: new Uint8Array(32).fill(2),
    releaseNotes: '',
    categories: ['tools'],
    chains: [],
    price: { model: 'free', amount: 0n },
    beneficiaries: [{ did: owner, shareBps: 10_000 }],
  };
}

describe.each(testDrivers())('publishing a component backed by bonded stake on %s', (driver) => {
  let node: TestNode;
  let client: NodeClient;
  let publisher: Wallet;
  let publishStake: bigint;
  beforeAll(async () => {
    node = await startTestNode({ driver, blockIntervalMs: 200 });
    client = nodeClient(node.url);
    publisher = await fundedWallet(new WalletClass(client, node.chainId, devKey('faucet')), 10n * ABT);
    publishStake = await publishStakeOf(client);
  });
  afterAll(async () => {
    await node?.stop();
  });

  it('refuses a publish without a bond, saying how much to stake; accepts it after staking; refuses unstaking the bond', async () => {
    expect(publishStake).toBeGreaterThan(0n);
    const name = `bonded-${driver}`;
    // The envelope is sound and the fee is paid, so the transaction goes into a block as failed: the fee is charged
    // (no free flooding), nothing is published, and the sentence says how much to stake.
    const balance = await balanceOf(client, publisher.did);
    const sent = await publisher.send(publishItx(name, publisher.did));
    const refused = await client.tx.wait.query({ hash: sent.hash, timeoutMs: 20_000 });
    expect(refused).toMatchObject({ status: 'failed', error: { code: 'STAKE_TOO_LOW' } });
    expect(refused.error?.message).toContain(
      `publishing a new name needs ${formatAbt(publishStake)} bonded for 1 name; you have 0 ABT bonded: stake ${formatAbt(publishStake)} more`,
    );
    expect(await balanceOf(client, publisher.did)).toBe(balance - MIN_FEE);

    await publisher.commit({ type: 'stake', amount: publishStake });
    const before = await balanceOf(client, publisher.did);
    await publisher.commit(publishItx(name, publisher.did));
    expect(await balanceOf(client, publisher.did)).toBe(before - MIN_FEE);
    expect(await client.economy.stake.query({ did: publisher.did })).toMatchObject({
      bonded: publishStake.toString(),
      names: 1,
      publishStake: publishStake.toString(),
    });

    const unstake = await client.tx.wait.query({ hash: (await publisher.send({ type: 'unstake', amount: 1n })).hash, timeoutMs: 20_000 });
    expect(unstake).toMatchObject({ status: 'failed', error: { code: 'STAKE_TOO_LOW' } });
    expect(unstake.error?.message).toContain(`your 1 name need ${formatAbt(publishStake)} bonded`);
    expect((await client.economy.stake.query({ did: publisher.did })).bonded).toBe(publishStake.toString());
  });
});
