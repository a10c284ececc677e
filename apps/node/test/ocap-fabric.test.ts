import { createFabricAdapter, type FabricAdapter, fabricSecretKey } from '@arc/adapters';
import type { DevPeer } from '@arc/adapters/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devKey } from '../src/config/dev-keys.ts';
import { parseOcapConfig } from '../src/ocap/config.ts';
import { startTestFabric, startTestNode, TEST_FABRIC_COIN, type TestNode } from '../src/testing.ts';
import { deploySource } from './helpers/blocklets.ts';
import { appError, type NodeClient, nodeClient } from './helpers/client.ts';
import { ABT, randomSigner, transfer, Wallet } from './helpers/wallet.ts';

/**
 * A node with a Hyperledger Fabric chain in its OCAP config, pointed at the development peer running the token
 * chaincode: the chain list the console's chains page reads (CAIP-2 id, status, coin, capabilities; a peer that is
 * down), its head and reads through `ocap.query`, a transaction prepared and signed elsewhere relayed once per
 * idempotency key, transfer events, and a blocklet's level-3 reads (a chaincode evaluate, qscc blocks).
 */

const POLL_MS = 50;
const WAIT_MS = 30_000;
const MINTED = TEST_FABRIC_COIN.minted;

const BLOCKLET = `
export default {
  async call(input, ctx) {
    try {
      if (input.op === 'native') return await ctx.ocap.native(input.chain, input.method, input.params);
      return await ctx.ocap.query(input.chain, input.method, input.params);
    } catch (e) {
      return { code: e.code, message: e.message };
    }
  },
};
`;

function manifest(owner: string): string {
  return `name: fabric-reader
version: 1.0.0
title: Fabric reader
author: ${owner}
entry: index.ts
permissions:
  chains:
    - { chain: fabric, level: 3 }
`;
}

