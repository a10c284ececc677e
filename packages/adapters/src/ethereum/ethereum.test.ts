import { type ChainAdapter, isOcapError, type OcapEvent, type OcapSigner } from '@arc/core';
import { type BaseContract, Contract, ContractFactory, getAddress, getBytes, Interface, type TransactionReceipt, Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConformanceHarness } from '../conformance/harness.ts';
import { StreamReader } from '../conformance/reader.ts';
import { expectOcapError, runConformance } from '../conformance/suite.ts';
import { type AnvilInstance, startAnvil } from '../testing/anvil.ts';
import { createEthereumAdapter, type EthereumNative } from './adapter.ts';
import { ArcTestAsset, ArcTestToken, type ContractArtifact } from './artifacts/index.ts';
import { formatAssetId } from './convert.ts';
import { toOcapError } from './errors.ts';
import { TRANSFER_GAS } from './sender.ts';
import { walletOf } from './signer.ts';

const TOKEN_SUPPLY = 10n ** 24n;
const HOLDER_TOKENS = 10n ** 21n;
const TRANSFER_AMOUNT = 10n ** 15n;
const STARTUP_TIMEOUT_MS = 60_000;
const TEST_TIMEOUT_MS = 60_000;
const POLL_MS = 20;

type EthereumAdapter = ChainAdapter<EthereumNative>;

/** A chain with the two test contracts deployed by anvil key #0 and tokens given to `holderKey`. */
async function setUpChain(anvil: AnvilInstance, holderKey: string) {
  const adapter = createEthereumAdapter({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, pollMs: POLL_MS, blockTimeMs: 0 });
  const deployer = new Wallet(anvil.accounts[0] as string, adapter.native.provider);
  const token = await deploy(ArcTestToken, deployer, ['Arc Test Token', 'ATT', TOKEN_SUPPLY]);
  const asset = await deploy(ArcTestAsset, deployer, ['Arc Test Asset', 'ATA', 'ipfs://arc-test/']);
  const holder = adapter.signer(getBytes(holderKey));
  await mined(token.getFunction('transfer')(holder.address, HOLDER_TOKENS));
  const tokenAddress = await token.getAddress();
  const assetAddress = await asset.getAddress();

  async function mintAsset(owner: OcapSigner): Promise<string> {
    const receipt = await mined(asset.getFunction('mint')(owner.address));
    const log = receipt.logs.map((l) => asset.interface.parseLog(l)).find((parsed) => parsed?.name === 'Transfer');
    if (!log) throw new Error('mint emitted no Transfer');
    return formatAssetId(assetAddress, log.args[2] as bigint);
  }
  return { adapter, deployer, token, asset, tokenAddress, assetAddress, holder, mintAsset };
}

async function deploy(artifact: ContractArtifact, deployer: Wallet, args: unknown[]): Promise<BaseContract> {
  const contract = await new ContractFactory(artifact.abi, artifact.bytecode, deployer).deploy(...args);
  return contract.waitForDeployment();
}

async function mined(sent: Promise<{ wait(): Promise<TransactionReceipt | null> }>): Promise<TransactionReceipt> {
  const receipt = await (await sent).wait();
  if (receipt?.status !== 1) throw new Error('transaction failed');
  return receipt;
}

