import {
  type BlockRef,
  type Capabilities,
  type ChainAdapter,
  type ChainInfo,
  type EventStream,
  type FeeEstimate,
  formatAccountId,
  formatChainId,
  isOcapError,
  OcapError,
  type OcapSigner,
  type OcapTx,
  type SendOptions,
  type SendResult,
  type StreamOptions,
  type TransferRequest,
  unsupported,
  type WaitOptions,
} from '@arc/core';
import * as bitcoin from 'bitcoinjs-lib';
import { pollBlocks } from '../shared/block-poller.ts';
import { createEventStream } from '../shared/event-stream.ts';
import { Idempotency, type IdempotencyStore, MemoryIdempotencyStore } from '../shared/idempotency.ts';
import { KeyedSerial } from '../shared/serial.ts';
import { waitSettled } from '../shared/wait-settled.ts';
import { CoinBook, type ConfirmedCoin } from './coin-book.ts';
import { DUST_LIMIT_SATS, estimateVbytes, selectCoins } from './coins.ts';
import { type BitcoinNetworkName, BitcoinSigner, canonicalAddress, GENESIS_HASHES, networkParams, requireAddress } from './keys.ts';
import { BitcoinReader, satsOf } from './reader.ts';
import { BitcoinRpc } from './rpc.ts';

/** Used when the node has no fee estimate (a fresh regtest, estimatesmartfee answering "no feerate found"). */
export const BITCOIN_FEE_RATE_SAT_PER_VB_DEFAULT = 2n;
/** The confirmation target handed to estimatesmartfee. */
export const FEE_ESTIMATE_TARGET_BLOCKS = 2;
export const BITCOIN_POLL_MS_DEFAULT = 1_000;
/** How long waitForTransaction waits by default: a few Bitcoin blocks. */
export const BITCOIN_WAIT_TIMEOUT_MS_DEFAULT = 60 * 60_000;
/** scantxoutset walks the whole UTXO set; on mainnet that takes minutes. */
export const BITCOIN_SCAN_TIMEOUT_MS_DEFAULT = 10 * 60_000;
/** Consensus: coinbase outputs are spendable after 100 confirmations. */
export const COINBASE_MATURITY_BLOCKS = 100;
const MAX_MONEY_SATS = 21_000_000n * 100_000_000n;
const HASH_HEX = /^[0-9a-fA-F]{64}$/;
/** Bitcoin Core's getblockchaininfo `chain` for each network. */
const CORE_CHAIN_NAMES: Record<BitcoinNetworkName, string[]> = { regtest: ['regtest'], testnet: ['test', 'testnet4'], mainnet: ['main'] };

export interface BitcoinAdapterConfig {
  /** bitcoind's RPC endpoint, e.g. http://127.0.0.1:18443/ (credentials may be in the URL). */
  rpcUrl: string;
  user?: string;
  password?: string;
  network: BitcoinNetworkName;
  idempotencyStore?: IdempotencyStore;
  /** How often subscriptions, streams and waits look for new blocks. */
  pollMs?: number;
  /** Fee rate used when the node has no estimate. */
  feeRateSatPerVb?: number | bigint;
  rpcTimeoutMs?: number;
  scanTimeoutMs?: number;
}

/** Level 3: the node's own JSON-RPC, errors mapped onto OcapErrors (the node's error is the `cause`). */
export interface BitcoinNative {
  call<T = unknown>(method: string, params?: unknown[]): Promise<T>;
}

export type BitcoinAdapter = ChainAdapter<BitcoinNative>;

interface ScanResult {
  height: number;
  unspents: { txid: string; vout: number; scriptPubKey: string; amount: number; coinbase?: boolean; height: number }[];
  total_amount: number;
}

/**
 * An OCAP adapter for Bitcoin that speaks only a subset of Bitcoin Core's JSON-RPC (no wallet): balances and
 * coins come from scantxoutset, transactions from getrawtransaction (the node needs -txindex), sends are
 * built and signed here (P2WPKH, PSBT) and relayed with sendrawtransaction.
 */
