import {
  type AssetInfo,
  type AssetTransferRequest,
  type BlockRef,
  type Capabilities,
  type ChainAdapter,
  type ChainInfo,
  type EventStream,
  type FeeEstimate,
  formatAccountId,
  type OcapBlock,
  OcapError,
  type OcapSigner,
  type OcapTx,
  type SendOptions,
  type SendResult,
  type StreamOptions,
  type TokenInfo,
  type TokenTransferRequest,
  type TransferRequest,
  type Unsubscribe,
  type WaitOptions,
} from '@arc/core';
import { Contract, getAddress, type InterfaceAbi, type JsonRpcProvider, Transaction } from 'ethers';
import { pollBlocks } from '../shared/block-poller.ts';
import { createEventStream } from '../shared/event-stream.ts';
import { Idempotency, type IdempotencyStore, MemoryIdempotencyStore } from '../shared/idempotency.ts';
import {
  checkAddress,
  checkAmount,
  checkHash,
  formatAssetId,
  fromHex,
  isEthereumAddress,
  parseAssetId,
  type RpcBlock,
  type RpcReceipt,
  type RpcTransaction,
  type TxBase,
  toHex,
  toOcapBlock,
  toOcapTx,
  txBase,
} from './convert.ts';
import { createEthereumEventSource } from './events.ts';
import { FeeCache } from './fees.ts';
import { EthereumRpc } from './rpc.ts';
import { TRANSFER_GAS, TransactionSender } from './sender.ts';
import { ReorgWatch } from './sent-txs.ts';
import { EthereumSigner, walletOf } from './signer.ts';
import { ERC20_ABI, ERC721_ABI, TokenReader } from './tokens.ts';

export const ETHEREUM_POLL_MS_DEFAULT = 250;
/** The first re-check of a transaction not yet mined; later ones double up to pollMs. */
const WAIT_FIRST_RECHECK_MS = 2;
/** While a sent transaction stays unmined, how often a wait asks whether a reorg dropped it or left a nonce gap below it. */
const WAIT_GAP_CHECK_MS = 1_000;
export const ETHEREUM_WAIT_TIMEOUT_MS_DEFAULT = 60_000;
/** Mainnet's slot time; local nodes (anvil automine) are faster, set `blockTimeMs` for them. */
export const ETHEREUM_BLOCK_TIME_MS_DEFAULT = 12_000;

export interface EthereumAdapterConfig {
  rpcUrl: string;
  /** The chain id, when known: saves the eth_chainId round trip and makes `accountId` usable before any call. */
  chainId?: number;
  idempotencyStore?: IdempotencyStore;
  /** How often waits, block subscriptions and event streams poll the node (default 250 ms). */
  pollMs?: number;
  /** Confirmations `waitForTransaction` waits for when the caller does not say (default 1). */
  confirmationsDefault?: number;
  blockTimeMs?: number;
  /** Bound on each JSON-RPC request (default 30 s). */
  requestTimeoutMs?: number;
  /** How long cached fee data is used before a background refresh (default 5 s). */
  feeRefreshMs?: number;
}

/** Level 3: the chain's own calls, for what OCAP does not cover. */
export interface EthereumNative {
  /** The ethers provider; throws UNAVAILABLE until the chain id is known (configured, or after `connect()`). */
  readonly provider: JsonRpcProvider;
  /** Reaches the node (asks its chain id when not configured) and resolves the provider. */
  connect(): Promise<JsonRpcProvider>;
  /** A raw JSON-RPC call (`eth_*`, `debug_*`, `anvil_*`…), errors mapped onto OcapError. */
  call<T = unknown>(method: string, params?: unknown[]): Promise<T>;
  /** An ethers Contract bound to the provider, or to the signer's wallet for sends (those bypass the adapter's nonce queue). */
  contract(address: string, abi: InterfaceAbi, signer?: OcapSigner): Contract;
}

const CAPABILITIES: Capabilities = {
  accounts: 'native',
  tokens: 'native',
  assets: 'native',
  events: 'native',
  reorgs: 'native',
  native: 'native',
};

