import { tokenAddress } from '@arc/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devKey } from '../src/config/dev-keys.ts';
import { startTestNode, type TestNode } from '../src/testing.ts';
import { deploySource } from './helpers/blocklets.ts';
import { type NodeClient, nodeClient } from './helpers/client.ts';
import { ABT, fundedWallet, transfer, type Wallet, Wallet as WalletClass } from './helpers/wallet.ts';

/**
 * Application tokens for in-app payments: a blocklet issues a capped token, mints it to its users as they earn it,
 * a user spends (burns) some; the token's page shows its policy and supply; minting past the cap is refused.
 */

const SYMBOL = 'GEMS';
const CAP = 1_000n;
const SHOP = `
export default {
  async fetch(request, ctx) {
    const q = request.query;
    if (q.do === 'issue') return { body: await ctx.ledger.submit({ type: 'issueToken', symbol: '${SYMBOL}', name: 'Shop gems', decimals: 0, policy: 'capped', cap: '${CAP}' }) };
    if (q.do === 'reward') return { body: await ctx.ledger.submit({ type: 'mintToken', token: q.token, to: q.to, amount: q.amount }) };
    return { body: 'shop' };
  },
};
`;

describe('application tokens used by a blocklet', () => {
  let node: TestNode;
  let client: NodeClient;
  let owner: Wallet;
  beforeAll(async () => {
    node = await startTestNode({ blockIntervalMs: 100 });
    client = nodeClient(node.url);
    const faucet = new WalletClass(client, node.chainId, devKey('faucet'));
    owner = await fundedWallet(faucet, 10n * ABT);
    const manifest = `name: gem-shop\nversion: 1.0.0\ntitle: Gem shop\nauthor: ${owner.did}\ninterfaces: { http: [{ path: /, methods: [GET] }] }\npermissions: { ledger: { submit: true } }\n`;
    await deploySource(client, owner, manifest, { 'index.js': SHOP });
    const { did } = await client.blocklet.get.query({ name: 'gem-shop' });
    await client.tx.wait.query({ hash: (await faucet.send(transfer(did, ABT))).hash, timeoutMs: 10_000 });
  });
  afterAll(async () => {
    await node?.stop();
  });

  const call = async (query: string) => {
    const res = await fetch(`${node.url}/b/gem-shop/?${query}`);
    const sent = (await res.json()) as { hash: string };
    return client.tx.wait.query({ hash: sent.hash, timeoutMs: 10_000 });
  };

  it('issues a capped token, mints it to users within the cap, and a user burns what it spends', async () => {
    expect(await call('do=issue')).toMatchObject({ status: 'committed' });
    const token = tokenAddress(SYMBOL);
    const user = await fundedWallet(new WalletClass(client, node.chainId, devKey('faucet')), ABT);
    expect(await call(`do=reward&token=${token}&to=${user.did}&amount=600`)).toMatchObject({ status: 'committed' });
    const page = await client.token.get.query({ address: token });
    expect(page).toMatchObject({ symbol: SYMBOL, policy: 'capped', cap: CAP.toString(), totalSupply: '600' });

    // Past the cap: the ledger refuses the blocklet's mint in its block (it fails there, paying its fee), saying how
    // much is left.
    const over = await call(`do=reward&token=${token}&to=${user.did}&amount=500`);
    expect(over).toMatchObject({ status: 'failed', error: { code: 'TOKEN_CAP_EXCEEDED' } });
    expect(over.height).toBeGreaterThan(0);
    expect(over.error?.message).toMatch(/400 can still be minted/);

    await user.commit({ type: 'burnToken', token, amount: 250n });
    expect(await client.token.get.query({ address: token })).toMatchObject({ totalSupply: '350' });
    // Only the owner mints: anyone else's mint fails in its block (paying its fee).
    const stolen = await user.send({ type: 'mintToken', token, to: user.did, amount: 1n });
    expect(await client.tx.wait.query({ hash: stolen.hash, timeoutMs: 20_000 })).toMatchObject({
      status: 'failed',
      error: { code: 'NOT_TOKEN_OWNER' },
    });
    expect(await client.token.get.query({ address: token })).toMatchObject({ totalSupply: '350' });
  }, 60_000);
});