async function rpc(anvil: AnvilInstance, method: string, params: unknown[]) {
  const response = await fetch(anvil.rpcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  const body = (await response.json()) as { result?: unknown; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result;
}

const random32 = () => crypto.getRandomValues(new Uint8Array(32));

describe('ethereum adapter on anvil', { timeout: TEST_TIMEOUT_MS }, () => {
  let anvil: AnvilInstance;
  let chain: Awaited<ReturnType<typeof setUpChain>>;
  let a: EthereumAdapter;
  let sender: OcapSigner;

  beforeAll(async () => {
    anvil = await startAnvil();
    chain = await setUpChain(anvil, anvil.accounts[3] as string);
    a = chain.adapter;
    sender = a.signer(getBytes(anvil.accounts[4] as string));
  }, STARTUP_TIMEOUT_MS);

  afterAll(async () => {
    await a?.close();
    await anvil?.stop();
  });

  it('decodes ERC-20 and ERC-721 transfers and raw logs into events with checksummed addresses', async () => {
    const fromHeight = (await a.getLatestBlock()).height + 1;
    const receiver = a.signer(random32());
    const owner = a.signer(random32());
    await a.waitForTransaction((await a.transfer(sender, { to: owner.address, amount: TRANSFER_AMOUNT * 10n })).hash);
    await a.waitForTransaction((await a.transferToken(chain.holder, { token: chain.tokenAddress, to: receiver.address, amount: 5n })).hash);
    const assetId = await chain.mintAsset(owner);
    await a.waitForTransaction((await a.transferAsset(owner, { asset: assetId, to: receiver.address })).hash);
    // A log no decoder knows: Ownable's OwnershipTransferred from a fresh deployment.
    const other = await deploy(ArcTestToken, chain.deployer, ['Other', 'OTH', 1n]);
    const otherAddress = await other.getAddress();

    const reader = new StreamReader(a.events({ fromHeight, pollMs: POLL_MS }));
    const events: OcapEvent[] = [];
    try {
      while (!events.some((e) => e.kind === 'log' && e.address === otherAddress)) {
        const event = await reader.next(10_000);
        if (!event) throw new Error(`stream went quiet after ${events.length} events`);
        events.push(event);
      }
    } finally {
      reader.close();
    }
    expect(events.find((e) => e.kind === 'transfer' && e.to === owner.address)).toMatchObject({
      from: sender.address,
      amount: TRANSFER_AMOUNT * 10n,
    });
    expect(events.find((e) => e.kind === 'tokenTransfer' && e.to === receiver.address)).toMatchObject({
      from: chain.holder.address,
      amount: 5n,
      token: chain.tokenAddress,
      address: chain.tokenAddress,
    });
    const assetEvents = events.filter((e) => e.kind === 'assetTransfer' && e.token === assetId);
    expect(assetEvents.map((e) => [e.from, e.to, e.amount])).toEqual([
      [null, owner.address, 1n],
      [owner.address, receiver.address, 1n],
    ]);
    expect(events.find((e) => e.kind === 'log' && e.address === otherAddress)?.topics?.[0]).toBe(
      new Interface(ArcTestToken.abi).getEvent('OwnershipTransferred')?.topicHash,
    );
    for (const event of events) {
      for (const address of [event.from, event.to, event.address]) if (address) expect(getAddress(address)).toBe(address);
    }
    const positions = events.map((e) => e.position);
    expect([...positions].sort()).toEqual(positions);
  });

  it('maps an ERC-20 overdraft to INSUFFICIENT_FUNDS and other reverts to their codes', async () => {
    const balance = await a.getTokenBalance(chain.tokenAddress, chain.holder.address);
    await expectOcapError(
      a.transferToken(chain.holder, { token: chain.tokenAddress, to: sender.address, amount: balance + 1n }),
      'INSUFFICIENT_FUNDS',
    );
    // A contract without transfer(address,uint256) reverts with no reason.
    await expectOcapError(a.transferToken(chain.holder, { token: chain.assetAddress, to: sender.address, amount: 1n }), 'REVERTED');
    // Through level 3, an ethers revert maps too: minting as a non-owner is OwnableUnauthorizedAccount.
    const asSender = a.native.contract(chain.tokenAddress, ArcTestToken.abi, sender);
    const error = await asSender
      .getFunction('mint')
      .staticCall(sender.address, 1n)
      .catch((e: unknown) => e);
    expect(toOcapError(error, { action: 'mint' }).code).toBe('FORBIDDEN');
    await expectOcapError(a.getTokenInfo(a.signer(random32()).address), 'NOT_FOUND');
    await expectOcapError(a.getAsset(`${chain.assetAddress}:999999`), 'NOT_FOUND');
    await expectOcapError(a.getAsset('not-an-asset'), 'INVALID_ARGUMENT');
  });

  it('reads token info and asset metadata', async () => {
    expect(await a.getTokenInfo(chain.tokenAddress.toLowerCase())).toEqual({
      address: chain.tokenAddress,
      name: 'Arc Test Token',
      symbol: 'ATT',
      decimals: 18,
      totalSupply: TOKEN_SUPPLY,
    });
    const owner = a.signer(random32());
    const id = await chain.mintAsset(owner);
    const asset = await a.getAsset(id);
    expect(asset).toEqual({ id, owner: owner.address, uri: `ipfs://arc-test/${id.split(':')[1]}` });
  });

  it('reports a mined but reverted transaction as failed, with no transfer event for its value', async () => {
    const wallet = new Wallet(anvil.accounts[5] as string);
    const data = new Interface(ArcTestToken.abi).encodeFunctionData('mint', [wallet.address, 1n]);
    const nonce = Number(await a.native.call<string>('eth_getTransactionCount', [wallet.address, 'pending']));
    const raw = await wallet.signTransaction({
      type: 2,
      chainId: anvil.chainId,
      nonce,
      to: chain.tokenAddress,
      data,
      value: 7n,
      gasLimit: 100_000n,
      maxFeePerGas: 10n ** 10n,
      maxPriorityFeePerGas: 10n ** 9n,
    });
    const sent = await a.broadcast(raw);
    expect(sent).toMatchObject({ from: wallet.address, nonce });
    const tx = await a.waitForTransaction(sent.hash, { timeoutMs: 10_000 });
    expect(tx).toMatchObject({ status: 'failed', from: wallet.address, to: chain.tokenAddress, value: 7n });
    expect(tx.fee).toBeGreaterThan(0n);
    const reader = new StreamReader(a.events({ fromHeight: tx.blockHeight as number, pollMs: POLL_MS }));
    try {
      const event = await reader.next(500);
      expect(event?.txHash === sent.hash).toBe(false);
    } finally {
      reader.close();
    }
    await expectOcapError(a.broadcast('0xdeadbeef'), 'INVALID_ARGUMENT');
  });

  it('reports a transfer of a block replaced by anvil_reorg as removed', async () => {
    await rpc(anvil, 'anvil_mine', ['0x3']);
    const fromHeight = (await a.getLatestBlock()).height - 2;
    const receiver = a.signer(random32());
    const reader = new StreamReader(a.events({ fromHeight, pollMs: POLL_MS, filter: { addresses: [receiver.address] } }));
    try {
      const sent = await a.transfer(sender, { to: receiver.address, amount: TRANSFER_AMOUNT });
      await a.waitForTransaction(sent.hash);
      await rpc(anvil, 'anvil_mine', ['0x1']);
      const [added] = await reader.take(1, 10_000);
      expect(added).toMatchObject({ txHash: sent.hash, removed: false, to: receiver.address });
      await rpc(anvil, 'anvil_reorg', [2, []]);
      await rpc(anvil, 'anvil_mine', ['0x1']);
      const [removed] = await reader.take(1, 10_000);
      expect(removed).toEqual({ ...added, removed: true });
    } finally {
      reader.close();
    }
  });

  it('sends again from a signer whose transaction a reorg dropped: no nonce gap, and the dropped one is re-sent', async () => {
    const signer = a.signer(getBytes(anvil.accounts[6] as string));
    const receiver = a.signer(random32());
    await rpc(anvil, 'anvil_mine', ['0x2']);
    const dropped = await a.transfer(signer, { to: receiver.address, amount: TRANSFER_AMOUNT });
    await a.waitForTransaction(dropped.hash);
    await rpc(anvil, 'anvil_reorg', [1, []]);
    // anvil does not return an orphaned transaction to its mempool: the signer's count on the chain went back.
    expect(await rpc(anvil, 'eth_getTransactionByHash', [dropped.hash])).toBeNull();
    const next = await a.transfer(signer, { to: receiver.address, amount: TRANSFER_AMOUNT + 1n });
    expect((await a.waitForTransaction(next.hash, { timeoutMs: 10_000 })).status).toBe('success');
    // Sent again as it was signed, so the hash its caller holds is mined too.
    expect((await a.waitForTransaction(dropped.hash, { timeoutMs: 10_000 })).status).toBe('success');
    expect(await a.getBalance(receiver.address)).toBe(2n * TRANSFER_AMOUNT + 1n);
  });

  it('resyncs a signer when a block read shows a reorg, before its next send', async () => {
    const signer = a.signer(getBytes(anvil.accounts[7] as string));
    const receiver = a.signer(random32());
    const dropped = await a.transfer(signer, { to: receiver.address, amount: TRANSFER_AMOUNT });
    const mined = await a.waitForTransaction(dropped.hash);
    await rpc(anvil, 'anvil_reorg', [1, []]);
    // The head at the same height has a new hash: the adapter learns of the reorg from this read alone.
    expect((await a.getLatestBlock()).hash).not.toBe(mined.blockHash);
    const next = await a.transfer(signer, { to: receiver.address, amount: TRANSFER_AMOUNT + 1n });
    await rpc(anvil, 'anvil_mine', ['0x1']);
    // Both mined: the dropped one sent again, the next one at the nonce after it, not behind a gap.
    expect(Number(await rpc(anvil, 'eth_getTransactionCount', [signer.address, 'latest']))).toBe(2);
    expect(next.nonce).toBe(1);
    expect(await a.getBalance(receiver.address)).toBe(2n * TRANSFER_AMOUNT + 1n);
  });

  it('offers raw JSON-RPC, contracts and CAIP-10 ids at level 3', async () => {
    expect(await a.native.call('eth_chainId')).toBe('0x7a69');
    const token = a.native.contract(chain.tokenAddress, ArcTestToken.abi);
    expect(await token.getFunction('symbol')()).toBe('ATT');
    expect(a.accountId(sender.address.toLowerCase())).toBe(`eip155:31337:${sender.address}`);
    await expectOcapError(a.native.call('eth_noSuchMethod'), 'INVALID_ARGUMENT');
    expect(token).toBeInstanceOf(Contract);
  });

  it('asks the chain id once when it is not configured, and fails fast on an unreachable node', async () => {
    const lazy = createEthereumAdapter({ rpcUrl: anvil.rpcUrl });
    expect(() => lazy.accountId(sender.address)).toThrow(/chain id/);
    expect((await lazy.info()).chainId).toBe('eip155:31337');
    expect(lazy.accountId(sender.address)).toBe(`eip155:31337:${sender.address}`);
    await lazy.close();

    const down = createEthereumAdapter({ rpcUrl: 'http://127.0.0.1:9', requestTimeoutMs: 5_000 });
    const error = await down.getLatestBlock().catch((e: unknown) => e);
    expect(isOcapError(error) && error.code).toBe('UNAVAILABLE');
    await down.close();
  });

  it('refuses signers of other adapters and bad secret keys', async () => {
    const foreign = { adapter: 'bitcoin', address: sender.address };
    await expectOcapError(a.transfer(foreign, { to: sender.address, amount: 1n }), 'INVALID_ARGUMENT');
    await expectOcapError(() => a.signer(new Uint8Array(31)), 'INVALID_ARGUMENT');
    await expectOcapError(() => a.signer(new Uint8Array(32)), 'INVALID_ARGUMENT');
    expect(JSON.stringify(sender)).not.toContain((anvil.accounts[4] as string).slice(2));
  });
});

// The shared conformance suite, on its own anvil node (it reorganises the chain).
let conformanceAnvil: AnvilInstance | undefined;
runConformance(
  'ethereum (anvil)',
  async (): Promise<ConformanceHarness> => {
    conformanceAnvil = await startAnvil();
    const anvil = conformanceAnvil;
    const chain = await setUpChain(anvil, anvil.accounts[2] as string);
    return {
      adapter: chain.adapter,
      funded: chain.adapter.signer(getBytes(anvil.accounts[1] as string)),
      transferAmount: TRANSFER_AMOUNT,
      unknownTxHash: `0x${'ab'.repeat(32)}`,
      mine: async (n) => {
        await rpc(anvil, 'anvil_mine', [`0x${n.toString(16)}`]);
      },
      reorg: async (depth) => {
        await rpc(anvil, 'anvil_reorg', [depth, []]);
      },
      token: { address: chain.tokenAddress, holder: chain.holder, amount: HOLDER_TOKENS },
      mintAsset: chain.mintAsset,
      // A plain EIP-1559 transfer at the signer's next pending nonce, with the node's current fees.
      signTransfer: async (signer, { to, amount }) => {
        const wallet = walletOf(signer);
        const [nonce, fees] = await Promise.all([
          chain.adapter.native.call<string>('eth_getTransactionCount', [wallet.address, 'pending']),
          chain.adapter.native.provider.getFeeData(),
        ]);
        return wallet.signTransaction({
          type: 2,
          chainId: anvil.chainId,
          nonce: Number(nonce),
          to,
          value: amount,
          gasLimit: TRANSFER_GAS,
          maxFeePerGas: fees.maxFeePerGas,
          maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
        });
      },
      close: () => anvil.stop(),
    };
  },
  { pollMs: POLL_MS },
);

afterAll(async () => {
  await conformanceAnvil?.stop();
});
