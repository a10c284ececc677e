import { BlockInvalid, toHex } from '@arc/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devKey } from '../src/config/dev-keys.ts';
import type { Database } from '../src/db/client.ts';
import { startTestNode, type TestNode, testDrivers, testGenesis } from '../src/testing.ts';
import { blockOf, type Follower, startFollower } from './helpers/blocks.ts';
import { nodeClient } from './helpers/client.ts';
import { ABT, failedCode, fundedWallet, randomSigner, transfer, Wallet } from './helpers/wallet.ts';

const genesis = await testGenesis();

/** What a node's database says of its blocks and transactions, to compare two nodes whole. */
async function chainRows(node: { db: Database }, upTo: number) {
  const blocks = await node.db.query<{
    height: string | number;
    hash: Uint8Array;
    header: Uint8Array;
    seal: Uint8Array;
    state_root: Uint8Array;
  }>('SELECT height, hash, header, seal, state_root FROM blocks WHERE height BETWEEN 1 AND $1 ORDER BY height', [upTo]);
  const txs = await node.db.query<{
    hash: Uint8Array;
    height: string | number;
    idx: number;
    bytes: Uint8Array;
    events: unknown;
    failed_code: string | null;
    accounts: string[];
  }>('SELECT hash, height, idx, bytes, events, failed_code, accounts FROM txs WHERE height BETWEEN 1 AND $1 ORDER BY height, idx', [upTo]);
  const hex = (b: Uint8Array) => toHex(new Uint8Array(b));
  return {
    blocks: blocks.map((b) => [Number(b.height), hex(b.hash), hex(b.header), hex(b.seal), hex(b.state_root)]),
    txs: txs.map((t) => [hex(t.hash), Number(t.height), t.idx, hex(t.bytes), JSON.stringify(t.events), t.failed_code, t.accounts]),
  };
}

describe.each(testDrivers())('importBlock: a second node follows the first, on its own database (%s)', (driver) => {
  let a: TestNode;
  /** The follower: a ledger on a database of its own that never produces (it is not started), only imports. */
  let b: Follower;
  beforeAll(async () => {
    a = await startTestNode({ driver, genesis, blockIntervalMs: 200 });
    b = await startFollower(driver, genesis, 42);
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
  });

  it('commits every block of the first node byte for byte, and refuses a changed one without changing anything', async () => {
    const client = nodeClient(a.url);
    const alice = new Wallet(client, a.chainId, devKey('alice'));
    const bob = await fundedWallet(alice, 5n * ABT);
    const carol = await fundedWallet(alice, 5n * ABT);
    await bob.commit({ type: 'delegate', grantee: carol.did, allowance: ABT, expiresAtMs: Date.now() + 3_600_000 });
    await carol.commit(transfer(randomSigner().did, 1n), { payer: bob.signer });
    expect(await failedCode(bob, transfer(carol.did, 1_000n * ABT))).toBe('INSUFFICIENT_FUNDS');
    const head = a.services.ledger.head.height;
    expect(b.ledger.head.height).toBe(0);

    for (let height = 1; height <= head; height += 1) {
      const imported = await b.ledger.importBlock(await blockOf(a, height));
      if (imported instanceof BlockInvalid) throw new Error(`block ${height} refused: ${imported.code} ${imported.message}`);
      expect(imported.header.height).toBe(height);
    }
    expect(toHex(b.ledger.head.stateRoot)).toBe(toHex(a.services.ledger.head.stateRoot));
    expect(await chainRows(b, head)).toEqual(await chainRows(a, head));
    const account = (db: Database) => db.query<{ value: Uint8Array }>('SELECT value FROM accounts WHERE did = $1', [carol.did]);
    expect(await account(b.db)).toEqual(await account(a.db));

    // The next block with one transaction's last byte changed: refused with its reason; the follower is where it was.
    // The block that holds it (empty blocks may come before it: the first node marks time every 200 ms).
    const { height: holding } = await alice.commit(transfer(bob.did, 1n));
    const next = await blockOf(a, holding);
    for (let height = head + 1; height < next.header.height; height += 1) await b.ledger.importBlock(await blockOf(a, height));
    const before = b.ledger.head;
    const tampered = {
      ...next,
      txs: next.txs.map((tx, i) => (i === 0 ? tx.map((byte, j) => (j === tx.length - 1 ? byte ^ 1 : byte)) : tx)),
    };
    const refused = await b.ledger.importBlock(tampered);
    expect(refused).toBeInstanceOf(BlockInvalid);
    expect((refused as BlockInvalid).code).toBe('TX_INVALID');
    expect(b.ledger.head).toBe(before);
    const rows = await b.db.query<{ n: string | number }>('SELECT count(*) AS n FROM blocks WHERE height > $1', [before.height]);
    expect(Number(rows[0]?.n)).toBe(0);
    // A block that skips ahead is refused too; the untouched block then imports.
    const ahead = await b.ledger.importBlock(
      await blockOf(a, next.header.height).then((block) => ({ ...block, header: { ...block.header, height: block.header.height + 1 } })),
    );
    expect((ahead as BlockInvalid).code).toBe('WRONG_HEIGHT');
    expect(await b.ledger.importBlock(next)).not.toBeInstanceOf(BlockInvalid);
    expect(toHex(b.ledger.head.hash)).toBe(
      toHex(
        new Uint8Array(
          (await a.db.query<{ hash: Uint8Array }>('SELECT hash FROM blocks WHERE height = $1', [next.header.height]))[0]
            ?.hash as Uint8Array,
        ),
      ),
    );
  });
});