const CHAIN_NAMES: Record<number, string> = { 1: 'Ethereum Mainnet', 11155111: 'Sepolia', 17000: 'Holesky', 31337: 'Anvil (local)' };

/** An OCAP adapter for Ethereum and EVM chains over JSON-RPC (ethers 6). */
export function createEthereumAdapter(config: EthereumAdapterConfig): ChainAdapter<EthereumNative> {
  const rpc = new EthereumRpc(config.rpcUrl, { chainId: config.chainId, requestTimeoutMs: config.requestTimeoutMs });
  const fees = new FeeCache(rpc, config.feeRefreshMs);
  const sender = new TransactionSender(rpc, fees);
  const reorgs = new ReorgWatch(() => sender.reorged());
  const tokens = new TokenReader(rpc);
  const store = config.idempotencyStore ?? new MemoryIdempotencyStore();
  const pollMs = config.pollMs ?? ETHEREUM_POLL_MS_DEFAULT;
  const confirmationsDefault = config.confirmationsDefault ?? 1;
  const stoppers = new Set<() => void>();
  let idempotency: Idempotency | undefined;

  /** Chain id known (asked once when not configured): the CAIP-2 id and the idempotency scope both need it. */
  async function ready(): Promise<{ chainId: string; idem: Idempotency }> {
    if (rpc.caip2 === undefined) await rpc.connect();
    const chainId = rpc.caip2 as string;
    idempotency ??= new Idempotency(store, `ethereum/${chainId}`);
    return { chainId, idem: idempotency };
  }

  async function block(method: string, param: string, what: string): Promise<OcapBlock> {
    const raw = await rpc.call<RpcBlock | null>(method, [param, false]);
    if (!raw) throw new OcapError('NOT_FOUND', `No block ${what} on ${rpc.caip2}.`, { chainId: rpc.caip2 });
    reorgs.see(fromHex(raw.number), raw.hash);
    return toOcapBlock(raw);
  }

  /**
   * The transaction with its receipt and the head; null when the node does not know the hash. `sent`: what this
   * adapter sent under that hash, which saves asking the node for the transaction (a wait's poll is then the
   * receipt and the head; a sent transaction the node lost is found by the wait's gap check).
   */
  async function fetchTx(hash: string, sent?: TxBase): Promise<OcapTx | null> {
    const [tx, receipt, head] = await Promise.all([
      sent ?? rpc.call<RpcTransaction | null>('eth_getTransactionByHash', [hash]).then((raw) => raw && txBase(raw)),
      rpc.call<RpcReceipt | null>('eth_getTransactionReceipt', [hash]),
      rpc.call<string>('eth_blockNumber', []),
    ]);
    if (receipt) reorgs.see(fromHex(receipt.blockNumber), receipt.blockHash);
    return tx ? toOcapTx(tx, receipt, fromHex(head)) : null;
  }

  /**
   * Sends a contract call through the signer's nonce queue, under the idempotency key. `calldata` runs inside
   * the key, so a repeated key returns the first result even when its checks would now fail.
   */
  async function sendCall(
    signer: OcapSigner,
    request: SendOptions,
    payload: Record<string, unknown>,
    to: string,
    calldata: (from: string) => Promise<string>,
  ) {
    const wallet = walletOf(signer);
    const { idem } = await ready();
    return idem.run(request.idempotencyKey, { ...payload, from: wallet.address }, async () => {
      const data = await calldata(wallet.address);
      const gasLimit = await tokens.estimateGas(wallet.address, to, data);
      return sender.send(wallet, { to, value: 0n, data, gasLimit });
    });
  }

  function track(stop: () => void): () => void {
    const untrack = () => {
      stoppers.delete(untrack);
      stop();
    };
    stoppers.add(untrack);
    return untrack;
  }

  const native: EthereumNative = {
    get provider() {
      return rpc.provider;
    },
    connect: () => rpc.connect(),
    call: <T>(method: string, params: unknown[] = []) => rpc.call<T>(method, params),
    contract(address, abi, signer) {
      const provider = rpc.provider;
      return new Contract(checkAddress(address, 'contract'), abi, signer ? walletOf(signer).connect(provider) : provider);
    },
  };

  return {
    name: 'ethereum',
    native,

    async info(): Promise<ChainInfo> {
      const { chainId } = await ready();
      const id = rpc.chainId as number;
      return {
        chainId: chainId as ChainInfo['chainId'],
        adapter: 'ethereum',
        name: CHAIN_NAMES[id] ?? `EVM chain ${id}`,
        nativeSymbol: 'ETH',
        nativeDecimals: 18,
        blockTimeMs: config.blockTimeMs ?? ETHEREUM_BLOCK_TIME_MS_DEFAULT,
      };
    },

    capabilities: () => ({ ...CAPABILITIES }),

    signer: (secretKey) => new EthereumSigner(secretKey),

    isAddress: (address) => isEthereumAddress(address),

    getLatestBlock: () => block('eth_getBlockByNumber', 'latest', 'at the head'),

    getBlock(ref: BlockRef) {
      if ('hash' in ref) return block('eth_getBlockByHash', checkHash(ref.hash, 'block hash'), `with hash ${ref.hash}`);
      if (!Number.isSafeInteger(ref.height) || ref.height < 0) {
        return Promise.reject(new OcapError('INVALID_ARGUMENT', `Block height ${ref.height} is not a non-negative integer.`));
      }
      return block('eth_getBlockByNumber', toHex(ref.height), `at height ${ref.height}`);
    },

    async getTransaction(hash) {
      const tx = await fetchTx(checkHash(hash, 'transaction hash'));
      if (!tx) throw new OcapError('NOT_FOUND', `No transaction ${hash} on ${rpc.caip2}.`, { chainId: rpc.caip2 });
      return tx;
    },

    async getBalance(address) {
      const checked = checkAddress(address);
      return BigInt(await rpc.call<string>('eth_getBalance', [checked, 'latest']));
    },

    async estimateFee(request): Promise<FeeEstimate> {
      checkAddress(request.from, 'sender');
      checkAddress(request.to, 'receiver');
      const data = await fees.current();
      const rate = data.baseFeePerGas + data.maxPriorityFeePerGas;
      return { fee: rate * TRANSFER_GAS, rate, unit: 'wei/gas' };
    },

    async transfer(signer: OcapSigner, request: TransferRequest): Promise<SendResult> {
      const wallet = walletOf(signer);
      const to = checkAddress(request.to, 'receiver');
      const amount = checkAmount(request.amount);
      const { idem } = await ready();
      return idem.run(request.idempotencyKey, { op: 'transfer', from: wallet.address, to, amount }, () =>
        sender.send(wallet, { to, value: amount, data: '0x', gasLimit: TRANSFER_GAS }),
      );
    },

    async broadcast(rawTx: string, options: SendOptions = {}): Promise<SendResult> {
      let tx: Transaction;
      try {
        tx = Transaction.from(rawTx);
      } catch (error) {
        throw new OcapError('INVALID_ARGUMENT', 'The raw transaction is not a serialized Ethereum transaction (0x hex).', { cause: error });
      }
      if (!tx.isSigned() || !tx.from || !tx.hash) throw new OcapError('INVALID_ARGUMENT', 'The raw transaction is not signed.');
      const { chainId, idem } = await ready();
      if (tx.chainId !== 0n && tx.chainId !== BigInt(rpc.chainId as number)) {
        throw new OcapError('INVALID_ARGUMENT', `The transaction is signed for chain ${tx.chainId}, not ${chainId}.`);
      }
      const result = { hash: tx.hash, from: getAddress(tx.from), nonce: tx.nonce };
      return idem.run(options.idempotencyKey, { op: 'broadcast', hash: tx.hash }, async () => {
        await rpc.call<string>('eth_sendRawTransaction', [tx.serialized]);
        return result;
      });
    },

    async waitForTransaction(hash: string, options: WaitOptions = {}): Promise<OcapTx> {
      const checked = checkHash(hash, 'transaction hash');
      const confirmations = options.confirmations ?? confirmationsDefault;
      const timeoutMs = options.timeoutMs ?? ETHEREUM_WAIT_TIMEOUT_MS_DEFAULT;
      const deadline = Date.now() + timeoutMs;
      // Look again soon at first (a dev chain mines within milliseconds), then back off to pollMs.
      let delayMs = Math.min(pollMs, WAIT_FIRST_RECHECK_MS);
      let gapCheckAtMs = Date.now() + WAIT_GAP_CHECK_MS;
      const sent = sender.sent.byHash(checked);
      for (;;) {
        const tx = await fetchTx(checked, sent);
        if (tx && tx.confirmations >= confirmations) return tx;
        if ((!tx || tx.status === 'pending') && Date.now() >= gapCheckAtMs) {
          gapCheckAtMs = Date.now() + WAIT_GAP_CHECK_MS;
          await sender.recover(checked);
        }
        if (Date.now() + delayMs > deadline) {
          const state = tx ? `${tx.status} with ${tx.confirmations} confirmations` : 'unknown to the node';
          throw new OcapError('TIMEOUT', `Transaction ${hash} is still ${state} after ${timeoutMs} ms (wanted ${confirmations}).`, {
            chainId: rpc.caip2,
          });
        }
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        delayMs = Math.min(pollMs, delayMs * 2);
      }
    },

    subscribeBlocks(onBlock, options = {}): Unsubscribe {
      const source = {
        latest: () => block('eth_getBlockByNumber', 'latest', 'at the head'),
        byHeight: (height: number) => block('eth_getBlockByNumber', toHex(height), `at height ${height}`),
      };
      return track(pollBlocks(source, onBlock, { pollMs: options.pollMs ?? pollMs, onError: options.onError }));
    },

    async close() {
      for (const stop of [...stoppers]) stop();
      rpc.close();
    },

    accountId(address) {
      const checked = checkAddress(address);
      const chainId = rpc.caip2;
      if (chainId === undefined) {
        throw new OcapError('UNAVAILABLE', 'The chain id is not known yet: configure chainId or await info() before accountId().');
      }
      return formatAccountId(chainId, checked);
    },

    async getTokenInfo(token): Promise<TokenInfo> {
      return tokens.tokenInfo(checkAddress(token, 'token contract'));
    },

    async getTokenBalance(token, owner) {
      return tokens.tokenBalance(checkAddress(token, 'token contract'), checkAddress(owner, 'owner'));
    },

    async transferToken(signer, request: TokenTransferRequest) {
      const token = checkAddress(request.token, 'token contract');
      const to = checkAddress(request.to, 'receiver');
      const amount = checkAmount(request.amount);
      const data = ERC20_ABI.encodeFunctionData('transfer', [to, amount]);
      return sendCall(signer, request, { op: 'transferToken', token, to, amount }, token, async () => data);
    },

    async getAsset(asset): Promise<AssetInfo> {
      const { contract, tokenId } = parseAssetId(asset);
      return tokens.asset(contract, tokenId);
    },

    async transferAsset(signer, request: AssetTransferRequest) {
      const { contract, tokenId } = parseAssetId(request.asset);
      const to = checkAddress(request.to, 'receiver');
      // Checked before sending: a non-owner gets FORBIDDEN without spending gas on a revert.
      return sendCall(signer, request, { op: 'transferAsset', asset: formatAssetId(contract, tokenId), to }, contract, async (from) => {
        const owner = getAddress(await tokens.call<string>(ERC721_ABI, contract, 'ownerOf', [tokenId]));
        if (owner !== from) {
          throw new OcapError('FORBIDDEN', `${from} does not own asset ${request.asset}; ${owner} does.`, { chainId: rpc.caip2 });
        }
        return ERC721_ABI.encodeFunctionData('transferFrom', [owner, to, tokenId]);
      });
    },

    events(options: StreamOptions = {}): EventStream {
      const stream = createEventStream(
        createEthereumEventSource(rpc, (header) => reorgs.see(header.height, header.hash)),
        { ...options, pollMs: options.pollMs ?? pollMs },
      );
      const untrack = track(() => stream.close());
      return {
        [Symbol.asyncIterator]: () => stream[Symbol.asyncIterator](),
        checkpoint: () => stream.checkpoint(),
        close: untrack,
      };
    },
  };
}
