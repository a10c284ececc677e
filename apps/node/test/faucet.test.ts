import { afterAll, describe, expect, it } from 'vitest';
import { waitForTx } from '../src/ledger/status.ts';
import { startTestNode, type TestNode, testGenesis } from '../src/testing.ts';
import { appError, nodeClient } from './helpers/client.ts';
import { randomSigner } from './helpers/wallet.ts';

const nodes: TestNode[] = [];
afterAll(async () => {
  for (const node of nodes) await node.stop();
});

describe('the dev faucet', () => {
  it('makes a DID wait for the interval between two claims, saying how long', async () => {
    const node = await startTestNode({ faucet: { amount: 5n * 10n ** 18n, intervalMs: 3_600_000 } });
    nodes.push(node);
    const client = nodeClient(node.url);
    const did = randomSigner().did;
    await client.faucet.claim.mutate({ did });
    const refused = await appError(client.faucet.claim.mutate({ did }));
    expect(refused).toMatchObject({ appCode: 'RATE_LIMITED', retriable: true, trpcCode: 'TOO_MANY_REQUESTS' });
    expect(refused.message).toMatch(/try again in \d+ s/);
    // Another DID is not held back by the first one's claim.
    await expect(client.faucet.claim.mutate({ did: randomSigner().did })).resolves.toMatchObject({ amount: (5n * 10n ** 18n).toString() });
  });

  it('gives the right nonce to a claim whose read of the faucet account straddles a block commit', async () => {
    const node = await startTestNode({ faucet: { amount: 10n ** 18n, intervalMs: 3_600_000 } });
    nodes.push(node);
    const { ledger, faucet, queries } = node.services;
    const faucetDid = node.funded.did;
    // The producer waits at a gate, so the first claim stays in the mempool.
    const pacing = (ledger as unknown as { pacing: { gather(): Promise<void> } }).pacing;
    const gather = pacing.gather.bind(pacing);
    let open!: () => void;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    pacing.gather = async () => {
      await gate;
      return gather();
    };
    const first = await faucet.claim(randomSigner().did, undefined);
    expect(ledger.mempool.get(first.hash)).toBeDefined();
    // The second claim's read of the faucet account returns only after the block with the first claim committed:
    // the read says the nonce before that block, the mempool no longer holds the first claim. Counting across the
    // commit gives the first claim's nonce again (NONCE_TOO_LOW); the count must be taken at one state.
    const view = ledger.cache.view.bind(ledger.cache);
    let straddled = 0;
    ledger.cache.view = async (keys) => {
      const read = await view(keys);
      const faucetOnly = keys.accounts.size === 1 && keys.accounts.has(faucetDid);
      if (faucetOnly && straddled++ === 0) {
        const committed = new Promise<void>((resolve) => ledger.events.once('block', () => resolve()));
        open();
        await committed;
      }
      return read;
    };
    const did = randomSigner().did;
    const second = await faucet.claim(did, undefined);
    expect(straddled).toBeGreaterThan(1);
    ledger.cache.view = view;
    pacing.gather = gather;
    expect((await waitForTx(ledger, queries, second.hash, 20_000)).status).toBe('committed');
    expect((await queries.account(did)).balance).toBe((10n ** 18n).toString());
  });

  it('is off on a chain whose id does not say dev', async () => {
    const genesis = { ...(await testGenesis()), chainId: 'arc-main' };
    const node = await startTestNode({ genesis });
    nodes.push(node);
    const client = nodeClient(node.url);
    expect((await client.chain.info.query()).faucet.enabled).toBe(false);
    const refused = await appError(client.faucet.claim.mutate({ did: randomSigner().did }));
    expect(refused).toMatchObject({ appCode: 'FAUCET_DISABLED', retriable: false });
    expect(Number((await node.db.query<{ n: string }>('SELECT count(*) AS n FROM faucet_claims'))[0]?.n)).toBe(0);
  });
});
