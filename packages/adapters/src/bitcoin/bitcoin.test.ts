import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isOcapError, type OcapErrorCode, type OcapSigner } from '@arc/core';
import * as ecc from '@bitcoinerlab/secp256k1';
import * as bitcoin from 'bitcoinjs-lib';
import { ECPairFactory } from 'ecpair';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runConformance } from '../conformance/suite.ts';
import { bitcoinHarness } from '../testing/bitcoin-harness.ts';
import { type BitcoinAdapter, createBitcoinAdapter } from './adapter.ts';
import { CoinBook } from './coin-book.ts';
import { selectCoins } from './coins.ts';
import { toOcapError } from './errors.ts';
import { type BitcoinNetworkName, networkParams } from './keys.ts';
import { satsOf } from './reader.ts';
import { REGTEST_GENESIS_HASH, type RegtestNode, startRegtestChain } from './regtest/index.ts';
import { BitcoinRpcError, BitcoinTransportError } from './rpc.ts';

bitcoin.initEccLib(ecc);
const ECPair = ECPairFactory(ecc);
const regtest = bitcoin.networks.regtest;
const POLL_MS = 50;
const randomKey = () => crypto.getRandomValues(new Uint8Array(32));

runConformance(
  'bitcoin (in-process regtest)',
  async () => {
    const node = await startRegtestChain();
    const adapter = createBitcoinAdapter({
      rpcUrl: node.rpcUrl,
      user: node.user,
      password: node.password,
      network: 'regtest',
      pollMs: POLL_MS,
    });
    return bitcoinHarness(adapter, adapter.signer(node.richKey), { close: () => node.stop() });
  },
  { pollMs: POLL_MS },
);

async function expectCode(promise: Promise<unknown>, code: OcapErrorCode, rpcCode?: number): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!isOcapError(error)) throw new Error(`expected OcapError ${code}, got ${String(error)}`);
  expect(error.code, error.message).toBe(code);
  if (rpcCode !== undefined) expect((error.cause as BitcoinRpcError).code).toBe(rpcCode);
}

