import { ArcClient, buildTx, ClientError, encodeTxHex, transfer, Wallet } from '@arc/client';
import { assetAddress, fromHex, isOcapError, type OcapErrorCode, type OcapSigner, sha3, toHex, tokenAddress, utf8 } from '@arc/core';
import { startTestNode, type TestNode } from '@arc/node/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConformanceHarness, expectOcapError, runConformance, StreamReader } from '../conformance/index.ts';
import { createNativeAdapter, type NativeAdapter } from './adapter.ts';
import { ocapCodeOf, toOcapError } from './errors.ts';

/** Blocks come this often when idle (and at once when a transaction arrives). */
const BLOCK_INTERVAL_MS = 50;
const POLL_MS = 25;
const MINE_TIMEOUT_MS = 30_000;
const ABT = 10n ** 18n;
const TOKEN_SUPPLY = 1_000_000n * 10n ** 6n;

/** One node for the whole file: the conformance suite and the focused tests share it. */
let started: Promise<TestNode> | undefined;
const nodeOnce = () => {
  started ??= startTestNode({ blockIntervalMs: BLOCK_INTERVAL_MS, ocapChains: [] });
  return started;
};

afterAll(async () => {
  await (await started)?.stop();
}, 60_000);

/** Waits until the chain is `n` blocks higher (the node makes blocks on its own). */
async function waitForBlocks(client: ArcClient, n: number): Promise<void> {
  const target = (await client.chainInfo()).height + n;
  const deadline = Date.now() + MINE_TIMEOUT_MS;
  while ((await client.chainInfo()).height < target) {
    if (Date.now() > deadline) throw new Error(`the node made no ${n} blocks within ${MINE_TIMEOUT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const randomKey = () => crypto.getRandomValues(new Uint8Array(32));

/** A signer holding `amount` ABT, funded from `from` and committed. */
async function fundedSigner(adapter: NativeAdapter, from: OcapSigner, amount: bigint): Promise<OcapSigner> {
  const signer = adapter.signer(randomKey());
  const sent = await adapter.transfer(from, { to: signer.address, amount });
  await adapter.waitForTransaction(sent.hash, { confirmations: 1, timeoutMs: MINE_TIMEOUT_MS });
  return signer;
}

async function createHarness(): Promise<ConformanceHarness<NativeAdapter>> {
  const node = await nodeOnce();
  const client = new ArcClient({ url: node.url });
  const adapter = createNativeAdapter({ client }, { pollMs: POLL_MS });
  const funded = adapter.signer(fromHex(node.funded.secretKey));
  // The token belongs to a holder of its own, so the funded signer's nonces stay the adapter's alone.
  const holder = await fundedSigner(adapter, funded, 10n * ABT);
  const symbol = `OC${toHex(randomKey()).slice(0, 6).toUpperCase()}`;
  const token = await client.createToken({
    wallet: adapter.native.wallet(holder),
    symbol,
    name: 'Conformance token',
    decimals: 6,
    totalSupply: TOKEN_SUPPLY,
  });
  return {
    adapter,
    funded,
    transferAmount: 10n ** 15n,
    unknownTxHash: toHex(sha3(utf8('a transaction nobody sent'))),
    mine: (n) => waitForBlocks(client, n),
    token: { address: token.address, holder, amount: TOKEN_SUPPLY },
    mintAsset: async (owner) => {
      const created = await client.createAsset({
        wallet: adapter.native.wallet(owner),
        moniker: 'conformance asset',
        data: 'ipfs://conformance',
      });
      return created.address;
    },
  };
}

runConformance('native', createHarness, { pollMs: POLL_MS });

describe('native adapter: error mapping', () => {
  it('maps ledger, node and client codes onto OCAP codes', () => {
    const cases: [string, OcapErrorCode][] = [
      ['INSUFFICIENT_FUNDS', 'INSUFFICIENT_FUNDS'],
      ['NONCE_TOO_LOW', 'NONCE_TOO_LOW'],
      ['INVALID_DID', 'INVALID_ADDRESS'],
      ['NOT_FOUND', 'NOT_FOUND'],
      ['UNKNOWN_TOKEN', 'NOT_FOUND'],
      ['UNKNOWN_ASSET', 'NOT_FOUND'],
      ['ASSET_NOT_OWNED', 'FORBIDDEN'],
      ['MEMPOOL_FULL', 'UNAVAILABLE'],
      ['NETWORK', 'UNAVAILABLE'],
      ['FEE_TOO_LOW', 'FEE_TOO_LOW'],
      ['WRONG_CHAIN', 'INVALID_ARGUMENT'],
      ['PROOF_INVALID', 'INTERNAL'],
      ['SOMETHING_NEW', 'INTERNAL'],
    ];
    for (const [code, expected] of cases) expect(ocapCodeOf(code), code).toBe(expected);
  });

  it('reads an unknown sender as one without funds when sending, as not found otherwise', () => {
    expect(ocapCodeOf('UNKNOWN_ACCOUNT', 'send')).toBe('INSUFFICIENT_FUNDS');
    expect(ocapCodeOf('UNKNOWN_ACCOUNT', 'read')).toBe('NOT_FOUND');
  });

  it('keeps the original error as the cause and its retry flag from the OCAP code', () => {
    const original = new ClientError('MEMPOOL_FULL', 'the mempool holds 10000 transactions; try again shortly');
    const mapped = toOcapError(original, 'send', 'arc:arc-dev');
    expect(mapped).toMatchObject({ code: 'UNAVAILABLE', retriable: true, chainId: 'arc:arc-dev', cause: original });
    expect(mapped.message).toContain('mempool');
  });
});

describe('native adapter against a node', () => {
  let node: TestNode;
  let client: ArcClient;
  let adapter: NativeAdapter;
  let funded: OcapSigner;

  beforeAll(async () => {
    node = await nodeOnce();
    client = new ArcClient({ url: node.url });
    adapter = createNativeAdapter({ client }, { pollMs: POLL_MS });
    funded = adapter.signer(fromHex(node.funded.secretKey));
  }, 60_000);

  afterAll(async () => {
    await adapter?.close();
  });

  it('names accounts with CAIP-10 ids of the DID', async () => {
    const info = await adapter.info();
    expect(info.chainId).toBe(`arc:${node.chainId}`);
    expect(adapter.accountId(funded.address)).toBe(`${info.chainId}:${funded.address.slice('did:abt:'.length)}`);
  });

  it('refuses a signer it did not make and a secret key of the wrong size', async () => {
    const stranger = { adapter: 'native', address: funded.address };
    await expectOcapError(() => adapter.transfer(stranger, { to: funded.address, amount: 1n }), 'INVALID_ARGUMENT');
    await expectOcapError(() => adapter.signer(new Uint8Array(31)), 'INVALID_ARGUMENT');
  });

  it('answers NOT_FOUND for a token or asset that does not exist', async () => {
    const noToken = tokenAddress('NOSUCHTOKEN');
    const noAsset = assetAddress(sha3(utf8('no such asset')));
    await expectOcapError(adapter.getTokenInfo(noToken), 'NOT_FOUND');
    await expectOcapError(adapter.getTokenBalance(noToken, funded.address), 'NOT_FOUND');
    await expectOcapError(adapter.getAsset(noAsset), 'NOT_FOUND');
    await expectOcapError(adapter.transferAsset(funded, { asset: noAsset, to: funded.address }), 'NOT_FOUND');
    await expectOcapError(adapter.transferToken(funded, { token: noToken, to: funded.address, amount: 1n }), 'NOT_FOUND');
  });

  it('broadcasts a transaction signed elsewhere, once per hash', async () => {
    const sender = await fundedSigner(adapter, funded, ABT);
    const wallet = adapter.native.wallet(sender);
    const info = await client.chainInfo();
    const itx = transfer({ to: funded.address, amount: 1000n });
    const tx = wallet.signTx(buildTx({ chainId: info.chainId, wallet, nonce: 1, fee: info.params.minFee, itx }));
    const hex = encodeTxHex(tx);
    const first = await adapter.broadcast(hex);
    expect(first).toMatchObject({ from: sender.address, nonce: 1 });
    expect((await adapter.broadcast(`0x${hex}`)).hash).toBe(first.hash);
    const done = await adapter.waitForTransaction(first.hash, { timeoutMs: MINE_TIMEOUT_MS });
    expect(done).toMatchObject({ status: 'success', from: sender.address, to: funded.address, value: 1000n, fee: info.params.minFee });
    await expectOcapError(adapter.broadcast('not hex'), 'INVALID_ARGUMENT');
  });

  it('reports a transaction the ledger refuses in its block as failed (or refuses it at once)', async () => {
    const info = await client.chainInfo();
    const fee = info.params.minFee;
    const sender = await fundedSigner(adapter, funded, 2n * fee + 1000n);
    const wallet = adapter.native.wallet(sender);
    const signed = (nonce: number, amount: bigint) =>
      encodeTxHex(wallet.signTx(buildTx({ chainId: info.chainId, wallet, nonce, fee, itx: transfer({ to: funded.address, amount }) })));
    // Each fits the balance alone, not both together. Sent in one batch, the second usually finds the first
    // pending, so only the block refuses it; when the first commits in between, admission refuses it at once.
    const [first, second] = await Promise.allSettled([adapter.broadcast(signed(1, 1000n)), adapter.broadcast(signed(2, fee))]);
    if (first?.status !== 'fulfilled') throw first?.reason;
    expect((await adapter.waitForTransaction(first.value.hash, { timeoutMs: MINE_TIMEOUT_MS })).status).toBe('success');
    if (second?.status === 'rejected') {
      expect(isOcapError(second.reason, 'INSUFFICIENT_FUNDS'), String(second.reason)).toBe(true);
      return;
    }
    const refused = await adapter.waitForTransaction(second?.value.hash as string, { timeoutMs: MINE_TIMEOUT_MS });
    expect(refused).toMatchObject({ status: 'failed', blockHeight: null, fee: 0n, confirmations: 0 });
    expect(refused.error).toContain('INSUFFICIENT_FUNDS');
    await expectOcapError(adapter.getTransaction(toHex(sha3(utf8('still nobody')))), 'NOT_FOUND');
  });

  it('streams token and asset moves and the other ledger transactions as logs', async () => {
    const owner = await fundedSigner(adapter, funded, ABT);
    const receiver = adapter.signer(randomKey());
    const fromHeight = (await adapter.getLatestBlock()).height + 1;
    const created = await client.createAsset({ wallet: adapter.native.wallet(owner), moniker: 'ticket', data: 'seat 12' });
    const moved = await adapter.transferAsset(owner, { asset: created.address, to: receiver.address });
    await adapter.waitForTransaction(moved.hash, { timeoutMs: MINE_TIMEOUT_MS });
    expect(await adapter.getAsset(created.address)).toEqual({ id: created.address, owner: receiver.address, uri: 'ticket' });

    const reader = new StreamReader(adapter.events({ fromHeight, pollMs: POLL_MS, filter: { addresses: [created.address] } }));
    try {
      const [log, assetMove] = await reader.take(2, MINE_TIMEOUT_MS);
      expect(log).toMatchObject({
        kind: 'log',
        txHash: created.hash,
        from: owner.address,
        address: created.address,
        topics: ['createAsset'],
      });
      expect(JSON.parse(Buffer.from(log?.data ?? '', 'hex').toString('utf8'))).toMatchObject({ type: 'createAsset', moniker: 'ticket' });
      expect(assetMove).toMatchObject({
        kind: 'assetTransfer',
        txHash: moved.hash,
        from: owner.address,
        to: receiver.address,
        token: created.address,
        amount: 1n,
      });
      expect((assetMove?.position ?? '') > (log?.position ?? '')).toBe(true);
    } finally {
      reader.close();
    }
  });

  it('answers INVALID_ARGUMENT for malformed hashes and heights', async () => {
    await expectOcapError(adapter.getTransaction('abc'), 'INVALID_ARGUMENT');
    await expectOcapError(adapter.getBlock({ hash: 'xyz' }), 'INVALID_ARGUMENT');
    await expectOcapError(adapter.getBlock({ height: -1 }), 'INVALID_ARGUMENT');
  });

  it('hands out the wallet behind a signer for every other ledger call (level 3)', async () => {
    const seed = randomKey();
    const signer = adapter.signer(seed);
    expect(adapter.native.wallet(signer).did).toBe(Wallet.fromSecretKey(seed).did);
    expect(adapter.native.signerOf(Wallet.fromSecretKey(seed)).address).toBe(signer.address);
  });
});
