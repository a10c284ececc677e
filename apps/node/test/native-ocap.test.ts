import { createNativeAdapter, type NativeAdapter } from '@arc/adapters';
import { expectOcapError, StreamReader } from '@arc/adapters/conformance';
import { ArcClient, nodeApiOverHttp } from '@arc/client';
import { assetAddress, fromHex, type NodeApi, type OcapSigner, sha3, type TransferTx, toHex, tokenAddress, utf8 } from '@arc/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inProcessNodeApi } from '../src/ocap/node-api.ts';
import { startTestNode, type TestNode } from '../src/testing.ts';

/**
 * The native adapter on a real node, beyond the conformance suite (native-adapter.test.ts): refusals, raw
 * transactions signed elsewhere, ledger events, an unreachable node; and the node's own native chain, which
 * calls the node's services in process: it keeps working with the node's HTTP server closed.
 */

const POLL_MS = 25;
const MINE_TIMEOUT_MS = 30_000;
const ABT = 10n ** 18n;

const randomKey = () => crypto.getRandomValues(new Uint8Array(32));
const transferItx = (to: string, amount: bigint): TransferTx => ({ type: 'transfer', to, amount, tokens: [], assets: [], memo: '' });

describe('native adapter against a node, in process', () => {
  let node: TestNode;
  let api: NodeApi;
  let adapter: NativeAdapter;
  let funded: OcapSigner;

  beforeAll(async () => {
    node = await startTestNode({ blockIntervalMs: 50, ocapChains: [{ name: 'arc', adapter: 'native' }] });
    api = inProcessNodeApi(node.services);
    adapter = createNativeAdapter({ api }, { pollMs: POLL_MS });
    funded = adapter.signer(fromHex(node.funded.secretKey));
  }, 60_000);

  afterAll(async () => {
    await adapter?.close();
    await node?.stop();
  }, 60_000);

  /** A signer holding `amount` ABT, funded and committed. */
  async function fundedSigner(amount: bigint): Promise<OcapSigner> {
    const signer = adapter.signer(randomKey());
    const sent = await adapter.transfer(funded, { to: signer.address, amount });
    await adapter.waitForTransaction(sent.hash, { timeoutMs: MINE_TIMEOUT_MS });
    return signer;
  }

  it('names accounts with CAIP-10 ids of the DID', async () => {
    const info = await adapter.info();
    expect(info.chainId).toBe(`arc:${node.chainId}`);
    expect(adapter.accountId(funded.address)).toBe(`${info.chainId}:${funded.address.slice('did:abt:'.length)}`);
  });

  it('refuses a signer it did not make and a secret key of the wrong size', async () => {
    const stranger = { adapter: 'native', address: funded.address };
    await expectOcapError(() => adapter.transfer(stranger, { to: funded.address, amount: 1n }), 'INVALID_ARGUMENT');
    await expectOcapError(() => adapter.native.submit(stranger, transferItx(funded.address, 1n)), 'INVALID_ARGUMENT');
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

  it('broadcasts a transaction signed without sending, once per hash', async () => {
    const sender = await fundedSigner(ABT);
    const { params } = await api.chainInfo();
    const hex = await adapter.native.sign(sender, transferItx(funded.address, 1000n));
    const first = await adapter.broadcast(hex);
    expect(first).toMatchObject({ from: sender.address, nonce: 1 });
    expect((await adapter.broadcast(`0x${hex}`)).hash).toBe(first.hash);
    const done = await adapter.waitForTransaction(first.hash, { timeoutMs: MINE_TIMEOUT_MS });
    expect(done).toMatchObject({ status: 'success', from: sender.address, to: funded.address, value: 1000n, fee: params.minFee });
    await expectOcapError(adapter.broadcast('not hex'), 'INVALID_ARGUMENT');
  });

  it('reports a transaction that fails in its block as failed, with its block and the fee it was charged', async () => {
    const fee = (await api.chainInfo()).params.minFee;
    const sender = await fundedSigner(2n * fee + 1000n);
    const signed = (nonce: number, amount: bigint) => adapter.native.sign(sender, transferItx(funded.address, amount), { nonce });
    const [one, two] = [await signed(1, 1000n), await signed(2, fee)];
    // Each fits the balance alone, not both together: the second can pay its fee, not its amount, so it fails in its
    // block (whether it found the first pending or committed) and is charged the fee.
    const first = await adapter.broadcast(one);
    const second = await adapter.broadcast(two);
    expect((await adapter.waitForTransaction(first.hash, { timeoutMs: MINE_TIMEOUT_MS })).status).toBe('success');
    const failed = await adapter.waitForTransaction(second.hash, { timeoutMs: MINE_TIMEOUT_MS });
    expect(failed).toMatchObject({ status: 'failed', value: 0n, fee });
    expect(failed.blockHeight).toBeGreaterThan(0);
    expect(failed.error).toContain('INSUFFICIENT_FUNDS');
    expect(failed.error).toContain('fee was charged');
    expect((await api.getAccount(sender.address)).balance).toBe(0n);
    await expectOcapError(adapter.getTransaction(toHex(sha3(utf8('still nobody')))), 'NOT_FOUND');
  });

  it('streams asset moves and the other ledger transactions as logs', async () => {
    const owner = await fundedSigner(ABT);
    const receiver = adapter.signer(randomKey());
    const fromHeight = (await adapter.getLatestBlock()).height + 1;
    const itx = { type: 'createAsset', moniker: 'ticket', data: utf8('seat 12'), transferable: true, readonly: false } as const;
    const created = await adapter.native.submit(owner, itx);
    const asset = assetAddress(fromHex(created.hash));
    await adapter.waitForTransaction(created.hash, { timeoutMs: MINE_TIMEOUT_MS });
    const moved = await adapter.transferAsset(owner, { asset, to: receiver.address });
    await adapter.waitForTransaction(moved.hash, { timeoutMs: MINE_TIMEOUT_MS });
    expect(await adapter.getAsset(asset)).toEqual({ id: asset, owner: receiver.address, uri: 'ticket' });

    const reader = new StreamReader(adapter.events({ fromHeight, pollMs: POLL_MS, filter: { addresses: [asset] } }));
    try {
      const [log, assetMove] = await reader.take(2, MINE_TIMEOUT_MS);
      expect(log).toMatchObject({ kind: 'log', txHash: created.hash, from: owner.address, address: asset, topics: ['createAsset'] });
      expect(JSON.parse(Buffer.from(log?.data ?? '', 'hex').toString('utf8'))).toMatchObject({ type: 'createAsset', moniker: 'ticket' });
      expect(assetMove).toMatchObject({
        kind: 'assetTransfer',
        txHash: moved.hash,
        from: owner.address,
        to: receiver.address,
        token: asset,
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

  it('answers UNAVAILABLE over HTTP when the node cannot be reached', async () => {
    const down = createNativeAdapter({ api: nodeApiOverHttp(new ArcClient({ url: 'http://127.0.0.1:9' })) });
    await expectOcapError(down.info(), 'UNAVAILABLE');
    await expectOcapError(down.getBalance(funded.address), 'UNAVAILABLE');
    await down.close();
  });

  // Last: it closes the node's HTTP server.
  it("serves the node's own native chain in process: it works with the node's HTTP server closed", async () => {
    node.server.closeAllConnections();
    await new Promise<void>((resolve) => node.server.close(() => resolve()));
    await expect(fetch(`${node.url}/trpc/chain.info`)).rejects.toThrow();
    const arc = node.services.ocap.adapter('arc');
    expect((await arc.info()).chainId).toBe(`arc:${node.chainId}`);
    const hub = arc.signer(fromHex(node.funded.secretKey));
    const receiver = arc.signer(randomKey());
    const sent = await arc.transfer(hub, { to: receiver.address, amount: 1000n });
    expect(await arc.waitForTransaction(sent.hash, { timeoutMs: MINE_TIMEOUT_MS })).toMatchObject({ status: 'success', value: 1000n });
    expect(await arc.getBalance(receiver.address)).toBe(1000n);
  });
});
