import { createHash } from 'node:crypto';
import { fromHex, type Itx } from '@arc/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MARKET_INDEX_LIMITS } from '../src/market/indexer.ts';
import { startTestNode, type TestNode, testDrivers } from '../src/testing.ts';
import { appError, type NodeClient, nodeClient } from './helpers/client.ts';
import { ABT, fundedWallet, publishStakeOf, stakeForNames, Wallet, waitCommitted } from './helpers/wallet.ts';

const sha = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

interface Listing {
  name: string;
  kind: 'adapter' | 'blocklet' | 'component' | 'application';
  description: string;
  categories: string[];
  chains: string[];
  price?: { model: 'free' | 'perMonth' | 'perCall'; amount: bigint };
  readme: string;
}

const LISTINGS: Listing[] = [
  {
    name: 'price-oracle',
    kind: 'blocklet',
    description: 'Token prices from many exchanges',
    categories: ['oracles', 'defi'],
    chains: ['arc'],
    readme: '# Price oracle\nMedian of feeds.',
  },
  {
    name: 'oracle-feed',
    kind: 'component',
    description: 'A signed data feed for contracts',
    categories: ['oracles'],
    chains: ['ethereum'],
    readme: '# Feed',
  },
  {
    name: 'weather-data',
    kind: 'blocklet',
    description: 'Rain and temperature by city',
    categories: ['data'],
    chains: [],
    readme: '# Weather\nForecasts with hail warnings.',
  },
  {
    name: 'nft-minter',
    kind: 'application',
    description: 'Mint collectibles in one click',
    categories: ['nft'],
    chains: ['arc'],
    readme: '# Minter',
  },
  {
    name: 'ethereum-adapter',
    kind: 'adapter',
    description: 'Ethereum JSON-RPC adapter',
    categories: ['adapters'],
    chains: ['ethereum'],
    price: { model: 'perCall', amount: 10n ** 15n },
    readme: '# Ethereum',
  },
  {
    name: 'token-swap',
    kind: 'blocklet',
    description: 'Swap tokens at the best rate',
    categories: ['defi'],
    chains: ['arc', 'ethereum'],
    price: { model: 'perMonth', amount: ABT },
    readme: '# Swap',
  },
  {
    name: 'kv-cache',
    kind: 'component',
    description: 'A key value cache for blocklets',
    categories: ['storage'],
    chains: [],
    readme: '# Cache',
  },
];

function publish(listing: Listing, owner: string): Itx {
  return {
    type: 'publishComponent',
    kind: listing.kind,
    name: listing.name,
    version: '1.0.0',
    description: listing.description,
    manifestHash: fromHex(sha(`manifest ${listing.name}`)),
    bundleHash: new Uint8Array(32),
    readmeHash: fromHex(sha(listing.readme)),
    releaseNotes: 'first',
    categories: listing.categories,
    chains: listing.chains,
    price: listing.price ?? { model: 'free', amount: 0n },
    beneficiaries: [{ did: owner, shareBps: 10_000 }],
  } as Itx;
}

