import {
  BlockInvalid,
  decodeHeader,
  decodeSeal,
  entryKey,
  genesisEntries,
  MemoryTrie,
  type ParentBlock,
  type StateEntry,
  toHex,
  validateBlock,
  writeKey,
} from '@arc/core';
import { describe, expect, it } from 'vitest';
import { devKey } from '../src/config/dev-keys.ts';
import { mapView } from '../src/ledger/state-cache.ts';
import { testDrivers, testGenesis } from '../src/testing.ts';
import { useTestNode } from './helpers/node.ts';
import { ABT, failedCode, fundedWallet, randomSigner, transfer, Wallet } from './helpers/wallet.ts';

const genesis = await testGenesis();

/** A chain's state held apart from any node: every entry in a map and the trie over them, from genesis. */
class Replica {
  readonly entries = new Map<string, StateEntry>();
  readonly trie = new MemoryTrie();
  head: ParentBlock;

  constructor(genesisHash: Uint8Array) {
    const entries = genesisEntries(genesis);
    for (const entry of entries) this.entries.set(entryKey(entry), entry);
    const root = this.trie.fold(entries);
    this.head = { height: 0, hash: genesisHash, stateRoot: root, timeMs: genesis.timeMs };
  }
}

describe.each(testDrivers())('blocks a node produced, validated apart from it (%s)', (driver) => {
  const ctx = useTestNode(driver, { genesis, blockIntervalMs: 200 });

  it("validates every block from the node's database through core's validateBlock to the same hashes and state roots", async () => {
    const { node, client, alice } = ctx;
    const { ledger } = node.services;
    // Transfers, a fee payer's grant and a transfer it pays for, and an overdraft that goes in failed.
    const bob = await fundedWallet(alice, 5n * ABT);
    const carol = await fundedWallet(alice, 5n * ABT);
    await carol.commit({ type: 'declareAccount', moniker: 'carol' });
    await bob.commit({ type: 'delegate', grantee: carol.did, allowance: ABT, expiresAtMs: Date.now() + 3_600_000 });
    await carol.commit(transfer(randomSigner().did, 1n), { payer: bob.signer });
    expect(await failedCode(bob, transfer(carol.did, 1_000n * ABT))).toBe('INSUFFICIENT_FUNDS');
    const dev = new Wallet(client, node.chainId, devKey('bob'));
    await dev.commit(transfer(alice.did, 2n));
    const head = ledger.head.height;

    const blocks = await node.db.query<{ height: string | number; hash: Uint8Array; header: Uint8Array; seal: Uint8Array }>(
      'SELECT height, hash, header, seal FROM blocks WHERE height <= $1 ORDER BY height',
      [head],
    );
    const replica = new Replica(new Uint8Array((blocks[0] as { hash: Uint8Array }).hash));
    let withTxs = 0;
    for (const row of blocks.slice(1)) {
      const txs = await node.db.query<{ bytes: Uint8Array }>('SELECT bytes FROM txs WHERE height = $1 ORDER BY idx', [row.height]);
      const candidate = {
        header: decodeHeader(new Uint8Array(row.header)),
        seal: decodeSeal(new Uint8Array(row.seal)),
        txs: txs.map((t) => new Uint8Array(t.bytes)),
      };
      const base = {
        chainId: node.chainId,
        params: ledger.params,
        parent: replica.head,
        view: mapView(replica.entries),
        trie: replica.trie,
      };
      const built = validateBlock(base, candidate, { nowMs: candidate.header.timeMs + 1 });
      if (built instanceof BlockInvalid) throw new Error(`block ${row.height} is invalid: ${built.code} ${built.message}`);
      expect(toHex(built.hash)).toBe(toHex(new Uint8Array(row.hash)));
      if (candidate.txs.length > 0) {
        withTxs += 1;
        // One byte of one of its transactions changed: the block is refused, and the replica is as it was.
        const tampered = candidate.txs.map((tx, i) => (i === 0 ? tx.map((b, j) => (j === tx.length - 1 ? b ^ 1 : b)) : tx));
        const refused = validateBlock(base, { ...candidate, txs: tampered }, { nowMs: candidate.header.timeMs + 1 });
        expect(refused).toBeInstanceOf(BlockInvalid);
      }
      for (const write of built.writes) {
        if (write.value === null) replica.entries.delete(writeKey(write));
        else replica.entries.set(entryKey(write as StateEntry), write as StateEntry);
      }
      replica.trie.adopt(built.trieUpdate);
      replica.head = { height: built.header.height, hash: built.hash, stateRoot: built.header.stateRoot, timeMs: built.header.timeMs };
    }
    expect(withTxs).toBeGreaterThanOrEqual(6);
    expect(replica.head.height).toBe(head);
    expect(toHex(replica.trie.root)).toBe(toHex(ledger.head.stateRoot));
  });
});
