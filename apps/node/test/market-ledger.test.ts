import {
  type ComponentState,
  decodeEntry,
  decodeProof,
  fromHex,
  type PublishComponentTx,
  type ReviewState,
  type StateKind,
  sha3,
  stateKey,
  stateKeyHash,
  toHex,
  verifyProof,
} from '@arc/core';
import { afterEach, describe, expect, it } from 'vitest';
import { devKey } from '../src/config/dev-keys.ts';
import { PUBLISH_STAKE_DEFAULT } from '../src/config/genesis.ts';
import { createTestDatabase, startTestNode, type TestDatabase, type TestNode, testDrivers } from '../src/testing.ts';
import { type NodeClient, nodeClient } from './helpers/client.ts';
import { ABT, balanceOf, MIN_FEE, stakeThenPublish, transfer, Wallet } from './helpers/wallet.ts';

/** Long enough that no empty block is made while a test compares heads. */
const QUIET_INTERVAL_MS = 60_000;
const NAME = 'ledger-test-oracle';

function publish(version: string, beneficiary: string): PublishComponentTx {
  return {
    type: 'publishComponent',
    kind: 'blocklet',
    name: NAME,
    version,
    description: 'Prices, medianised',
    manifestHash: new Uint8Array(32).fill(1),
    bundleHash: new Uint8Array(32),
    readmeHash: new Uint8Array(32).fill(2),
    releaseNotes: 'first',
    categories: ['oracle'],
    chains: ['arc'],
    price: { model: 'free', amount: 0n },
    beneficiaries: [{ did: beneficiary, shareBps: 10_000 }],
  };
}

/** Reads a state entry with its proof and checks the proof against the state root of the block it names. */
async function provenEntry<T>(client: NodeClient, kind: StateKind, id: string): Promise<T | null> {
  const entry = await client.chain.stateEntry.query({ kind, id });
  const { proof } = entry;
  expect(proof.key).toBe(stateKey(kind, id));
  const block = await client.block.byHeight.query({ height: proof.height });
  expect(block.stateRoot).toBe(proof.stateRoot);
  const valueHash = proof.value === null ? null : sha3(fromHex(proof.value));
  expect(verifyProof(fromHex(block.stateRoot), stateKeyHash(proof.key), valueHash, decodeProof(proof)), `proof of ${proof.key}`).toBe(true);
  // A proof of another value must not verify: the check above is not vacuous.
  expect(verifyProof(fromHex(block.stateRoot), stateKeyHash(proof.key), sha3(new Uint8Array([1, 2, 3])), decodeProof(proof))).toBe(false);
  return proof.value === null ? null : (decodeEntry(kind, fromHex(proof.value)).value as T);
}

