import { decodeProof, fromHex, stateKey, stateKeyHash, toHex, verifyProof } from '@arc/core';
import { afterEach, describe, expect, it } from 'vitest';
import { devKey } from '../src/config/dev-keys.ts';
import { type Database, openDatabase } from '../src/db/client.ts';
import { createTestDatabase, startTestNode, type TestDatabase, type TestNode, testDrivers } from '../src/testing.ts';
import { appError, type NodeClient, nodeClient } from './helpers/client.ts';
import { reachableTrieNodes } from './helpers/trie.ts';
import { ABT, randomSigner, transfer, Wallet } from './helpers/wallet.ts';

/** Long enough that no empty block is made while a test counts blocks. */
const QUIET_INTERVAL_MS = 60_000;
const RETAIN_BLOCKS = 3;

async function rootAt(db: Database, height: number): Promise<Uint8Array> {
  const [row] = await db.query<{ state_root: Uint8Array }>('SELECT state_root FROM blocks WHERE height = $1', [height]);
  return new Uint8Array(row?.state_root ?? []);
}

async function count(db: Database, table: string): Promise<number> {
  const [row] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
  return row?.n ?? 0;
}

describe.each(testDrivers())('the state trie in the database (%s)', (driver) => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function database(): Promise<TestDatabase> {
    const db = await createTestDatabase(driver);
    cleanups.push(() => db.drop());
    return db;
  }

  async function start(db: TestDatabase, log: string[] = []): Promise<{ node: TestNode; client: NodeClient }> {
    const node = await startTestNode({
      driver,
      database: db.target,
      blockIntervalMs: QUIET_INTERVAL_MS,
      ledgerLimits: { trie: { cacheMb: 8, retainBlocks: RETAIN_BLOCKS } },
      log: (line) => log.push(line),
    });
    cleanups.push(() => node.stop());
    return { node, client: nodeClient(node.url) };
  }

  it('proves entries at kept heights, refuses pruned ones, and keeps exactly the nodes the kept roots reach', async () => {
    const { node, client } = await start(await database());
    const alice = new Wallet(client, node.chainId, devKey('alice'));
    const heights: number[] = [];
    for (let i = 0; i < 8; i++) heights.push((await alice.commit(transfer(randomSigner().did, ABT))).height);
    const head = node.services.ledger.head.height;
    const key = { kind: 'account' as const, id: alice.did };

    // At a kept height: alice's entry as it was then, proved against that block's state root.
    const kept = head - 2;
    const then = await client.chain.stateProof.query({ ...key, height: kept });
    const now = await client.chain.stateProof.query({ ...key, height: head });
    expect(then.stateRoot).toBe((await client.block.byHeight.query({ height: kept })).stateRoot);
    expect(then.valueHash).not.toBeNull();
    expect(then.valueHash).not.toBe(now.valueHash);
    const keyHash = stateKeyHash(stateKey('account', alice.did));
    expect(verifyProof(fromHex(then.stateRoot), keyHash, fromHex(then.valueHash as string), decodeProof(then))).toBe(true);
    expect(verifyProof(fromHex(then.stateRoot), keyHash, fromHex(now.valueHash as string), decodeProof(then))).toBe(false);
    // Absent then: an account that never existed.
    const nobody = await client.chain.stateProof.query({ kind: 'account', id: randomSigner().did, height: kept });
    expect(nobody.valueHash).toBeNull();
    expect(verifyProof(fromHex(nobody.stateRoot), stateKeyHash(nobody.key), null, decodeProof(nobody))).toBe(true);

    // Past the window: a typed refusal that says which heights are provable.
    const pruned = await appError(client.chain.stateProof.query({ ...key, height: (heights[0] as number) - 1 }));
    expect(pruned).toMatchObject({ appCode: 'HEIGHT_PRUNED', retriable: false });
    expect(pruned.message).toContain(`proves heights ${head - RETAIN_BLOCKS} to ${head}`);
    expect((await appError(client.chain.stateProof.query({ ...key, height: head + 1 }))).appCode).toBe('NOT_FOUND');

    // Nothing leaks and nothing kept is gone: once pruned, the table holds exactly what the kept roots reach.
    // (The background pass may have pruned some or all of it already: what is left due is pruned now.)
    await node.services.ledger.pruneTrie();
    expect(await node.db.query('SELECT height FROM trie_stale WHERE height <= $1', [head - RETAIN_BLOCKS])).toEqual([]);
    const live = new Set<string>();
    for (let h = head - RETAIN_BLOCKS; h <= head; h++) await reachableTrieNodes(node.db, await rootAt(node.db, h), live);
    expect(await count(node.db, 'trie_nodes')).toBe(live.size);
  });

  it('keeps a node built again after it went stale: a row per build until the older one is pruned', async () => {
    const { node, client } = await start(await database());
    const alice = new Wallet(client, node.chainId, devKey('alice'));
    const grant = { type: 'delegate' as const, grantee: randomSigner().did, allowance: ABT, expiresAtMs: Date.now() + 3_600_000 };
    const duplicated = () => count(node.db, '(SELECT hash FROM trie_nodes GROUP BY hash HAVING count(*) > 1) AS d').then((n) => n > 0);
    await alice.commit(grant);
    await alice.commit({ type: 'revokeDelegation', grantee: grant.grantee });
    // The same grant again: its leaf is the one the revoke made stale, built again (a second row, at this height).
    const again = (await alice.commit(grant)).height;
    expect(await duplicated()).toBe(true);
    const root = await rootAt(node.db, again);
    await reachableTrieNodes(node.db, root, new Set());

    for (let i = 0; i < RETAIN_BLOCKS + 1; i++) await alice.commit(transfer(randomSigner().did, ABT));
    await node.services.ledger.pruneTrie();
    // The older row went with its stale record; the one the kept roots reach stayed, once.
    expect(await duplicated()).toBe(false);
    const head = node.services.ledger.head.height;
    const live = new Set<string>();
    for (let h = head - RETAIN_BLOCKS; h <= head; h++) await reachableTrieNodes(node.db, await rootAt(node.db, h), live);
    expect(await count(node.db, 'trie_nodes')).toBe(live.size);
    const proof = await client.chain.stateProof.query({ kind: 'account', id: alice.did, height: head });
    expect(verifyProof(fromHex(proof.stateRoot), stateKeyHash(proof.key), fromHex(proof.valueHash as string), decodeProof(proof))).toBe(
      true,
    );
  });

  it('restarts from the head root alone (no rebuild), and moves a chain stored before the trie tables', async () => {
    const db = await database();
    const first = await start(db);
    const alice = new Wallet(first.client, first.node.chainId, devKey('alice'));
    for (let i = 0; i < 3; i++) await alice.commit(transfer(randomSigner().did, ABT));
    // Kinds whose id is two columns (a grant is payer/grantee): the move pages them by those columns.
    const grantees = [randomSigner().did, randomSigner().did];
    for (const grantee of grantees) await alice.commit({ type: 'delegate', grantee, allowance: ABT, expiresAtMs: Date.now() + 3_600_000 });
    const before = first.node.services.ledger.head;
    const aliceBefore = await first.client.account.get.query({ did: alice.did });
    const bobBefore = await first.client.account.get.query({ did: devKey('bob').did });
    await first.node.stop();

    const log: string[] = [];
    const second = await start(db, log);
    expect(second.node.services.ledger.trie.cachedNodes).toBe(0);
    expect(log.some((line) => line.startsWith('stored the state trie'))).toBe(false);
    expect(toHex(second.node.services.ledger.head.stateRoot)).toBe(toHex(before.stateRoot));
    // Proved with nothing cached (the path read in one walk from the root), then with the top of the path cached
    // (the walk starts where the cache ends): the same values and proofs as before the restart.
    expect(await second.client.account.get.query({ did: alice.did })).toEqual(aliceBefore);
    expect(await second.client.account.get.query({ did: devKey('bob').did })).toEqual(bobBefore);
    await second.node.stop();

    // As a database written before migration 0016 would be: state rows, no trie nodes.
    const direct = await openDatabase(db.target);
    await direct.query('DELETE FROM trie_nodes');
    await direct.query('DELETE FROM trie_stale');
    await direct.query(`DELETE FROM chain_meta WHERE key = 'trieStoredFrom'`);
    await direct.close();
    const migrated: string[] = [];
    const third = await start(db, migrated);
    expect(migrated.some((line) => /^stored the state trie: \d+ nodes over \d+ state entries$/.test(line))).toBe(true);
    expect(toHex(third.node.services.ledger.head.stateRoot)).toBe(toHex(before.stateRoot));
    expect(await third.client.account.get.query({ did: alice.did })).toEqual(aliceBefore);
    const grant = await third.client.chain.stateEntry.query({ kind: 'grant', id: `${alice.did}/${grantees[1]}` });
    expect(grant.exists).toBe(true);
    const bob = new Wallet(third.client, third.node.chainId, devKey('bob'));
    const sent = await bob.commit(transfer(alice.did, ABT));
    expect(sent.height).toBe(before.height + 1);
    // Heights before the move were never stored: refused as pruned; the head and after prove.
    expect(
      (await appError(third.client.chain.stateProof.query({ kind: 'account', id: alice.did, height: before.height - 1 }))).appCode,
    ).toBe('HEIGHT_PRUNED');
    const after = await third.client.chain.stateProof.query({ kind: 'account', id: alice.did, height: sent.height });
    expect(verifyProof(fromHex(after.stateRoot), stateKeyHash(after.key), fromHex(after.valueHash as string), decodeProof(after))).toBe(
      true,
    );
  });
});
