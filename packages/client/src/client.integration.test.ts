import { startTestNode, type TestNode } from '@arc/node/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAmount } from './amount.ts';
import { type ArcClient, createClient } from './client.ts';
import { ClientError } from './errors.ts';
import { Wallet } from './wallet.ts';

/** A real node on a fresh PGlite database, producing blocks quickly so commits come fast. */
let node: TestNode;
let client: ArcClient;
let funded: Wallet;

beforeAll(async () => {
  node = await startTestNode({ blockIntervalMs: 250 });
  client = createClient({ url: node.url });
  funded = Wallet.fromSecretKey(node.funded.secretKey);
}, 60_000);

afterAll(async () => {
  await node?.stop();
});

/** A fetch to the real node that lets a test rewrite one procedure's answer on the way back. */
function tamperingFetch(path: string, change: (data: Record<string, unknown>) => void): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    const url = new URL(String(input));
    const paths = decodeURIComponent(url.pathname.split('/trpc/')[1] ?? '').split(',');
    if (!paths.includes(path)) return response;
    const body = (await response.json()) as { result?: { data: Record<string, unknown> } }[];
    paths.forEach((p, i) => {
      const data = body[i]?.result?.data;
      if (p === path && data) change(data);
    });
    return new Response(JSON.stringify(body), { status: response.status, headers: response.headers });
  };
}

async function errorOf(promise: Promise<unknown>): Promise<ClientError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof ClientError)) throw new Error(`expected a ClientError, got ${String(error)}`);
  return error;
}

describe('ArcClient against a node', () => {
  it('reads the chain info the node was started with', async () => {
    const info = await client.chainInfo();
    expect(info.chainId).toBe(node.chainId);
    expect(info.nativeToken.decimals).toBe(18);
  });

  it('transfers ABT, waits for the commit, and reads the new balance with a verified proof', async () => {
    const bob = Wallet.generate();
    const amount = parseAmount('1.5', 18);
    const result = await client.transfer({ wallet: funded, to: bob.did, amount, memo: 'hello bob' });
    expect(result.status).toBe('committed');
    expect(result.height).toBeGreaterThan(0);
    const account = await client.getAccount(bob.did);
    expect(account).toMatchObject({ exists: true, balance: amount });
    expect(account.proof.height).toBeGreaterThanOrEqual(result.height as number);
    const status = await client.getTx(result.hash);
    expect(status).toMatchObject({ status: 'committed', height: result.height });
    expect(status.tx?.itx).toMatchObject({ to: bob.did, amount: amount.toString(), memo: 'hello bob' });
  });

  it('proves that an unknown account does not exist', async () => {
    const account = await client.getAccount(Wallet.generate().did);
    expect(account).toMatchObject({ exists: false, balance: 0n, nonce: 0 });
  });

  it('rejects a tampered balance, sibling or proven value with PROOF_INVALID', async () => {
    const tampered = [
      (d: Record<string, unknown>) => (d.balance = '1'),
      (d: Record<string, unknown>) => {
        const proof = d.proof as { siblings: string[] };
        proof.siblings[0] = 'ff'.repeat(32);
      },
      (d: Record<string, unknown>) => {
        const proof = d.proof as { stateRoot: string };
        proof.stateRoot = '00'.repeat(32);
      },
    ];
    for (const change of tampered) {
      const lying = createClient({ url: node.url, fetch: tamperingFetch('account.get', change) });
      expect((await errorOf(lying.getAccount(funded.did))).code).toBe('PROOF_INVALID');
    }
  });

  it('reports a reused nonce as NONCE_TOO_LOW', async () => {
    const bob = Wallet.generate();
    await client.transfer({ wallet: funded, to: bob.did, amount: 1n });
    const error = await errorOf(client.transfer({ wallet: funded, to: bob.did, amount: 2n, nonce: 1 }));
    expect(error.code).toBe('NONCE_TOO_LOW');
    expect(error.retriable).toBe(false);
  });

  it("lets an application that granted a fee allowance pay a sender's fee", async () => {
    const sender = Wallet.generate();
    await client.transfer({ wallet: funded, to: sender.did, amount: 10n });
    const receiver = Wallet.generate();
    const paid = () => client.transfer({ wallet: sender, to: receiver.did, amount: 10n, feePayer: funded });
    expect((await errorOf(paid())).code).toBe('GRANT_NOT_FOUND');
    const { minFee } = (await client.chainInfo()).params;
    await client.delegate({ wallet: funded, grantee: sender.did, allowance: minFee * 10n, expiresAtMs: Date.now() + 3_600_000 });
    const result = await paid();
    expect(result.tx.feePayer?.did).toBe(funded.did);
    expect((await client.getAccount(sender.did)).balance).toBe(0n);
    expect((await client.getAccount(receiver.did)).balance).toBe(10n);
  });

  it('creates a token, moves some of it, and shows token balances', async () => {
    const owner = Wallet.generate();
    await client.claimFaucet(owner.did);
    const symbol = `T${Date.now().toString(36).toUpperCase()}`.slice(0, 16);
    const created = await client.createToken({
      wallet: owner,
      symbol,
      name: 'Test token',
      decimals: 6,
      totalSupply: parseAmount('1000', 6),
    });
    const friend = Wallet.generate();
    await client.transfer({ wallet: owner, to: friend.did, tokens: [{ token: created.address, amount: parseAmount('2.5', 6) }] });
    const token = await client.getToken({ symbol });
    expect(token).toMatchObject({ address: created.address, decimals: 6, totalSupply: 1_000_000_000n });
    expect((await client.getAccount(friend.did)).tokens).toEqual([{ address: created.address, symbol, decimals: 6, amount: 2_500_000n }]);
  });

  it('creates an asset at the address the client predicts', async () => {
    const owner = Wallet.generate();
    await client.claimFaucet(owner.did);
    const created = await client.createAsset({ wallet: owner, moniker: 'ticket', data: 'seat 12', transferable: false });
    const asset = await client.getAsset(created.address);
    expect(asset).toMatchObject({ owner: owner.did, moniker: 'ticket', transferable: false, data: Buffer.from('seat 12').toString('hex') });
  });

  it("throws the ledger's code when a committed block rejects the transaction or the node refuses it", async () => {
    const poor = Wallet.generate();
    const error = await errorOf(client.transfer({ wallet: poor, to: funded.did, amount: 1n }));
    expect(['INSUFFICIENT_FUNDS', 'UNKNOWN_ACCOUNT']).toContain(error.code);
  });
});