describe.each(testDrivers())('market search on %s', (driver) => {
  let node: TestNode;
  let client: NodeClient;

  beforeAll(async () => {
    node = await startTestNode({ driver, blockIntervalMs: 300, log: (line) => (process.env.MARKET_DEBUG ? console.log(line) : undefined) });
    client = nodeClient(node.url);
    const faucet = new Wallet(client, node.chainId, { ...(await import('../src/config/dev-keys.ts')).devKey('faucet') });
    const owner = await fundedWallet(faucet, 50n * ABT);
    // One README arrives before its transaction, the others after: both end up searchable.
    const first = LISTINGS[0] as Listing;
    await client.market.putText.mutate({ text: first.readme, purpose: 'readme' });
    let last = await stakeForNames(owner, LISTINGS.length).then((tx) => tx.hash);
    for (const listing of LISTINGS) last = (await owner.send(publish(listing, owner.did))).hash;
    await waitCommitted(client, last);
    for (const listing of LISTINGS.slice(1)) await client.market.putText.mutate({ text: listing.readme, purpose: 'readme' });
    const market = node.services.market;
    if (!market) throw new Error('the node has no market');
    await market.indexer.settled();
    await market.recompute();
  }, 60_000);

  afterAll(async () => {
    await node?.stop();
  });

  it('says on /health how far the market index has read the chain', async () => {
    await node.services.market?.indexer.settled();
    const health = (await (await fetch(`${node.url}/health`)).json()) as {
      height: number;
      market?: { indexedHeight: number; lastError: string | null };
    };
    expect(health.market).toEqual({ indexedHeight: expect.any(Number), lastError: null });
    expect(health.market?.indexedHeight).toBeGreaterThan(0);
    expect(health.market?.indexedHeight).toBeLessThanOrEqual(health.height);
  });

  it('finds oracles when the query is misspelt "oracel"', async () => {
    const result = await client.market.search.query({ q: 'oracel' });
    const names = result.items.map((c) => c.name);
    expect(names).toContain('price-oracle');
    expect(names).toContain('oracle-feed');
    expect(names).not.toContain('weather-data');
    expect(result.correctedQuery).toBe('oracle');
    expect((await client.market.search.query({ q: 'oracle' })).correctedQuery).toBeNull();
  });

  it('corrects a typo against words of a README that arrived after its transaction', async () => {
    // "hail" is only in weather-data's README, put after the publish committed.
    const result = await client.market.search.query({ q: 'haill' });
    expect(result.correctedQuery).toBe('hail');
    expect(result.items.map((c) => c.name)).toEqual(['weather-data']);
  });

  it('pages the matches of a text query, typed right or misspelt, exactly once in every sort', async () => {
    for (const q of ['oracle', 'oracel', 'tokens']) {
      const all = (await client.market.search.query({ q, limit: 50 })).items.map((c) => c.name).sort();
      expect(all.length, q).toBeGreaterThanOrEqual(1);
      for (const sort of ['relevance', 'rank', 'used', 'newest', 'rated'] as const) {
        const seen: string[] = [];
        let cursor: string | undefined;
        for (let page = 0; page < 10; page += 1) {
          const result = await client.market.search.query({ q, sort, limit: 1, ...(cursor ? { cursor } : {}) });
          expect(result.total, `${q} ${sort}`).toBe(all.length);
          seen.push(...result.items.map((c) => c.name));
          if (!result.nextCursor) break;
          cursor = result.nextCursor;
        }
        expect(seen.sort(), `${q} ${sort}`).toEqual(all);
      }
    }
  });

  it('finds a component by a word of its README and ranks a name hit first', async () => {
    expect((await client.market.search.query({ q: 'hail' })).items.map((c) => c.name)).toEqual(['weather-data']);
    const oracle = await client.market.search.query({ q: 'oracle' });
    expect(oracle.items[0]?.name).toMatch(/oracle/);
    expect(oracle.total).toBeGreaterThanOrEqual(2);
  });

  it('filters by kind, category, price and chain', async () => {
    const names = async (input: Parameters<NodeClient['market']['search']['query']>[0]) =>
      (await client.market.search.query(input)).items.map((c) => c.name).sort();
    expect(await names({ kind: 'adapter' })).toEqual(['ethereum-adapter']);
    expect(await names({ category: 'defi' })).toEqual(['price-oracle', 'token-swap']);
    expect(await names({ price: 'paid' })).toEqual(['ethereum-adapter', 'token-swap']);
    expect(await names({ chain: 'ethereum', price: 'free' })).toEqual(['oracle-feed']);
    expect(await names({ verified: true })).toEqual([]);
    expect(await names({ minRating: 4 })).toEqual([]);
  });

  it('pages every component exactly once in every sort', async () => {
    for (const sort of ['relevance', 'rank', 'used', 'newest', 'rated'] as const) {
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 10; page += 1) {
        const result = await client.market.search.query({ sort, limit: 2, ...(cursor ? { cursor } : {}) });
        seen.push(...result.items.map((c) => c.name));
        if (!result.nextCursor) break;
        cursor = result.nextCursor;
      }
      expect(seen.sort(), sort).toEqual(LISTINGS.map((l) => l.name).sort());
    }
    const newest = (await client.market.search.query({ sort: 'newest', limit: 50 })).items;
    for (let i = 1; i < newest.length; i += 1) expect(newest[i - 1]?.updatedAtMs).toBeGreaterThanOrEqual(newest[i]?.updatedAtMs ?? 0);
  });

  it('suggests names by prefix and by likeness, and counts facets', async () => {
    expect((await client.market.suggest.query({ q: 'wea' })).map((s) => s.name)).toEqual(['weather-data']);
    expect((await client.market.suggest.query({ q: 'oracel' })).map((s) => s.name)).toContain('price-oracle');
    const facets = await client.market.facets.query();
    expect(facets.kinds.find((k) => k.kind === 'blocklet')?.count).toBe(3);
    expect(facets.categories.find((c) => c.category === 'oracles')?.count).toBe(2);
    expect(facets.chains.find((c) => c.chain === 'ethereum')?.count).toBe(3);
  });

  it('offers the nearest names when nothing matches', async () => {
    const result = await client.market.search.query({ q: 'wheather dat' });
    if (result.total === 0) expect(result.didYouMean).toContain('weather-data');
    else expect(result.items.map((c) => c.name)).toContain('weather-data');
    const none = await client.market.search.query({ q: 'qqqqzzzz' });
    expect(none).toMatchObject({ total: 0, items: [], nextCursor: null });
  });

  it('refuses garbage with typed errors: NUL bytes, a huge query, a tampered cursor, deep JSON', async () => {
    expect(await appError(client.market.search.query({ q: 'a\u0000b' }))).toMatchObject({ appCode: 'BAD_INPUT', trpcCode: 'BAD_REQUEST' });
    const huge = await fetch(`${node.url}/trpc/market.search`, {
      method: 'GET',
      headers: { 'content-type': 'application/json' },
    }).then(() =>
      appError(client.market.search.query({ q: 'x'.repeat(10 * 1024 * 1024) })).catch((error: unknown) => ({ network: String(error) })),
    );
    // The node refuses a 10 MB query before a service sees it (zod's bound, or the HTTP server's).
    expect(JSON.stringify(huge)).toMatch(/BAD_INPUT|BAD_REQUEST|TOO_LARGE|413|431|network/);
    const page = await client.market.search.query({ limit: 1 });
    const tampered = `${page.nextCursor?.slice(0, -3)}AAA`;
    const refused = await appError(client.market.search.query({ limit: 1, cursor: tampered }));
    expect(refused).toMatchObject({ appCode: 'BAD_INPUT', trpcCode: 'BAD_REQUEST' });
    expect(refused.message).toMatch(/cursor/);
    const forged = Buffer.from(JSON.stringify({ s: 'rank', k: 'NaN', n: 'x' })).toString('base64url');
    expect(await appError(client.market.search.query({ cursor: forged }))).toMatchObject({ appCode: 'BAD_INPUT' });
    const fractional = Buffer.from(JSON.stringify({ s: 'used', k: 1.5, n: 'x' })).toString('base64url');
    expect(await appError(client.market.search.query({ sort: 'used', cursor: fractional }))).toMatchObject({ appCode: 'BAD_INPUT' });
    const other = Buffer.from(JSON.stringify({ s: 'newest', k: 1, n: 'x' })).toString('base64url');
    expect((await appError(client.market.search.query({ sort: 'rank', cursor: other }))).message).toMatch(/newest/);
    const deep = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
    const response = await fetch(`${node.url}/trpc/market.search?input=${encodeURIComponent(deep(400))}`);
    expect(response.status).toBe(400);
    const deepPost = await fetch(`${node.url}/trpc/market.putText`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: deep(20_000),
    });
    expect(deepPost.status).toBe(400);
    const hugeResponse = await fetch(`${node.url}/trpc/market.putText`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'x'.repeat(1024 * 1024), purpose: 'readme' }),
    });
    expect([400, 413]).toContain(hugeResponse.status);
  });

  it('stores texts by hash once, bounded per purpose, never with NUL bytes', async () => {
    const text = 'Works well, five stars.';
    const first = await client.market.putText.mutate({ text, purpose: 'review' });
    expect(first).toEqual({ hash: sha(text), bytes: Buffer.byteLength(text) });
    expect(await client.market.putText.mutate({ text, purpose: 'review' })).toEqual(first);
    const rows = await node.db.query<{ n: number }>('SELECT count(*)::int AS n FROM market_texts WHERE hash = $1', [first.hash]);
    expect(rows[0]?.n).toBe(1);
    const long = await appError(client.market.putText.mutate({ text: 'é'.repeat(3000), purpose: 'review' }));
    expect(long).toMatchObject({ appCode: 'BAD_INPUT' });
    expect(long.message).toMatch(/6000 bytes; at most 4096/);
    expect(await appError(client.market.putText.mutate({ text: 'a\u0000', purpose: 'reply' }))).toMatchObject({ appCode: 'BAD_INPUT' });
  });

  it('rewrites only the ranks that changed, and stamps when every rank was computed', async () => {
    const market = node.services.market;
    if (!market) throw new Error('the node has no market');
    const now = Date.now();
    expect((await market.recompute(now)).components).toBe(LISTINGS.length);
    expect((await market.recompute(now)).written).toBe(0);
    // 400 days on, every component's recency part has fallen: every row is written.
    expect((await market.recompute(now + 400 * 86_400_000)).written).toBe(LISTINGS.length);
    expect((await client.market.component.query({ name: 'kv-cache' })).rank.computedAtMs).toBe(now + 400 * 86_400_000);
    await market.recompute(now);
    expect((await client.market.component.query({ name: 'kv-cache' })).rank.computedAtMs).toBe(now);
  });

  it("leaves every rank alone through the idle chain's heartbeat blocks (no market transaction, no recompute)", async () => {
    const market = node.services.market;
    if (!market) throw new Error('the node has no market');
    // The recompute the last market transactions scheduled (debounced) runs first.
    await new Promise((resolve) => setTimeout(resolve, MARKET_INDEX_LIMITS.rankDebounceMs + 500));
    await market.recomputeIdle();
    // Stamped with a time no clock gives, so any recompute after it shows.
    const stamp = Date.now() - 123_457;
    await market.recompute(stamp);
    const from = node.services.ledger.head.height;
    await new Promise((resolve) => setTimeout(resolve, MARKET_INDEX_LIMITS.rankDebounceMs + 1_500));
    await market.recomputeIdle();
    expect(node.services.ledger.head.height - from).toBeGreaterThanOrEqual(5);
    expect((await client.market.component.query({ name: 'kv-cache' })).rank.computedAtMs).toBe(stamp);
  }, 30_000);

  it('serves a component page: README, versions, zero-filled usage, rank with its position', async () => {
    const page = await client.market.component.query({ name: 'weather-data' });
    expect(page.readme).toContain('hail');
    expect(page.versions.map((v) => v.version)).toEqual(['1.0.0']);
    expect(page.versions[0]?.txHash).toMatch(/^[0-9a-f]{64}$/);
    expect(page.usage30d).toHaveLength(30);
    expect(page.usage30d.every((d) => d.calls === 0)).toBe(true);
    expect(page.ratingDistribution).toEqual([0, 0, 0, 0, 0]);
    expect(page.rank.position).toBeGreaterThanOrEqual(1);
    expect(page.rank.of).toBe(LISTINGS.length);
    expect(page.rank.parts.map((p) => p.part)).toContain('rating');
    expect(page.installable).toBe(false); // no bundle
    expect((await client.market.component.query({ name: 'ethereum-adapter' })).configSnippet).toContain('ethereum');
    expect(await appError(client.market.component.query({ name: 'no-such-thing' }))).toMatchObject({ appCode: 'NOT_FOUND' });
    const dev = await client.market.developer.query({ did: page.owner });
    expect(dev.components).toHaveLength(LISTINGS.length);
    // The developer's stake is the bond behind its names (it staked one publish stake per listing).
    expect(dev.stake).toBe((BigInt(LISTINGS.length) * (await publishStakeOf(client))).toString());
  });
});
