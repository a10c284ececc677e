import { mockSigner } from '@arc/adapters';
import { type AnvilInstance, type RegtestNode, startAnvil, startRegtestChain } from '@arc/adapters/testing';
import { ethers } from 'ethers';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devKey } from '../src/config/dev-keys.ts';
import { EventsIn, QueryIn, SendIn } from '../src/ocap/api-schemas.ts';
import { MOCK_DEV_BALANCE } from '../src/ocap/service.ts';
import { startTestNode, type TestNode } from '../src/testing.ts';
import { appError, type NodeClient, nodeClient } from './helpers/client.ts';
import { randomSigner } from './helpers/wallet.ts';

/**
 * The node's OCAP surface end to end: chains from config (our ledger, the mock, Ethereum on a real anvil, an
 * unreachable endpoint), reads, relayed sends with idempotency keys kept in the database, event pages resumed
 * from checkpoints, and garbage inputs.
 */
describe('OCAP through the node', () => {
  let anvil: AnvilInstance;
  let regtest: RegtestNode;
  let node: TestNode;
  let client: NodeClient;

  beforeAll(async () => {
    anvil = await startAnvil();
    regtest = await startRegtestChain();
    node = await startTestNode({
      blockIntervalMs: 200,
      ocapChains: [
        { name: 'arc', adapter: 'native' },
        { name: 'mock', adapter: 'mock', blockTimeMs: 200, balances: {} },
        { name: 'ethereum', adapter: 'ethereum', rpcUrl: anvil.rpcUrl, chainId: anvil.chainId },
        { name: 'bitcoin', adapter: 'bitcoin', rpcUrl: regtest.rpcUrl, network: 'regtest', user: regtest.user, password: regtest.password },
        { name: 'gone', adapter: 'ethereum', rpcUrl: 'http://127.0.0.1:9' },
      ],
    });
    client = nodeClient(node.url);
  }, 120_000);

  afterAll(async () => {
    await node?.stop();
    await anvil?.stop();
    await regtest?.stop();
  });

  it('lists its chains with capabilities, an unreachable one as unavailable', async () => {
    const chains = await client.ocap.chains.query();
    expect(chains.map((c) => c.name)).toEqual(['arc', 'mock', 'ethereum', 'bitcoin', 'gone']);
    const byName = Object.fromEntries(chains.map((c) => [c.name, c]));
    expect(byName.arc).toMatchObject({
      status: 'ok',
      adapter: 'native',
      info: { chainId: `arc:${node.chainId}` },
      capabilities: { reorgs: false },
    });
    expect(byName.mock).toMatchObject({ status: 'ok', info: { chainId: 'mock:mock' } });
    // On a dev chain the mock starts with the dev accounts funded (same seeds as the ledger's).
    const alice = mockSigner(devKey('alice').secretKey).address;
    const mock = await client.ocap.query.query({ chain: 'mock', method: 'getBalance', address: alice });
    expect(mock.result).toEqual({ balance: MOCK_DEV_BALANCE.toString() });
    expect(byName.ethereum).toMatchObject({
      status: 'ok',
      info: { chainId: 'eip155:31337', nativeSymbol: 'ETH' },
      capabilities: { tokens: 'native' },
    });
    expect(byName.bitcoin).toMatchObject({
      status: 'ok',
      info: { chainId: 'bip122:0f9188f13cb7b2c71f2a335e3a4fc328' },
      capabilities: { tokens: false },
    });
    expect(byName.gone).toMatchObject({ status: 'unavailable', info: null });
    expect(byName.gone?.error).toMatch(/./);
  });

  it('answers reads on each chain in the chain’s own terms', async () => {
    const account = await client.account.get.query({ did: node.funded.did });
    const arc = await client.ocap.query.query({ chain: 'arc', method: 'getBalance', address: node.funded.did });
    expect(arc.result).toEqual({ balance: account.balance });
    const anvilAddress = new ethers.Wallet(anvil.accounts[9] as string).address;
    const eth = await client.ocap.query.query({ chain: 'ethereum', method: 'getBalance', address: anvilAddress });
    expect(eth.result).toEqual({ balance: (10_000n * 10n ** 18n).toString() });
    const block = await client.ocap.query.query({ chain: 'ethereum', method: 'getBlock', height: 0 });
    expect(block.result).toMatchObject({ height: 0 });
    const id = await client.ocap.query.query({ chain: 'arc', method: 'accountId', address: node.funded.did });
    expect(id.result).toEqual({ accountId: `arc:${node.chainId}:${node.funded.did.slice('did:abt:'.length)}` });
  });

  it('refuses with typed errors: unknown chain, bad address, unknown tx, unreachable chain', async () => {
    expect(await appError(client.ocap.query.query({ chain: 'nope', method: 'getLatestBlock' }))).toMatchObject({ appCode: 'NOT_FOUND' });
    expect(await appError(client.ocap.query.query({ chain: 'ethereum', method: 'getBalance', address: 'did:abt:zz' }))).toMatchObject({
      appCode: 'INVALID_ADDRESS',
      retriable: false,
    });
    expect(
      await appError(client.ocap.query.query({ chain: 'ethereum', method: 'getTransaction', hash: `0x${'ab'.repeat(32)}` })),
    ).toMatchObject({
      appCode: 'NOT_FOUND',
    });
    expect(await appError(client.ocap.query.query({ chain: 'gone', method: 'getLatestBlock' }))).toMatchObject({
      appCode: 'UNAVAILABLE',
      retriable: true,
    });
    expect(await appError(client.ocap.query.query({ chain: 'bitcoin', method: 'getTokenInfo', token: 'x' }))).toMatchObject({
      appCode: 'ADAPTER_UNSUPPORTED',
      trpcCode: 'METHOD_NOT_SUPPORTED',
    });
    const btc = await client.ocap.query.query({ chain: 'bitcoin', method: 'getBalance', address: regtest.richAddress });
    expect(BigInt((btc.result as { balance: string }).balance)).toBeGreaterThan(0n);
  });

  it('relays a signed Ethereum transaction once per idempotency key, keeping the key in the database', async () => {
    const wallet = new ethers.Wallet(
      anvil.accounts[8] as string,
      new ethers.JsonRpcProvider(anvil.rpcUrl, anvil.chainId, { staticNetwork: true }),
    );
    const to = ethers.Wallet.createRandom().address;
    const nonce = await wallet.getNonce('pending');
    const sign = (value: bigint) =>
      wallet.signTransaction({
        to,
        value,
        nonce,
        chainId: anvil.chainId,
        gasLimit: 21_000n,
        maxFeePerGas: 10n ** 10n,
        maxPriorityFeePerGas: 1n,
        type: 2,
      });
    const rawTx = await sign(10n ** 15n);
    const first = await client.ocap.send.mutate({ chain: 'ethereum', rawTx, idempotencyKey: 'pay-1' });
    expect(first.hash).toBe(ethers.Transaction.from(rawTx).hash);
    expect(first.from).toBe(wallet.address);
    expect(await client.ocap.send.mutate({ chain: 'ethereum', rawTx, idempotencyKey: 'pay-1' })).toEqual(first);
    const conflict = await appError(client.ocap.send.mutate({ chain: 'ethereum', rawTx: await sign(2n), idempotencyKey: 'pay-1' }));
    expect(conflict).toMatchObject({ appCode: 'IDEMPOTENCY_CONFLICT', trpcCode: 'CONFLICT' });
    const rows = await node.db.query<{ key: string }>('SELECT key FROM ocap_sends');
    expect(rows.map((r) => r.key)).toEqual([expect.stringContaining('pay-1')]);
    // anvil mines right after accepting; under load the receipt can take a moment.
    let tx = await client.ocap.query.query({ chain: 'ethereum', method: 'getTransaction', hash: first.hash });
    for (let i = 0; i < 100 && (tx.result as { status: string }).status === 'pending'; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      tx = await client.ocap.query.query({ chain: 'ethereum', method: 'getTransaction', hash: first.hash });
    }
    expect(tx.result).toMatchObject({ status: 'success', to, value: (10n ** 15n).toString() });
  });

  it('pages our ledger’s events and resumes from the checkpoint with no gap or duplicate', async () => {
    const receiver = randomSigner().did;
    const fromHeight = (await client.chain.info.query()).height + 1;
    const hashes: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const claim = await client.faucet.claim.mutate({ did: receiver, idempotencyKey: `events-${receiver}-${i}` });
      hashes.push(claim.hash);
      await client.tx.wait.query({ hash: claim.hash, timeoutMs: 10_000 });
    }
    const filter = { addresses: [receiver], kinds: ['transfer' as const] };
    const first = await client.ocap.events.query({ chain: 'arc', fromHeight, filter, limit: 2, waitMs: 5000 });
    expect(first.events.map((e) => e.txHash)).toEqual(hashes.slice(0, 2));
    const second = await client.ocap.events.query({ chain: 'arc', checkpoint: first.checkpoint as never, filter, limit: 10, waitMs: 3000 });
    expect(second.events.map((e) => e.txHash)).toEqual(hashes.slice(2));
    expect(second.events[0]).toMatchObject({ kind: 'transfer', to: receiver, removed: false });
  });

  it('answers garbage with BAD_INPUT and keeps serving', async () => {
    const procedures = [
      { schema: QueryIn, call: (input: unknown) => client.ocap.query.query(input as never) },
      { schema: SendIn, call: (input: unknown) => client.ocap.send.mutate(input as never) },
      { schema: EventsIn, call: (input: unknown) => client.ocap.events.query(input as never) },
    ];
    const chain = fc.constantFrom('arc', 'mock', 'ethereum', 'nope');
    const garbage = fc.oneof(
      fc.anything(),
      fc.record({ chain, method: fc.string() }),
      fc.record({ chain, method: fc.constant('getBlock'), height: fc.anything(), hash: fc.anything() }),
      fc.record({ chain, rawTx: fc.string(), idempotencyKey: fc.anything() }),
      fc.record({ chain, fromHeight: fc.anything(), limit: fc.anything(), filter: fc.anything() }),
    );
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 2 }), garbage, async (which, input) => {
        const procedure = procedures[which] as (typeof procedures)[number];
        if (procedure.schema.safeParse(input).success) return;
        const refused = await appError(procedure.call({ ...(input as object), waitMs: 0 }));
        expect(refused.appCode).toBe('BAD_INPUT');
      }),
      { numRuns: 80 },
    );
    expect(
      await appError(
        client.ocap.events.query({ chain: 'arc', checkpoint: { v: 1, height: 5, hash: 'x', position: 'p', recent: [] } } as never),
      ),
    ).toMatchObject({ appCode: expect.stringMatching(/BAD_INPUT|CHECKPOINT_INVALID/) });
    expect((await client.ocap.chains.query()).length).toBe(5);
  });
});