describe('bitcoin regtest chain and adapter', () => {
  let node: RegtestNode;
  let adapter: BitcoinAdapter;
  let rich: OcapSigner;
  const miner = ECPair.makeRandom({ network: regtest });
  const minerAddress = bitcoin.payments.p2wpkh({ pubkey: miner.publicKey, network: regtest }).address as string;
  const mine = (n = 1) => node.mineTo(minerAddress, n);

  /** A fresh key holding one confirmed coin of `value`; returns the key, its address and the coin. */
  async function fundedKey(value: bigint) {
    const key = ECPair.makeRandom({ network: regtest });
    const payment = bitcoin.payments.p2wpkh({ pubkey: key.publicKey, network: regtest });
    const sent = await adapter.transfer(rich, { to: payment.address as string, amount: value });
    await mine();
    return { key, payment, coin: { txid: sent.hash, vout: 0, value } };
  }

  /** A signed P2WPKH spend of `coin` by `key` paying `outputs`; `claimedValue` lies to the signer about the coin's value. */
  function spend(
    key: ReturnType<typeof ECPair.makeRandom>,
    coin: { txid: string; vout: number; value: bigint },
    outputs: { address: string; value: bigint }[],
    claimedValue = coin.value,
  ) {
    const script = bitcoin.payments.p2wpkh({ pubkey: key.publicKey, network: regtest }).output as Uint8Array;
    const psbt = new bitcoin.Psbt({ network: regtest });
    psbt.addInput({ hash: coin.txid, index: coin.vout, witnessUtxo: { script, value: claimedValue } });
    for (const output of outputs) psbt.addOutput(output);
    psbt.signAllInputs(key);
    psbt.finalizeAllInputs();
    return psbt.extractTransaction(true);
  }

  beforeAll(async () => {
    node = await startRegtestChain();
    adapter = createBitcoinAdapter({ rpcUrl: node.rpcUrl, user: node.user, password: node.password, network: 'regtest', pollMs: POLL_MS });
    rich = adapter.signer(node.richKey);
  });

  afterAll(async () => {
    await adapter?.close();
    await node?.stop();
  });

  it("rebuilds Bitcoin Core's regtest genesis block, so the CAIP-2 id matches a real regtest node", async () => {
    expect(await adapter.native.call('getblockhash', [0])).toBe(REGTEST_GENESIS_HASH);
    expect((await adapter.info()).chainId).toBe('bip122:0f9188f13cb7b2c71f2a335e3a4fc328');
    expect(adapter.accountId(rich.address)).toBe(`bip122:0f9188f13cb7b2c71f2a335e3a4fc328:${rich.address}`);
    const genesis = await adapter.getBlock({ height: 0 });
    expect(genesis.parentHash).toBe('0'.repeat(64));
  });

  it('makes blocks with real headers: parent links, merkle roots and witness commitments', async () => {
    await adapter.transfer(rich, { to: minerAddress, amount: 10_000n });
    const [hash] = await mine();
    const block = bitcoin.Block.fromHex(await adapter.native.call<string>('getblock', [hash, 0]));
    expect(block.getId()).toBe(hash);
    expect(block.checkTxRoots()).toBe(true);
    expect(block.hasWitnessCommit()).toBe(true);
    const parent = await adapter.getBlock({ height: node.chain.height - 1 });
    expect(
      Buffer.from(block.prevHash as Uint8Array)
        .reverse()
        .toString('hex'),
    ).toBe(parent.hash);
  });

  it('rejects a transaction whose signature does not cover what it spends', async () => {
    const { key, coin } = await fundedKey(50_000n);
    const tx = spend(key, coin, [{ address: minerAddress, value: 40_000n }]);
    (tx.outs[0] as { value: bigint }).value = 45_000n;
    await expectCode(adapter.broadcast(tx.toHex()), 'INVALID_ARGUMENT', -26);
    await expect(adapter.native.call('sendrawtransaction', [tx.toHex()])).rejects.toThrow(/Signature must be zero/);
    const stranger = ECPair.makeRandom({ network: regtest });
    const wrongKey = spend(stranger, coin, [{ address: minerAddress, value: 40_000n }]);
    // The stranger's signature is valid for its own key, but the key does not hash to the output's key hash.
    wrongKey.setWitness(0, [wrongKey.ins[0]?.witness[0] as Uint8Array, stranger.publicKey]);
    await expect(adapter.native.call('sendrawtransaction', [wrongKey.toHex()])).rejects.toThrow(/OP_EQUALVERIFY/);
  });

  it('rejects double spends: in the mempool (-26) and of a mined coin (-25)', async () => {
    const { key, coin } = await fundedKey(50_000n);
    const first = spend(key, coin, [{ address: minerAddress, value: 40_000n }]);
    const second = spend(key, coin, [{ address: rich.address, value: 40_000n }]);
    expect((await adapter.broadcast(first.toHex())).hash).toBe(first.getId());
    await expectCode(adapter.broadcast(second.toHex()), 'NONCE_TOO_LOW', -26);
    // Sending the same transaction again is not an error while it waits in the mempool.
    expect(await adapter.native.call('sendrawtransaction', [first.toHex()])).toBe(first.getId());
    await mine();
    await expectCode(adapter.broadcast(second.toHex()), 'NONCE_TOO_LOW', -25);
    await expectCode(adapter.broadcast(first.toHex()), 'KNOWN_TRANSACTION', -27);
  });

  it('rejects an overspend, a fee below 1 sat/vB and a dust output', async () => {
    const { key, coin } = await fundedKey(50_000n);
    await expectCode(
      adapter.broadcast(spend(key, coin, [{ address: minerAddress, value: 50_001n }], 60_000n).toHex()),
      'INSUFFICIENT_FUNDS',
      -26,
    );
    await expectCode(adapter.broadcast(spend(key, coin, [{ address: minerAddress, value: 49_990n }]).toHex()), 'FEE_TOO_LOW', -26);
    await expectCode(adapter.broadcast(spend(key, coin, [{ address: minerAddress, value: 100n }]).toHex()), 'INVALID_ARGUMENT', -26);
    const [check] = await adapter.native.call<{ allowed: boolean; 'reject-reason'?: string }[]>('testmempoolaccept', [
      [spend(key, coin, [{ address: minerAddress, value: 49_000n }]).toHex()],
    ]);
    expect(check).toMatchObject({ allowed: true });
  });

  it('refuses to spend a coinbase before 100 confirmations', async () => {
    const key = ECPair.makeRandom({ network: regtest });
    const address = bitcoin.payments.p2wpkh({ pubkey: key.publicKey, network: regtest }).address as string;
    const [hash] = await node.mineTo(address, 1);
    const block = await adapter.getBlock({ hash: hash as string });
    const raw = await adapter.native.call<{ vout: { value: number }[] }>('getrawtransaction', [block.txHashes[0], true]);
    const coinbase = { txid: block.txHashes[0] as string, vout: 0, value: satsOf(raw.vout[0]?.value ?? 0) };
    const tx = spend(key, coinbase, [{ address: minerAddress, value: coinbase.value - 1_000n }]);
    await expect(adapter.native.call('sendrawtransaction', [tx.toHex()])).rejects.toThrow(/premature-spend-of-coinbase/);
    // The adapter does not count it as spendable either (scantxoutset shows it, with coinbase: true).
    await expectCode(
      adapter.transfer(adapter.signer(key.privateKey as Uint8Array), { to: minerAddress, amount: 10_000n }),
      'INSUFFICIENT_FUNDS',
    );
    expect(await adapter.getBalance(address)).toBe(coinbase.value);
  });

  it('chains sends on unconfirmed change and mines the whole chain in one block', async () => {
    const sender = adapter.signer(randomKey());
    await adapter.transfer(rich, { to: sender.address, amount: 1_000_000n });
    await mine();
    const receiver = adapter.signer(randomKey()).address;
    const hashes: string[] = [];
    for (let i = 0; i < 3; i += 1) hashes.push((await adapter.transfer(sender, { to: receiver, amount: 100_000n })).hash);
    const last = await adapter.native.call<{ ancestorcount: number; depends: string[] }>('getmempoolentry', [hashes[2]]);
    expect(last.ancestorcount).toBe(3);
    expect(last.depends).toEqual([hashes[1]]);
    expect(await adapter.getBalance(receiver)).toBe(0n);
    await mine();
    const txs = await Promise.all(hashes.map((hash) => adapter.getTransaction(hash)));
    expect(txs.map((tx) => tx.status)).toEqual(['success', 'success', 'success']);
    expect(await adapter.getBalance(receiver)).toBe(300_000n);
    const fees = txs.reduce((a, tx) => a + (tx.fee ?? 0n), 0n);
    expect(await adapter.getBalance(sender.address)).toBe(1_000_000n - 300_000n - fees);
  });

  it('invalidateblock rolls back to the parent and returns the block transactions to the mempool', async () => {
    const receiver = adapter.signer(randomKey()).address;
    const sent = await adapter.transfer(rich, { to: receiver, amount: 123_456n });
    const [hash] = await mine();
    expect(await adapter.getBalance(receiver)).toBe(123_456n);
    const heightBefore = node.chain.height;
    await adapter.native.call('invalidateblock', [hash]);
    expect(node.chain.height).toBe(heightBefore - 1);
    expect(await adapter.native.call<string[]>('getrawmempool')).toContain(sent.hash);
    expect((await adapter.getTransaction(sent.hash)).status).toBe('pending');
    expect(await adapter.getBalance(receiver)).toBe(0n);
    const block = await adapter.native.call<{ confirmations: number }>('getblock', [hash, 1]);
    expect(block.confirmations).toBe(-1);
    await mine();
    expect(await adapter.waitForTransaction(sent.hash, { timeoutMs: 5_000 })).toMatchObject({
      status: 'success',
      value: 123_456n,
      to: receiver,
    });
  });

  it('derives transfer events from block transactions, coinbase outputs from null', async () => {
    const receiver = adapter.signer(randomKey()).address;
    const fromHeight = node.chain.height + 1;
    const sent = await adapter.transfer(rich, { to: receiver, amount: 77_777n });
    await mine();
    const stream = adapter.events({ fromHeight, pollMs: POLL_MS });
    const iterator = stream[Symbol.asyncIterator]();
    const first = (await iterator.next()).value;
    const second = (await iterator.next()).value;
    stream.close();
    expect(first).toMatchObject({
      kind: 'transfer',
      from: null,
      to: minerAddress,
      txHash: expect.any(String),
      token: null,
      removed: false,
    });
    expect(second).toMatchObject({ kind: 'transfer', from: rich.address, to: receiver, amount: 77_777n, txHash: sent.hash });
  });

  it('falls back to the configured fee rate when the node has no estimate', async () => {
    const bare = await startRegtestChain({ feeRateSatPerVb: null, initialBlocks: 1 });
    const other = createBitcoinAdapter({
      rpcUrl: bare.rpcUrl,
      user: bare.user,
      password: bare.password,
      network: 'regtest',
      feeRateSatPerVb: 7,
    });
    try {
      const estimate = await other.estimateFee({ from: rich.address, to: minerAddress, amount: 1_000n });
      expect(estimate).toMatchObject({ rate: 7n, unit: 'sat/vB' });
      expect(estimate.fee).toBe(7n * 142n);
      expect((await adapter.estimateFee({ from: rich.address, to: minerAddress, amount: 1_000n })).rate).toBe(2n);
    } finally {
      await other.close();
      await bare.stop();
    }
  });

  it('maps transport failures: refused connection, wrong credentials, timeouts', async () => {
    const refused = createBitcoinAdapter({ rpcUrl: 'http://127.0.0.1:9/', network: 'regtest' });
    await expectCode(refused.getLatestBlock(), 'UNAVAILABLE');
    const wrong = createBitcoinAdapter({ rpcUrl: node.rpcUrl, user: node.user, password: 'wrong', network: 'regtest' });
    await expectCode(wrong.getLatestBlock(), 'UNAVAILABLE');
    const hanging: Server = createServer(() => undefined);
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    const slow = createBitcoinAdapter({
      rpcUrl: `http://127.0.0.1:${(hanging.address() as AddressInfo).port}/`,
      network: 'regtest',
      rpcTimeoutMs: 200,
    });
    try {
      await expectCode(slow.getLatestBlock(), 'TIMEOUT');
    } finally {
      hanging.closeAllConnections();
      hanging.close();
    }
    const mainnet = createBitcoinAdapter({ rpcUrl: node.rpcUrl, user: node.user, password: node.password, network: 'mainnet' });
    await expectCode(mainnet.info(), 'INVALID_ARGUMENT');
  });

  it("maps the node's error codes by context", () => {
    const rpc = (code: number, message: string, method = 'x') => new BitcoinRpcError(code, message, method);
    const cases: [unknown, 'lookup' | 'address' | 'send', OcapErrorCode][] = [
      [rpc(-5, 'No such mempool or blockchain transaction'), 'lookup', 'NOT_FOUND'],
      [rpc(-5, 'Invalid address'), 'address', 'INVALID_ADDRESS'],
      [rpc(-8, 'Block height out of range'), 'lookup', 'NOT_FOUND'],
      [rpc(-8, 'Scan already in progress, use action "abort" or "status"'), 'address', 'UNAVAILABLE'],
      [rpc(-25, 'bad-txns-inputs-missingorspent'), 'send', 'NONCE_TOO_LOW'],
      [rpc(-26, 'txn-mempool-conflict'), 'send', 'NONCE_TOO_LOW'],
      [rpc(-26, 'min relay fee not met, 100 < 141'), 'send', 'FEE_TOO_LOW'],
      [rpc(-26, 'insufficient fee, rejecting replacement'), 'send', 'FEE_TOO_LOW'],
      [rpc(-26, 'too-long-mempool-chain, too many unconfirmed ancestors [limit: 25]'), 'send', 'UNAVAILABLE'],
      [rpc(-25, 'Fee exceeds maximum configured by user (e.g. -maxtxfee, maxfeerate)'), 'send', 'INVALID_ARGUMENT'],
      [rpc(-27, 'Transaction outputs already in utxo set'), 'send', 'KNOWN_TRANSACTION'],
      [rpc(-22, 'TX decode failed'), 'send', 'INVALID_ARGUMENT'],
      [rpc(-28, 'Loading block index…'), 'lookup', 'UNAVAILABLE'],
      [rpc(-32601, 'Method not found', 'scantxoutset'), 'address', 'ADAPTER_UNSUPPORTED'],
      [new BitcoinTransportError('timeout', 'slow', 'x'), 'lookup', 'TIMEOUT'],
      [new BitcoinTransportError('http', 'HTTP 503', 'x', { status: 503 }), 'lookup', 'UNAVAILABLE'],
    ];
    for (const [error, context, code] of cases) {
      const mapped = toOcapError(error, context);
      expect(mapped.code, String((error as Error).message)).toBe(code);
      expect(mapped.cause).toBe(error);
    }
  });

  it('reads BTC amounts exactly as satoshis', () => {
    expect(satsOf(0.001)).toBe(100_000n);
    expect(satsOf(49.99985859)).toBe(4_999_985_859n);
    expect(satsOf(20_999_999.99999999)).toBe(2_099_999_999_999_999n);
    expect(satsOf(0.00000001)).toBe(1n);
  });

  it('selects confirmed coins before unconfirmed change and keeps change above dust', () => {
    const coin = (value: bigint, depth: number, vout = 0) => ({ txid: 'aa'.repeat(32), vout, value, script: new Uint8Array(22), depth });
    const picked = selectCoins({
      coins: [coin(10_000_000n, 1, 0), coin(200_000n, 0, 1)],
      amount: 100_000n,
      feeRateSatPerVb: 2n,
      toScriptLength: 22,
      changeScriptLength: 22,
    });
    expect(picked.inputs.map((c) => c.vout)).toEqual([1]);
    expect(picked.change + picked.fee + 100_000n).toBe(200_000n);
    const tight = selectCoins({
      coins: [coin(100_500n, 0)],
      amount: 100_000n,
      feeRateSatPerVb: 1n,
      toScriptLength: 22,
      changeScriptLength: 22,
    });
    expect(tight).toMatchObject({ change: 0n, fee: 500n });
    expect(() =>
      selectCoins({ coins: [coin(100_000n, 0)], amount: 100_000n, feeRateSatPerVb: 1n, toScriptLength: 22, changeScriptLength: 22 }),
    ).toThrow(/spendable coins/);
  });

  it('forgets a pending send the node dropped once the mempool says so', async () => {
    const book = new CoinBook(() => 0);
    const confirmed = [{ txid: 'aa'.repeat(32), vout: 0, value: 1_000n, script: new Uint8Array(22) }];
    book.record('addr', {
      txid: 'bb'.repeat(32),
      inputs: [{ ...confirmed[0], depth: 0 } as never],
      change: { txid: 'bb'.repeat(32), vout: 1, value: 500n, script: new Uint8Array(22) },
    });
    expect((await book.spendable('addr', confirmed, async () => true)).map((c) => c.txid)).toEqual(['bb'.repeat(32)]);
    book.distrust('addr');
    expect((await book.spendable('addr', confirmed, async () => false)).map((c) => c.txid)).toEqual(['aa'.repeat(32)]);
    expect(book.pendingCount('addr')).toBe(0);
  });
});