export function createBitcoinAdapter(config: BitcoinAdapterConfig): BitcoinAdapter {
  const network = config.network;
  if (!(network in GENESIS_HASHES))
    throw new OcapError('INVALID_ARGUMENT', `Unknown Bitcoin network "${network}"; use regtest, testnet or mainnet.`);
  const net = networkParams(network);
  const pollMs = config.pollMs ?? BITCOIN_POLL_MS_DEFAULT;
  const fallbackFeeRate = BigInt(config.feeRateSatPerVb ?? BITCOIN_FEE_RATE_SAT_PER_VB_DEFAULT);
  const scanTimeoutMs = config.scanTimeoutMs ?? BITCOIN_SCAN_TIMEOUT_MS_DEFAULT;
  const rpc = new BitcoinRpc({ url: config.rpcUrl, user: config.user, password: config.password, timeoutMs: config.rpcTimeoutMs });
  let chainId = formatChainId('bip122', GENESIS_HASHES[network].slice(0, 32));
  const reader = new BitcoinReader(rpc, () => chainId);
  const idempotency = new Idempotency(config.idempotencyStore ?? new MemoryIdempotencyStore(), `bitcoin:${chainId}`);
  const sends = new KeyedSerial();
  // bitcoind runs one scantxoutset at a time; a second concurrent one fails with "Scan already in progress".
  const scans = new KeyedSerial();
  const book = new CoinBook();
  const stoppers = new Set<() => void>();
  let infoChecked: Promise<ChainInfo> | undefined;

  async function loadInfo(): Promise<ChainInfo> {
    const [genesis, chainInfo] = await Promise.all([
      reader.call<string>('getblockhash', [0]),
      reader.call<{ chain: string }>('getblockchaininfo', []),
    ]);
    if (!CORE_CHAIN_NAMES[network].includes(chainInfo.chain)) {
      throw new OcapError(
        'INVALID_ARGUMENT',
        `The node at ${config.rpcUrl} runs chain "${chainInfo.chain}", but the adapter was configured for ${network}.`,
      );
    }
    chainId = formatChainId('bip122', genesis.slice(0, 32));
    return { chainId, adapter: 'bitcoin', name: `Bitcoin ${network}`, nativeSymbol: 'BTC', nativeDecimals: 8, blockTimeMs: 600_000 };
  }

  function ownSigner(signer: OcapSigner): BitcoinSigner {
    if (!(signer instanceof BitcoinSigner) || canonicalAddress(signer.address, net) !== signer.address) {
      throw new OcapError('INVALID_ARGUMENT', `This signer was not made by a Bitcoin ${network} adapter; use adapter.signer(secretKey).`);
    }
    return signer;
  }

  function checkAmount(amount: bigint): void {
    if (typeof amount !== 'bigint' || amount <= 0n)
      throw new OcapError('INVALID_ARGUMENT', 'A transfer amount is a positive bigint in satoshis.');
    if (amount < DUST_LIMIT_SATS)
      throw new OcapError('INVALID_ARGUMENT', `${amount} sat is below the dust limit (${DUST_LIMIT_SATS} sat); nodes do not relay it.`);
    if (amount > MAX_MONEY_SATS) throw new OcapError('INVALID_ARGUMENT', `${amount} sat is more than 21 million BTC.`);
  }

  async function feeRate(): Promise<bigint> {
    try {
      const estimate = await reader.call<{ feerate?: number }>('estimatesmartfee', [FEE_ESTIMATE_TARGET_BLOCKS]);
      if (typeof estimate.feerate === 'number' && estimate.feerate > 0) {
        const satPerKvB = satsOf(estimate.feerate);
        const rate = (satPerKvB + 999n) / 1000n;
        return rate > 0n ? rate : 1n;
      }
    } catch (error) {
      if (isOcapError(error, 'UNAVAILABLE') || isOcapError(error, 'TIMEOUT')) throw error;
      // A node without fee estimation (or a refusing one) leaves us the configured rate.
    }
    return fallbackFeeRate;
  }

  async function scan(address: string): Promise<ScanResult> {
    return scans.run('scantxoutset', () =>
      reader.call<ScanResult>('scantxoutset', ['start', [`addr(${address})`]], 'address', { timeoutMs: scanTimeoutMs }),
    );
  }

  /** The confirmed coins of an address that are spendable now (mature coinbases only). */
  async function confirmedCoins(address: string): Promise<ConfirmedCoin[]> {
    const result = await scan(address);
    return result.unspents
      .filter((u) => !(u.coinbase === true && result.height - u.height + 1 < COINBASE_MATURITY_BLOCKS))
      .map((u) => ({ txid: u.txid, vout: u.vout, value: satsOf(u.amount), script: Buffer.from(u.scriptPubKey, 'hex') }));
  }

  async function inMempool(txid: string): Promise<boolean> {
    try {
      await reader.call('getmempoolentry', [txid]);
      return true;
    } catch (error) {
      if (isOcapError(error, 'NOT_FOUND')) return false;
      throw error;
    }
  }

  /** Builds, signs and relays one transfer; runs under the signer's serial lane so coins are taken in order. */
  async function sendTransfer(signer: BitcoinSigner, to: string, amount: bigint): Promise<SendResult> {
    const rate = await feeRate();
    const coins = await book.spendable(signer.address, await confirmedCoins(signer.address), inMempool);
    const toScript = bitcoin.address.toOutputScript(to, net);
    const selection = selectCoins({
      coins,
      amount,
      feeRateSatPerVb: rate,
      toScriptLength: toScript.length,
      changeScriptLength: signer.script.length,
    });
    const psbt = new bitcoin.Psbt({ network: net });
    for (const coin of selection.inputs)
      psbt.addInput({ hash: coin.txid, index: coin.vout, witnessUtxo: { script: coin.script, value: coin.value } });
    psbt.addOutput({ script: toScript, value: amount });
    if (selection.change > 0n) psbt.addOutput({ script: signer.script, value: selection.change });
    signer.signAll(psbt);
    const tx = psbt.extractTransaction();
    const txid = tx.getId();
    const change = selection.change > 0n ? { txid, vout: 1, value: selection.change, script: signer.script } : undefined;
    try {
      await reader.call<string>('sendrawtransaction', [tx.toHex()], 'send');
    } catch (error) {
      if (isOcapError(error, 'NONCE_TOO_LOW')) book.distrust(signer.address);
      if (isOcapError(error, 'TIMEOUT') || isOcapError(error, 'UNAVAILABLE')) {
        // The node may have taken it before the answer was lost: remember it, and ask the mempool next time.
        book.record(signer.address, { txid, inputs: selection.inputs, change });
        book.distrust(signer.address);
      }
      throw error;
    }
    book.record(signer.address, { txid, inputs: selection.inputs, change });
    return { hash: txid, from: signer.address };
  }

  async function getBlock(ref: BlockRef) {
    if ('height' in ref) {
      if (!Number.isSafeInteger(ref.height) || ref.height < 0)
        throw new OcapError('INVALID_ARGUMENT', 'A block height is a non-negative integer.');
      const hash = await reader.hashAt(ref.height);
      if (hash === null) throw new OcapError('NOT_FOUND', `No block at height ${ref.height} yet.`, { chainId });
      return reader.block(hash);
    }
    if (typeof ref.hash !== 'string' || !HASH_HEX.test(ref.hash))
      throw new OcapError('INVALID_ARGUMENT', 'A Bitcoin block hash is 64 hex characters.');
    return reader.block(ref.hash.toLowerCase());
  }

  async function getTransaction(hash: string): Promise<OcapTx> {
    if (typeof hash !== 'string' || !HASH_HEX.test(hash))
      throw new OcapError('INVALID_ARGUMENT', 'A Bitcoin transaction id is 64 hex characters.');
    return reader.transaction(hash.toLowerCase());
  }

  const capabilities: Capabilities = {
    accounts: 'emulated',
    tokens: false,
    assets: false,
    events: 'emulated',
    reorgs: 'native',
    native: 'native',
  };

  return {
    name: 'bitcoin',
    native: { call: (method, params = []) => reader.call(method, params) },

    info() {
      infoChecked ??= loadInfo();
      infoChecked.catch(() => {
        infoChecked = undefined;
      });
      return infoChecked;
    },
    capabilities: () => ({ ...capabilities }),
    signer: (secretKey) => new BitcoinSigner(secretKey, net),
    isAddress: (address) => canonicalAddress(address, net) !== undefined,

    async getLatestBlock() {
      return reader.block(await reader.call<string>('getbestblockhash', []));
    },
    getBlock,
    getTransaction,

    /** Confirmed balance: the sum of the address's unspent outputs in the chainstate (mempool not counted). */
    async getBalance(address) {
      const result = await scan(requireAddress(address, net));
      return satsOf(result.total_amount);
    },

    async estimateFee(request) {
      const to = requireAddress(request.to, net);
      const rate = await feeRate();
      const toLength = bitcoin.address.toOutputScript(to, net).length;
      // One P2WPKH input, the payment and a P2WPKH change output (22-byte script).
      const fee = BigInt(estimateVbytes(1, [toLength, 22])) * rate;
      return { fee, rate, unit: 'sat/vB' } satisfies FeeEstimate;
    },

    async transfer(signer, request: TransferRequest) {
      const from = ownSigner(signer);
      const to = requireAddress(request.to, net);
      checkAmount(request.amount);
      return idempotency.run(request.idempotencyKey, { op: 'transfer', from: from.address, to, amount: request.amount }, () =>
        sends.run(from.address, () => sendTransfer(from, to, request.amount)),
      );
    },

    async broadcast(rawTx: string, options: SendOptions = {}) {
      if (typeof rawTx !== 'string' || !/^([0-9a-fA-F]{2})+$/.test(rawTx))
        throw new OcapError('INVALID_ARGUMENT', 'A raw Bitcoin transaction is hex.');
      let tx: bitcoin.Transaction;
      try {
        tx = bitcoin.Transaction.fromHex(rawTx);
      } catch (error) {
        throw new OcapError('INVALID_ARGUMENT', `The raw transaction does not decode: ${(error as Error).message}.`, { cause: error });
      }
      const raw = rawTx.toLowerCase();
      return idempotency.run(options.idempotencyKey, { op: 'broadcast', raw }, async () => {
        const hash = await reader.call<string>('sendrawtransaction', [raw], 'send');
        const first = tx.ins[0];
        const from =
          first && !tx.isCoinbase() ? await reader.firstInputAddress(Buffer.from(first.hash).reverse().toString('hex'), first.index) : '';
        return { hash, from };
      });
    },

    async waitForTransaction(hash: string, options: WaitOptions = {}) {
      const confirmations = options.confirmations ?? 1;
      const timeoutMs = options.timeoutMs ?? BITCOIN_WAIT_TIMEOUT_MS_DEFAULT;
      // Not yet known to this node (relay lag) reads as NOT_FOUND and is waited on.
      return waitSettled({ id: hash, chainId, confirmations, timeoutMs, pollMs, read: () => getTransaction(hash) });
    },

    subscribeBlocks(onBlock, options = {}) {
      const stop = pollBlocks({ latest: () => this.getLatestBlock(), byHeight: (height) => getBlock({ height }) }, onBlock, {
        pollMs: options.pollMs ?? pollMs,
        onError: options.onError,
      });
      const unsubscribe = () => {
        stop();
        stoppers.delete(unsubscribe);
      };
      stoppers.add(unsubscribe);
      return unsubscribe;
    },

    async close() {
      for (const stop of [...stoppers]) stop();
    },

    accountId(address: string) {
      return formatAccountId(chainId, requireAddress(address, net));
    },

    getTokenInfo: async () => {
      throw unsupported('bitcoin', 'tokens');
    },
    getTokenBalance: async () => {
      throw unsupported('bitcoin', 'tokens');
    },
    transferToken: async () => {
      throw unsupported('bitcoin', 'tokens');
    },
    getAsset: async () => {
      throw unsupported('bitcoin', 'assets');
    },
    transferAsset: async () => {
      throw unsupported('bitcoin', 'assets');
    },

    events(options: StreamOptions = {}): EventStream {
      const stream = createEventStream(
        {
          headHeight: () => reader.call<number>('getblockcount', []),
          headerAt: (height) => reader.streamHeader(height),
          eventsOf: (header) => reader.events(header),
        },
        { ...options, pollMs: options.pollMs ?? pollMs },
      );
      const close = () => {
        stream.close();
        stoppers.delete(close);
      };
      stoppers.add(close);
      return { [Symbol.asyncIterator]: () => stream[Symbol.asyncIterator](), checkpoint: () => stream.checkpoint(), close };
    },
  };
}
