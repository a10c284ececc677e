import { stateKey } from '@arc/core';
import { afterAll, describe, expect, it } from 'vitest';
import { devKey } from '../src/config/dev-keys.ts';
import { emptyStateKeys } from '../src/ledger/store.ts';
import { startTestNode, type TestNode } from '../src/testing.ts';
import { randomSigner } from './helpers/wallet.ts';

const nodes: TestNode[] = [];
afterAll(async () => {
  await Promise.all(nodes.map((node) => node.stop()));
});

describe('the state cache in front of the database', () => {
  it('reads the misses of views asked for together in one query per kind, each view seeing its own keys', async () => {
    const node = await startTestNode();
    nodes.push(node);
    const { cache, store } = node.services.ledger;
    const fetches: number[] = [];
    const fetchState = store.fetchState.bind(store);
    store.fetchState = (keys) => {
      fetches.push(keys.accounts.size);
      return fetchState(keys);
    };
    const names = ['alice', 'bob', 'carol'] as const;
    const absent = randomSigner().did;
    const views = await Promise.all(
      [...names.map((name) => devKey(name).did), absent].map((did) => {
        const keys = emptyStateKeys();
        keys.accounts.add(did);
        return cache.view(keys);
      }),
    );
    // Four views, one read of the four accounts.
    expect(fetches).toEqual([4]);
    for (const [i, name] of names.entries()) {
      expect(views[i]?.account(devKey(name).did)?.did).toBe(devKey(name).did);
      // A view holds what it asked for, not what the others did.
      expect(views[i]?.account(devKey(names[(i + 1) % names.length] as (typeof names)[number]).did)).toBeUndefined();
    }
    expect(views[3]?.account(absent)).toBeUndefined();
    // Remembered, absent ones too: asking again reads nothing.
    const again = emptyStateKeys();
    again.accounts.add(absent).add(devKey('alice').did);
    await cache.view(again);
    expect(fetches).toEqual([4]);
    expect(cache.peek(stateKey('account', devKey('alice').did))).toBeDefined();
  });

  it('does not remember what a batch read when a block committed while it was in flight', async () => {
    const node = await startTestNode();
    nodes.push(node);
    const { cache } = node.services.ledger;
    const did = devKey('bob').did;
    const keys = emptyStateKeys();
    keys.accounts.add(did);
    const pending = cache.view(keys);
    // A commit while the read is pending: the view gets its answer, but the cache does not keep it (the read may
    // have raced the commit's writes).
    cache.apply([]);
    const view = await pending;
    expect(view.account(did)?.did).toBe(did);
    expect(cache.peek(stateKey('account', did))).toBeUndefined();
  });
});
