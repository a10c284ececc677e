import { BlockInvalid } from '@arc/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { devKey } from '../src/config/dev-keys.ts';
import type { Sql } from '../src/db/client.ts';
import type { CommitBlock } from '../src/ledger/store.ts';
import { startTestNode, type TestNode, testDrivers, testGenesis } from '../src/testing.ts';
import { blockOf, type Follower, startFollower } from './helpers/blocks.ts';
import { type NodeClient, nodeClient } from './helpers/client.ts';
import { ABT, balanceOf, fundedWallet, randomSigner, transfer, Wallet, waitCommitted } from './helpers/wallet.ts';

/**
 * The pipelined producer (ledger.ts): it builds a block while the one before commits, on that block's writes and trie
 * nodes held in memory. Each block must still be exactly what a producer without the pipeline makes (a follower
 * replaying them through its strict import path agrees on every state root), nothing is acknowledged before its own
 * block's commit returned, and a commit that fails takes the block built on it along without losing a transaction.
 */

const genesis = await testGenesis();
const WAIT = { timeout: 20_000, interval: 10 };

type CommitFn = (block: CommitBlock, alongside?: (tx: Sql) => Promise<void>) => Promise<void>;

/** Replaces the node's block commit with `wrap(original)`; answers the restore. */
function wrapCommits(node: TestNode, wrap: (original: CommitFn) => CommitFn): () => void {
  const { store } = node.services.ledger;
  const original = store.commitBlock.bind(store);
  store.commitBlock = wrap(original);
  return () => {
    store.commitBlock = original;
  };
}

/** Counts the blocks the producer builds (each build loads trie paths once or twice: a call per block is enough). */
function countBuilds(node: TestNode, onBuild?: () => void): { count: () => number; restore: () => void } {
  const { trie } = node.services.ledger;
  const build = trie.build.bind(trie);
  let builds = 0;
  trie.build = ((...args: Parameters<typeof build>) => {
    builds += 1;
    onBuild?.();
    return build(...args);
  }) as typeof trie.build;
  return {
    count: () => builds,
    restore: () => {
      trie.build = build;
    },
  };
}

async function statusOf(client: NodeClient, hash: string): Promise<string> {
  return (await client.tx.byHash.query({ hash })).status;
}

