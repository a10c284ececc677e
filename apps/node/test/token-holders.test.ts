import { tokenAddress } from '@arc/core';
import { describe, expect, it } from 'vitest';
import { TOKEN_BALANCES_INDEXED } from '../src/ledger/store.ts';
import { testDrivers } from '../src/testing.ts';
import { appError } from './helpers/client.ts';
import { useTestNode } from './helpers/node.ts';
import { ABT, fundedWallet, randomSigner } from './helpers/wallet.ts';

describe.each(testDrivers())('a node on %s: the holders of an application token', (driver) => {
  const ctx = useTestNode(driver);

  it('lists holders largest balance first with their count, page by page, and drops an account that sent all of it', async () => {
    const { client, alice } = ctx;
    const owner = await fundedWallet(alice, ABT);
    const bob = await fundedWallet(alice, ABT);
    const carol = randomSigner();
    const token = tokenAddress('HOLD');
    await owner.commit({ type: 'createToken', symbol: 'HOLD', name: 'Holders Token', decimals: 2, totalSupply: 1_000_000n });
    const send = (to: string, amount: bigint) => ({
      type: 'transfer' as const,
      to,
      amount: 0n,
      tokens: [{ token, amount }],
      assets: [],
      memo: '',
    });
    // Balances whose digits sort differently as text than as numbers.
    await owner.commit(send(bob.did, 200_000n));
    await owner.commit(send(carol.did, 95_000n));

    const first = await client.token.holders.query({ token, limit: 2 });
    expect(first.holderCount).toBe(3);
    expect(first.items).toEqual([
      { rank: 1, did: owner.did, balance: '705000' },
      { rank: 2, did: bob.did, balance: '200000' },
    ]);
    expect(first.nextCursor).not.toBeNull();
    const second = await client.token.holders.query({ token, limit: 2, cursor: first.nextCursor ?? undefined });
    expect(second).toEqual({ token, holderCount: 3, items: [{ rank: 3, did: carol.did, balance: '95000' }], nextCursor: null });

    // Bob sends all he holds back: he is no holder any more.
    await bob.commit(send(owner.did, 200_000n));
    const after = await client.token.holders.query({ token });
    expect(after.holderCount).toBe(2);
    expect(after.items.map((h) => [h.did, h.balance])).toEqual([
      [owner.did, '905000'],
      [carol.did, '95000'],
    ]);
  });

  it('answers NOT_FOUND with a sentence for an address that is no token', async () => {
    const error = await appError(ctx.client.token.holders.query({ token: randomSigner().did }));
    expect(error.appCode).toBe('NOT_FOUND');
    expect(error.message).toMatch(/No application token has the address did:abt:/);
  });

  it('fills the index from the accounts once for a database written before it existed', async () => {
    const { node, client, alice } = ctx;
    const owner = await fundedWallet(alice, ABT);
    const token = tokenAddress('OLDT');
    await owner.commit({ type: 'createToken', symbol: 'OLDT', name: 'Old Token', decimals: 0, totalSupply: 500n });
    const { store } = node.services.ledger;
    const [{ n } = { n: 0 }] = await node.db.query<{ n: string | number }>('SELECT count(*) AS n FROM token_balances');
    await node.db.query('DELETE FROM token_balances');
    await node.db.query('DELETE FROM chain_meta WHERE key = $1', [TOKEN_BALANCES_INDEXED]);
    expect((await client.token.holders.query({ token })).holderCount).toBe(0);

    expect(await store.indexTokenBalancesOnce(2)).toBe(Number(n));
    expect((await client.token.holders.query({ token })).items).toEqual([{ rank: 1, did: owner.did, balance: '500' }]);
    expect(await store.indexTokenBalancesOnce()).toBe(0);
  });
});