describe.each(testDrivers())('marketplace state on a node on %s', (driver) => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function start(db: TestDatabase): Promise<{ node: TestNode; client: NodeClient; meter: Wallet }> {
    const node = await startTestNode({ driver, database: db.target, blockIntervalMs: QUIET_INTERVAL_MS });
    cleanups.push(() => node.stop());
    const client = nodeClient(node.url);
    // On a dev chain the node itself records usage and moderates (config/genesis.ts nodeChainParams).
    const ledger = node.services.ledger;
    const meter = new Wallet(client, node.chainId, { ...ledger.options.nodeKey, did: ledger.nodeDid });
    return { node, client, meter };
  }

  it('keeps a published component and a review across a restart, proven against the block state root', async () => {
    const db = await createTestDatabase(driver);
    cleanups.push(() => db.drop());
    const first = await start(db);
    const info = await first.client.chain.info.query();
    expect(info.params.market).toEqual({
      moderators: [first.node.services.ledger.nodeDid],
      usageReporters: [first.node.services.ledger.nodeDid],
    });
    expect(info.params.economy.publishStake).toBe(PUBLISH_STAKE_DEFAULT.toString());

    const alice = new Wallet(first.client, first.node.chainId, devKey('alice'));
    const bob = new Wallet(first.client, first.node.chainId, devKey('bob'));
    const aliceBefore = await balanceOf(first.client, alice.did);
    await stakeThenPublish(alice, publish('1.0.0', alice.did));
    // The stake is bonded (it backs the name), and the publish itself takes nothing but its fee.
    expect(await balanceOf(first.client, alice.did)).toBe(aliceBefore - 2n * MIN_FEE - PUBLISH_STAKE_DEFAULT);
    // The node earned the fee as proposer, which pays for its usage record.
    await first.meter.commit({
      type: 'recordUsage',
      period: 20_500,
      records: [{ component: NAME, application: alice.did, account: bob.did, installs: 1, calls: 12, paid: 0n }],
    });
    await bob.commit({ type: 'reviewComponent', name: NAME, stars: 4, textHash: new Uint8Array(32).fill(4), edit: false });

    const component = await provenEntry<ComponentState>(first.client, 'component', NAME);
    expect(component).toMatchObject({ owner: alice.did, stake: 0n, latestVersion: '1.0.0' });
    const review = await provenEntry<ReviewState>(first.client, 'review', `${NAME}/${bob.did}`);
    expect(review).toMatchObject({ reviewer: bob.did, stars: 4, revision: 1, hidden: false });
    expect(await provenEntry(first.client, 'component', 'no-such-component')).toBeNull();
    const before = {
      component: await first.client.chain.stateEntry.query({ kind: 'component', id: NAME }),
      review: await first.client.chain.stateEntry.query({ kind: 'review', id: `${NAME}/${bob.did}` }),
    };
    await first.node.stop();

    const second = await start(db);
    expect((await second.client.chain.stateEntry.query({ kind: 'component', id: NAME })).proof.value).toBe(before.component.proof.value);
    expect((await second.client.chain.stateEntry.query({ kind: 'review', id: `${NAME}/${bob.did}` })).proof.value).toBe(
      before.review.proof.value,
    );
    expect(await provenEntry<ComponentState>(second.client, 'component', NAME)).toEqual(component);

    // The stored rows are what the state machine reads after the restart (no cache): rules see them.
    const bob2 = new Wallet(second.client, second.node.chainId, devKey('bob'));
    // Refused by the rules in their blocks, they fail there (paying their fee).
    const failsWith = async (tx: { hash: string }, code: string) =>
      expect(await second.client.tx.wait.query({ hash: tx.hash, timeoutMs: 20_000 })).toMatchObject({ status: 'failed', error: { code } });
    const again = await bob2.send({ type: 'reviewComponent', name: NAME, stars: 1, textHash: new Uint8Array(32), edit: false });
    await failsWith(again, 'REVIEW_EXISTS');
    const alice2 = new Wallet(second.client, second.node.chainId, devKey('alice'));
    const taken = await bob2.send(publish('9.0.0', bob2.did));
    await failsWith(taken, 'COMPONENT_NAME_TAKEN');

    // A report on the review, resolved by the node: resolving loads the review the stored report names.
    const { tx: reportTx } = await alice2.commit({ type: 'reportAbuse', name: NAME, reviewer: bob2.did, reason: 'not about the oracle' });
    await second.node.stop();
    const third = await start(db);
    // This node has a new key: fund its account so it can pay the fee.
    const alice3 = new Wallet(third.client, third.node.chainId, devKey('alice'));
    await alice3.commit(transfer(third.node.services.ledger.nodeDid, ABT));
    await third.meter.commit({ type: 'resolveReport', report: reportTx.hash, upheld: true, note: 'off topic' });
    expect(await provenEntry(third.client, 'report', reportTx.hash)).toMatchObject({
      status: 'upheld',
      resolver: third.node.services.ledger.nodeDid,
    });
    expect(await provenEntry<ReviewState>(third.client, 'review', `${NAME}/${bob2.did}`)).toMatchObject({ hidden: true, stars: 4 });
    expect(toHex(third.node.services.ledger.head.stateRoot)).toBe((await third.client.chain.info.query()).stateRoot);
  });
});