const realNodeUrl = process.env.BITCOIN_RPC_URL;

describe.skipIf(!realNodeUrl)('against a real Bitcoin Core node (BITCOIN_RPC_URL)', () => {
  // BITCOIN_RPC_URL=http://user:pass@127.0.0.1:18443/ for a regtest bitcoind started with -txindex; scantxoutset is on by default.
  // BITCOIN_FUNDED_KEY (hex) names a key with coins; without it, the harness mines 150 blocks to a fresh key (regtest only).
  runConformance(
    'bitcoin (Bitcoin Core)',
    async () => {
      const network = (process.env.BITCOIN_NETWORK ?? 'regtest') as BitcoinNetworkName;
      const adapter = createBitcoinAdapter({ rpcUrl: realNodeUrl as string, network, pollMs: 200 });
      const fundedKey = process.env.BITCOIN_FUNDED_KEY ? Buffer.from(process.env.BITCOIN_FUNDED_KEY, 'hex') : randomKey();
      const funded = adapter.signer(fundedKey);
      if (!process.env.BITCOIN_FUNDED_KEY) {
        if (!networkParams(network).bech32.startsWith('bcrt'))
          throw new Error('set BITCOIN_FUNDED_KEY on a network where blocks cannot be mined at will');
        await adapter.native.call('generatetoaddress', [150, funded.address]);
      }
      return bitcoinHarness(adapter, funded, { network: networkParams(network) });
    },
    { pollMs: 200 },
  );
});
