import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { encodeForSponsor } from '@arc/client';
import {
  didFromPublicKey,
  type Itx,
  keyPairFromSeed,
  openApplicationDigest,
  signAdmin,
  signMessage,
  toHex,
  txSigningBytes,
  type UnsignedTx,
} from '@arc/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devKey } from '../src/config/dev-keys.ts';
import { startTestNode, type TestNode } from '../src/testing.ts';
import { COMPONENTS_DIR, deployFolder } from './helpers/blocklets.ts';
import { type NodeClient, nodeClient } from './helpers/client.ts';
import { ABT, fundedWallet, MIN_FEE, randomSigner, type Signer, Wallet, waitCommitted } from './helpers/wallet.ts';

/**
 * The fee-relayer component: an application's users send transactions they signed naming the application as fee
 * payer; the blocklet co-signs them with the application's key (held by the node as a secure variable) and sends them
 * to the ledger, within the application's policy. Users with no ABT at all transact; the fees accrue to the bill.
 */

let node: TestNode;
let client: NodeClient;
let owner: Wallet;
let app: Signer;
let appSeed: Uint8Array;

// biome-ignore lint/suspicious/noExplicitAny: the relayer's JSON answers, read field by field
async function relayer(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${node.url}/b/fee-relayer${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  return { status: response.status, body: await response.json() };
}

async function setEnv(key: string, value: string, secure: boolean) {
  const set = { key, value, secure };
  await client.blocklet.setEnv.mutate({
    name: 'fee-relayer',
    ...set,
    auth: signAdmin(owner.signer, 'setEnv', 'fee-relayer', set, Date.now()),
  });
}

/** A transaction `user` signed, naming `payer` as fee payer, as a relayer takes it (0x hex). */
function senderSigned(user: Signer, nonce: number, itx: Itx, payer: Signer = app, fee = MIN_FEE): string {
  const unsigned: UnsignedTx = {
    chainId: node.chainId,
    from: user.did,
    publicKey: user.publicKey,
    nonce,
    fee,
    feePayer: { did: payer.did, publicKey: payer.publicKey },
    itx,
  };
  const signature = signMessage(user.secretKey, txSigningBytes(unsigned));
  return `0x${toHex(encodeForSponsor({ ...unsigned, signature }))}`;
}

const asset = (moniker: string): Itx => ({ type: 'createAsset', moniker, data: new Uint8Array(), transferable: true, readonly: false });

beforeAll(async () => {
  node = await startTestNode({ blockIntervalMs: 200 });
  client = nodeClient(node.url);
  owner = await fundedWallet(new Wallet(client, node.chainId, devKey('faucet')), 20n * ABT);
  appSeed = new Uint8Array(randomBytes(32));
  const key = keyPairFromSeed(appSeed);
  app = { ...key, did: didFromPublicKey(key.publicKey) };
  const applicationSignature = signMessage(app.secretKey, openApplicationDigest(node.chainId, app.did, owner.did));
  await owner.commit({ type: 'openApplication', application: app.did, applicationKey: app.publicKey, applicationSignature, deposit: ABT });
  await deployFolder(client, owner, join(COMPONENTS_DIR, 'fee-relayer'));
  await setEnv('APP_KEY', toHex(appSeed), true);
  await setEnv('PER_SENDER_PER_MINUTE', '2', false);
}, 90_000);

afterAll(async () => {
  await node?.stop();
});

describe('fee-relayer', () => {
  it('names the application as the fee payer to put in transactions, and its policy', async () => {
    const identity = await relayer('GET', '/identity');
    expect(identity).toMatchObject({
      status: 200,
      body: { feePayer: { did: app.did, publicKey: `0x${toHex(app.publicKey)}` }, policy: { perSenderPerMinute: 2 } },
    });
    expect(identity.body.policy.allowedTypes).toContain('createAsset');
  });

  it('lets a user with no ABT declare an account and create an asset; the fees accrue to the application', async () => {
    const user = randomSigner();
    const before = await client.economy.billing.query({ did: app.did });
    const declared = await relayer('POST', '/sponsor', { tx: senderSigned(user, 1, { type: 'declareAccount', moniker: 'no-abt user' }) });
    expect(declared).toMatchObject({ status: 200, body: { from: user.did, nonce: 1, type: 'declareAccount' } });
    await waitCommitted(client, declared.body.hash);
    const created = await relayer('POST', '/sponsor', { tx: senderSigned(user, 2, asset('paid by the app')) });
    expect(created.status).toBe(200);
    await waitCommitted(client, created.body.hash);

    const account = await client.account.get.query({ did: user.did });
    expect(account).toMatchObject({ nonce: 2, balance: '0' });
    const after = await client.economy.billing.query({ did: app.did });
    expect(BigInt(after.feesOwed) - BigInt(before.feesOwed)).toBe(2n * MIN_FEE);
    const tx = await client.tx.byHash.query({ hash: created.body.hash });
    expect(tx).toMatchObject({ status: 'committed' });

    // The policy's third transaction of this sender within the minute is refused, and nothing is sent.
    const third = await relayer('POST', '/sponsor', { tx: senderSigned(user, 3, asset('one too many')) });
    expect(third.status).toBe(429);
    expect(third.body.error).toMatch(/2 transactions per sender per minute/);
  });

  it('refuses what it must not pay for, each with a sentence: another payer, a forged sender, a type or fee outside the policy, garbage', async () => {
    const user = randomSigner();
    const other = randomSigner();
    const elsewhere = await relayer('POST', '/sponsor', { tx: senderSigned(user, 1, asset('x'), other) });
    expect(elsewhere.status).toBe(403);
    expect(elsewhere.body.error).toMatch(`names fee payer ${other.did}`);

    const forged = senderSigned(user, 1, asset('x'));
    // The last byte of the encoding lies inside the sender's signature (the zeroed payer signature comes before it).
    const flipped = `${forged.slice(0, -2)}${((Number.parseInt(forged.slice(-2), 16) ^ 1) & 0xff).toString(16).padStart(2, '0')}`;
    const refusedForged = await relayer('POST', '/sponsor', { tx: flipped });
    expect(refusedForged).toMatchObject({ status: 400, body: { error: expect.stringMatching(/sender's signature does not verify/) } });

    const token = await relayer('POST', '/sponsor', {
      tx: senderSigned(user, 1, { type: 'createToken', symbol: 'NOPE', name: 'No', decimals: 0, totalSupply: 1n }),
    });
    expect(token).toMatchObject({ status: 403 });
    expect(token.body.error).toMatch(/pays for .*createAsset.*, not createToken/);

    const greedy = await relayer('POST', '/sponsor', { tx: senderSigned(user, 1, asset('x'), app, 10n ** 17n) });
    expect(greedy.status).toBe(403);
    expect(greedy.body.error).toMatch(/pays fees up to/);

    expect((await relayer('POST', '/sponsor', { tx: '0x00ff' })).body.error).toMatch(/does not decode/);
    expect((await relayer('POST', '/sponsor', { tx: 42 })).body.error).toMatch(/0x hex/);
    expect((await relayer('POST', '/sponsor', 'not json')).status).toBe(400);
    expect((await relayer('POST', '/sponsor', { tx: `0x${'00'.repeat(20_000)}` })).status).toBe(400);
    // None of them reached the ledger: the user's account does not exist.
    expect((await client.account.get.query({ did: user.did })).nonce).toBe(0);
  });
});