describe('a Fabric chain through the node', () => {
  let fabric: Awaited<ReturnType<typeof startTestFabric>>;
  let peer: DevPeer;
  /** The test's own client of the channel, as the same identity as the node's: it prepares what the node relays. */
  let owner: FabricAdapter;
  let minter: string;
  let chainId: string;
  let node: TestNode;
  let client: NodeClient;

  const call = async (input: object) =>
    (await client.blocklet.invoke.mutate({ name: 'fabric-reader', input: input as never })).output as Record<string, unknown>;

  beforeAll(async () => {
    fabric = await startTestFabric({ pollMs: POLL_MS });
    ({ peer, minter, chainId } = fabric);
    const settings = { endpoint: peer.endpoint, channel: peer.channel, mspId: peer.mspId, identity: { mspDir: peer.identityDir } };
    owner = createFabricAdapter({ ...settings, pollMs: POLL_MS });
    // Through the node's own parser, as OCAP_CONFIG_FILE would be read (defaults filled). Nothing listens on the
    // discard port: listed, unavailable, never fatal.
    const down = parseOcapConfig(
      { chains: [{ name: 'fabric-down', adapter: 'fabric', ...settings, endpoint: '127.0.0.1:9', evaluateTimeoutMs: 1000 }] },
      'the test',
    ).chains;
    node = await startTestNode({ blockIntervalMs: 200, ocapChains: [{ name: 'arc', adapter: 'native' }, fabric.chain, ...down] });
    client = nodeClient(node.url);

    const deployer = new Wallet(client, node.chainId, randomSigner());
    const faucet = new Wallet(client, node.chainId, devKey('faucet'));
    await client.tx.wait.query({ hash: (await faucet.send(transfer(deployer.did, 10n * ABT))).hash, timeoutMs: 10_000 });
    await deploySource(client, deployer, manifest(deployer.did), { 'index.ts': BLOCKLET });
  }, 120_000);

  afterAll(async () => {
    await node?.stop();
    await owner?.close();
    await fabric?.stop();
  });

  it('lists the channel with its CAIP-2 id from the genesis block, live, with its coin, capabilities and head; a down peer as unavailable', async () => {
    const chains = await client.ocap.chains.query();
    expect(chains.map((c) => c.name)).toEqual(['arc', 'fabric', 'fabric-down']);
    const [, listed, down] = chains;
    expect(chainId).toMatch(/^fabric:[0-9a-f]{32}$/);
    expect(listed).toEqual({
      name: 'fabric',
      adapter: 'fabric',
      status: 'ok',
      error: null,
      info: {
        chainId,
        adapter: 'fabric',
        name: `Hyperledger Fabric channel ${peer.channel}`,
        nativeSymbol: 'AFC',
        nativeDecimals: 6,
        blockTimeMs: 2000,
      },
      capabilities: { accounts: 'emulated', tokens: 'emulated', assets: false, events: 'native', reorgs: false, native: 'native' },
    });
    expect(down).toMatchObject({ adapter: 'fabric', status: 'unavailable', info: null });
    expect(down?.error).toMatch(/./);

    // The head, as the chains page asks for it: Fabric's block number (its "height" is one more).
    const head = await client.ocap.query.query({ chain: 'fabric', method: 'getLatestBlock' });
    expect(head.result).toMatchObject({ height: peer.height() - 1 });
    expect(await appError(client.ocap.query.query({ chain: 'fabric-down', method: 'getLatestBlock' }))).toMatchObject({
      appCode: 'UNAVAILABLE',
      retriable: true,
    });
  });

  it('answers reads in the channel’s own terms: blocks, balances of the token, transactions, account ids', async () => {
    const balance = await client.ocap.query.query({ chain: 'fabric', method: 'getBalance', address: minter });
    expect(balance.result).toEqual({ balance: MINTED.toString() });
    const genesis = await client.ocap.query.query({ chain: 'fabric', method: 'getBlock', height: 0 });
    expect(genesis.result).toMatchObject({ height: 0, parentHash: '' });
    expect(chainId).toBe(`fabric:${(genesis.result as { hash: string }).hash.slice(0, 32)}`);
    const mintBlock = (await client.ocap.query.query({ chain: 'fabric', method: 'getBlock', height: 2 })).result as { txHashes: string[] };
    const mint = await client.ocap.query.query({ chain: 'fabric', method: 'getTransaction', hash: mintBlock.txHashes[0] as string });
    expect(mint.result).toMatchObject({ status: 'success', from: minter, to: minter, value: MINTED.toString(), fee: '0', blockHeight: 2 });
    expect((await client.ocap.query.query({ chain: 'fabric', method: 'accountId', address: minter })).result).toEqual({
      accountId: `${chainId}:${minter}`,
    });
    expect((await client.ocap.query.query({ chain: 'fabric', method: 'getTokenInfo', token: 'token' })).result).toMatchObject({
      symbol: 'AFC',
      decimals: 6,
    });
    expect(await appError(client.ocap.query.query({ chain: 'fabric', method: 'getBalance', address: '0xabc' }))).toMatchObject({
      appCode: 'INVALID_ADDRESS',
    });
    expect(await appError(client.ocap.query.query({ chain: 'fabric', method: 'getAsset', asset: 'x' }))).toMatchObject({
      appCode: 'ADAPTER_UNSUPPORTED',
    });
  });

  it('relays a transfer prepared and signed elsewhere once per idempotency key, and pages its event', async () => {
    const alice = owner.signer(fabricSecretKey(await peer.newIdentity('alice'))).address;
    const fromHeight = peer.height();
    const rawTx = await owner.native.prepare({ fn: 'Transfer', args: [alice, '25'] });
    const sent = await client.ocap.send.mutate({ chain: 'fabric', rawTx, idempotencyKey: 'fabric-pay-1' });
    expect(sent.from).toBe(minter);
    expect(await client.ocap.send.mutate({ chain: 'fabric', rawTx, idempotencyKey: 'fabric-pay-1' })).toEqual(sent);
    const other = await owner.native.prepare({ fn: 'Transfer', args: [alice, '26'] });
    expect(await appError(client.ocap.send.mutate({ chain: 'fabric', rawTx: other, idempotencyKey: 'fabric-pay-1' }))).toMatchObject({
      appCode: 'IDEMPOTENCY_CONFLICT',
    });
    const keys = await node.db.query<{ key: string }>('SELECT key FROM ocap_sends');
    expect(keys.map((r) => r.key)).toEqual([expect.stringContaining('fabric-pay-1')]);

    let tx = await client.ocap.query.query({ chain: 'fabric', method: 'getTransaction', hash: sent.hash });
    for (const deadline = Date.now() + WAIT_MS; (tx.result as { status: string }).status === 'pending' && Date.now() < deadline; ) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      tx = await client.ocap.query.query({ chain: 'fabric', method: 'getTransaction', hash: sent.hash });
    }
    expect(tx.result).toMatchObject({ status: 'success', from: minter, to: alice, value: '25' });
    expect((await client.ocap.query.query({ chain: 'fabric', method: 'getBalance', address: alice })).result).toEqual({ balance: '25' });

    const page = await client.ocap.events.query({ chain: 'fabric', fromHeight, filter: { addresses: [alice] }, limit: 10, waitMs: 5000 });
    expect(page.events).toEqual([expect.objectContaining({ kind: 'transfer', txHash: sent.hash, from: minter, to: alice, amount: '25' })]);
  });

  it('serves a blocklet level-3 reads: a chaincode evaluate as the node’s identity, qscc blocks; parameters checked', async () => {
    expect(await call({ op: 'native', chain: 'fabric', method: 'evaluate', params: [{ fn: 'BalanceOf', args: [minter] }] })).toEqual({
      hex: Buffer.from(String(MINTED - 25n)).toString('hex'),
      text: String(MINTED - 25n),
    });
    expect(await call({ op: 'native', chain: 'fabric', method: 'evaluate', params: [{ fn: 'ClientAccountID' }] })).toMatchObject({
      text: minter,
    });
    const info = (await call({ op: 'native', chain: 'fabric', method: 'chainInfo', params: [] })) as { height: number };
    expect(info.height).toBe(peer.height());
    const block = (await call({ op: 'native', chain: 'fabric', method: 'getBlock', params: [2] })) as {
      number: number;
      transactions: { fn: string; args: string[]; validation: string; endorsements: { mspId: string }[] }[];
    };
    expect(block.number).toBe(2);
    expect(block.transactions[0]).toMatchObject({ fn: 'Mint', validation: 'VALID', endorsements: [{ mspId: peer.mspId }] });
    // Bytes arrive as hex: the Mint's argument.
    expect(block.transactions[0]?.args).toContain(Buffer.from(MINTED.toString()).toString('hex'));
    expect(await call({ op: 'query', chain: 'fabric', method: 'getBalance', params: { address: minter } })).toEqual({
      balance: String(MINTED - 25n),
    });

    // Writes, other methods and bad parameters are refused before the peer is asked.
    expect(await call({ op: 'native', chain: 'fabric', method: 'submit', params: [{ fn: 'Mint', args: ['1'] }] })).toMatchObject({
      message: expect.stringMatching(/submit is not a read of this chain; the reads are evaluate, chainInfo, getBlock, getTransaction/),
    });
    expect(
      await call({ op: 'native', chain: 'fabric', method: 'evaluate', params: [{ fn: 'BalanceOf', transientData: {} }] }),
    ).toMatchObject({
      message: expect.stringMatching(/evaluate: parameter 0/),
    });
    expect(await call({ op: 'native', chain: 'fabric', method: 'getTransaction', params: ['xyz'] })).toMatchObject({
      message: expect.stringMatching(/a transaction id: 64 hex characters/),
    });
    // The chaincode's own refusal keeps its OCAP code.
    expect(await call({ op: 'native', chain: 'fabric', method: 'evaluate', params: [{ fn: 'BalanceOf', args: ['nope'] }] })).toMatchObject({
      code: 'INVALID_ADDRESS',
    });
  });
});