describe.each(testDrivers())('the pipelined producer (%s)', (driver) => {
  let node: TestNode;
  let client: NodeClient;
  let alice: Wallet;
  /** A follower that only imports (never produces), on a database of its own. */
  let follower: Follower;

  beforeAll(async () => {
    node = await startTestNode({ driver, genesis, blockIntervalMs: 3_600_000 });
    client = nodeClient(node.url);
    alice = new Wallet(client, node.chainId, devKey('alice'));
    follower = await startFollower(driver, genesis, 7);
  });
  afterAll(async () => {
    await node?.stop();
    await follower?.stop();
  });

  /** The follower imports every block it lacks; any refusal fails the test with its reason. */
  async function followerCatchesUp(): Promise<void> {
    for (let height = follower.ledger.head.height + 1; height <= node.services.ledger.head.height; height += 1) {
      const imported = await follower.ledger.importBlock(await blockOf(node, height));
      if (imported instanceof BlockInvalid) throw new Error(`block ${height} refused: ${imported.code} ${imported.message}`);
    }
    expect(follower.ledger.head.stateRoot).toEqual(node.services.ledger.head.stateRoot);
  }

  it('builds the next block on one still committing, and acknowledges each block only once its own commit returned', async () => {
    const bob = randomSigner().did;
    let open = () => {};
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const heights: number[] = [];
    const restore = wrapCommits(node, (original) => async (block, alongside) => {
      heights.push(block.header.height);
      if (heights.length === 1) await gate;
      return original(block, alongside);
    });
    const builds = countBuilds(node);
    try {
      const first = await alice.send(transfer(bob, 1n * ABT));
      await vi.waitFor(() => expect(heights).toHaveLength(1), WAIT);
      const buildsBefore = builds.count();
      // Alice's next nonce and Bob's balance exist only in the block still committing.
      const second = await alice.send(transfer(bob, 2n * ABT));
      await vi.waitFor(() => expect(builds.count()).toBeGreaterThan(buildsBefore), WAIT);
      // The next block is built, and cannot commit before the one under it: nothing is acknowledged yet.
      expect(heights).toHaveLength(1);
      expect(await statusOf(client, first.hash)).toBe('pending');
      expect(await statusOf(client, second.hash)).toBe('pending');
      expect(await balanceOf(client, bob)).toBe(0n);
      open();
      const [h1, h2] = [await waitCommitted(client, first.hash), await waitCommitted(client, second.hash)];
      expect(h2).toBe(h1 + 1);
      expect(heights).toEqual([h1, h2]);
      expect(await balanceOf(client, bob)).toBe(3n * ABT);
      await followerCatchesUp();
    } finally {
      builds.restore();
      restore();
      open();
    }
  });

  it('under a stream of transfers among many accounts, with commits of random length, makes blocks a strict follower agrees with', async () => {
    const wallets: Wallet[] = [];
    for (let i = 0; i < 6; i += 1) wallets.push(await fundedWallet(alice, 10n * ABT));
    let seed = 20261206;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    let committing = 0;
    let overlapped = 0;
    const restore = wrapCommits(node, (original) => async (block, alongside) => {
      committing += 1;
      try {
        await pause(random() * 40);
        return await original(block, alongside);
      } finally {
        committing -= 1;
      }
    });
    const builds = countBuilds(node, () => {
      if (committing > 0) overlapped += 1;
    });
    try {
      const sent = [];
      for (let round = 0; round < 5; round += 1) {
        for (const wallet of wallets) {
          const to = wallets[Math.floor(random() * wallets.length)] as Wallet;
          sent.push(await wallet.send(transfer(to.did, 1n + BigInt(Math.floor(random() * 1000)))));
        }
        await pause(random() * 30);
      }
      for (const tx of sent) await waitCommitted(client, tx.hash);
      expect(overlapped).toBeGreaterThan(0);
      await followerCatchesUp();
    } finally {
      builds.restore();
      restore();
    }
  });

  it('drops the block built on one whose commit failed, and commits both transactions after, in order', async () => {
    const bob = randomSigner().did;
    const logged = vi.fn();
    let failing = true;
    let open = () => {};
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const builds = countBuilds(node);
    const attempts: { height: number; txs: string[] }[] = [];
    const restore = wrapCommits(node, (original) => async (block, alongside) => {
      attempts.push({ height: block.header.height, txs: block.txs.map((t) => t.checked.hashHex) });
      if (failing) {
        failing = false;
        // Fails only once the producer has built the next block on this one.
        await gate;
        throw new Error('injected: the disk hiccuped');
      }
      return original(block, alongside);
    });
    const log = node.services.ledger.options.log;
    node.services.ledger.options.log = logged;
    try {
      const head = node.services.ledger.head.height;
      const first = await alice.send(transfer(bob, 1n * ABT));
      await vi.waitFor(() => expect(attempts).toHaveLength(1), WAIT);
      const buildsBefore = builds.count();
      const second = await alice.send(transfer(bob, 2n * ABT));
      await vi.waitFor(() => expect(builds.count()).toBeGreaterThan(buildsBefore), WAIT);
      open();
      const [h1, h2] = [await waitCommitted(client, first.hash), await waitCommitted(client, second.hash)];
      // The failed block's height is taken again by a block holding its transaction, then the next.
      expect(h1).toBe(head + 1);
      expect(h2).toBeGreaterThanOrEqual(h1);
      expect(attempts[0]).toEqual({ height: head + 1, txs: [first.hash] });
      // The block built on the failed one never reached the database as built: every later attempt starts again at it.
      expect(attempts.slice(1).every((a) => a.height > head)).toBe(true);
      expect(attempts[1]?.height).toBe(head + 1);
      expect(logged).toHaveBeenCalledWith(expect.stringContaining('injected: the disk hiccuped'));
      expect(await balanceOf(client, bob)).toBe(3n * ABT);
      expect(node.services.ledger.mempool.size).toBe(0);
      await followerCatchesUp();
    } finally {
      node.services.ledger.options.log = log;
      builds.restore();
      restore();
      open();
    }
  });
});
