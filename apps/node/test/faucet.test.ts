import { afterAll, describe, expect, it } from 'vitest';
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
