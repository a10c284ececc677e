import { tokenAddress } from '@arc/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devKey } from '../config/dev-keys.ts';
import { startTestNode, type TestNode, testDrivers } from '../testing.ts';
import { blockSeal, txEvents } from './explorer-reads.ts';
import { DID_FORMAT_HINT, SEARCH_LIMITS, search } from './search.ts';

describe.each(testDrivers())('explorer search (%s)', (driver) => {
  let node: TestNode;

  beforeAll(async () => {
    // The seeded demo: accounts, the DEMO token, two assets, transfers, and the built-in blocklets.
    node = await startTestNode({ driver, seedDemo: true, blockIntervalMs: 100 });
  }, 120_000);

  afterAll(async () => {
    await node?.stop();
  });

  const latestTx = async () => {
    const page = await node.services.queries.listTxs(undefined, 1);
    const tx = page.items[0];
    if (!tx) throw new Error('the seeded demo made no transaction');
    return tx;
  };

  it('finds a block by its height, exactly', async () => {
    const result = await search(node.db, '1');
    expect(result.suggestions[0]).toMatchObject({ kind: 'block', height: 1, exact: true });
    expect(result.problem).toBeNull();
  });

  it('finds a transaction by its full hash (with or without 0x) and by its first hex digits', async () => {
    const tx = await latestTx();
    expect((await search(node.db, tx.hash)).suggestions).toEqual([{ kind: 'tx', hash: tx.hash, height: tx.height, exact: true }]);
    expect((await search(node.db, `0x${tx.hash.toUpperCase()}`)).suggestions[0]).toMatchObject({ kind: 'tx', hash: tx.hash });
    const byPrefix = await search(node.db, tx.hash.slice(0, 9));
    expect(byPrefix.suggestions).toContainEqual({ kind: 'tx', hash: tx.hash, height: tx.height, exact: false });
    // Too short a prefix matches too much: it is not looked up as a hash.
    const short = await search(node.db, tx.hash.slice(0, SEARCH_LIMITS.hashPrefixHexMin - 1));
    expect(short.suggestions.filter((s) => s.kind === 'tx')).toEqual([]);
  });

  it('finds a block by its hash', async () => {
    const block = await node.services.queries.blockByHeight(2);
    if (!block) throw new Error('no block 2');
    expect((await search(node.db, block.hash)).suggestions).toContainEqual({ kind: 'block', height: 2, hash: block.hash, exact: true });
  });

  it('names an account by its DID, a token by its address, and suggests accounts by the first characters of a DID', async () => {
    const alice = devKey('alice').did;
    expect((await search(node.db, alice)).suggestions).toEqual([{ kind: 'account', did: alice, exists: true, exact: true }]);
    const demo = tokenAddress('DEMO');
    expect((await search(node.db, demo)).suggestions).toEqual([
      { kind: 'token', address: demo, symbol: 'DEMO', name: 'Demo Token', exact: true },
    ]);
    const prefix = await search(node.db, alice.slice(0, 16));
    expect(prefix.suggestions).toContainEqual({ kind: 'account', did: alice, exists: true, exact: false });
    expect(prefix.problem).toBeNull();
  });

  it('says what is wrong with a malformed DID', async () => {
    const alice = devKey('alice').did;
    const typo = `${alice.slice(0, -1)}${alice.endsWith('a') ? 'b' : 'a'}`;
    const result = await search(node.db, typo);
    expect(result.suggestions).toEqual([]);
    expect(result.problem).toContain(DID_FORMAT_HINT);
    expect((await search(node.db, 'did:abt:0OIl')).problem).toContain(DID_FORMAT_HINT);
    expect((await search(node.db, 'did:eth:0x12')).problem).toContain(DID_FORMAT_HINT);
  });

  it('finds a token by its symbol in any case and a blocklet by the start of its name', async () => {
    const exact = await search(node.db, 'demo');
    expect(exact.suggestions[0]).toMatchObject({ kind: 'token', symbol: 'DEMO', exact: true });
    const orac = await search(node.db, 'orac');
    expect(orac.suggestions).toContainEqual(expect.objectContaining({ kind: 'blocklet', name: 'oracle', exact: false }));
    expect((await search(node.db, 'oracle')).suggestions[0]).toMatchObject({ kind: 'blocklet', name: 'oracle', exact: true });
  });

  it('answers nothing, without an error, for empty input or input that names nothing', async () => {
    expect(await search(node.db, '   ')).toEqual({ q: '', suggestions: [], problem: null });
    expect((await search(node.db, 'no-such-thing')).suggestions).toEqual([]);
    expect((await search(node.db, "'; DROP TABLE blocks; --")).suggestions).toEqual([]);
    expect((await search(node.db, '999999999')).suggestions).toEqual([]);
  });

  it('reads a block seal and a transaction events', async () => {
    const seal = await blockSeal(node.db, 1);
    expect(seal?.publicKey).toMatch(/^[0-9a-f]{64}$/);
    expect(seal?.signature).toMatch(/^[0-9a-f]{128}$/);
    expect(await blockSeal(node.db, 10_000_000)).toBeNull();
    const tx = await latestTx();
    const events = await txEvents(node.db, tx.hash);
    expect(events?.events.some((e) => e.type === 'feePaid')).toBe(true);
  });
});
