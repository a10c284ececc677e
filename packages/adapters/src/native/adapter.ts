import {
  type AssetInfo,
  type AssetTransferRequest,
  type BlockRef,
  type Capabilities,
  type ChainAdapter,
  type ChainId,
  type ChainInfo,
  decodeTx,
  type EventStream,
  type FeeEstimate,
  formatAccountId,
  formatChainId,
  fromHex,
  type Itx,
  isHex,
  isValidDid,
  type NodeApi,
  NodeApiError,
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
import { pollBlocks } from '../shared/block-poller.ts';
import { createEventStream, STREAM_POLL_MS_DEFAULT } from '../shared/event-stream.ts';
import { Idempotency, type IdempotencyStore, MemoryIdempotencyStore } from '../shared/idempotency.ts';
import { NonceManager } from '../shared/serial.ts';
import { BlockReader, mapped } from './blocks.ts';
import { checkAddress, checkAmount, checkHash, transferItx } from './checks.ts';
import { type ErrorContext, toOcapError } from './errors.ts';
import { toOcapBlock } from './records.ts';
import { checkSigner, nativeSigner, signedTxHex } from './signer.ts';
import { NATIVE_LIMITS, TxReader } from './txs.ts';

export { NATIVE_LIMITS } from './txs.ts';

const NONCE_CODES = new Set(['NONCE_TOO_LOW', 'NONCE_GAP']);

/** Level 3 of the native adapter: every ledger transaction type, signed by an OCAP signer of this adapter. */
export interface NativeNative {
  /** The node API the adapter talks through (over HTTP from @arc/client, or in process inside a node). */
  api: NodeApi;
  /**
   * Signs and sends any inner transaction (createToken, createAsset, delegate…) under the signer's next nonce,
   * at the chain's minimum fee, once per idempotency key. The hash names a created asset (`assetAddress`).
   */
  submit(signer: OcapSigner, itx: Itx, options?: SendOptions): Promise<SendResult>;
  /** Signs without sending: the raw hex `broadcast` takes, at `nonce` (default: the node's next for the signer). */
  sign(signer: OcapSigner, itx: Itx, options?: { nonce?: number }): Promise<string>;
}

export interface NativeAdapterOptions {
  /** Where idempotency keys are remembered (default: in memory). */
  idempotencyStore?: IdempotencyStore;
  /** Poll interval for waits, block subscriptions and event streams unless a call passes its own. */
  pollMs?: number;
}

export type NativeAdapter = ChainAdapter<NativeNative>;

interface ChainConstants {
  /** The node's chain id (`arc-dev`) and its CAIP-2 form (`arc:arc-dev`). */
  ledgerChainId: string;
  chainId: ChainId;
  minFee: bigint;
  nativeSymbol: string;
  nativeDecimals: number;
}

/**
 * The OCAP adapter of our own ledger, talking to an Arc node through a NodeApi: `nodeApiOverHttp(client)` from
 * @arc/client, or the node's own in-process API.
 */
export function createNativeAdapter(target: { api: NodeApi }, options: NativeAdapterOptions = {}): NativeAdapter {
  return new NativeChainAdapter(target.api, options);
}

class NativeChainAdapter implements NativeAdapter {
  readonly name = 'native';
  readonly native: NativeNative;
  readonly #api: NodeApi;
  readonly #store: IdempotencyStore;
  readonly #pollMs: number | undefined;
  readonly #nonces = new NonceManager();
  readonly #blocks: BlockReader;
  readonly #txs: TxReader;
  readonly #closers = new Set<() => void>();
  #constants: Promise<ChainConstants> | null = null;
  #known: ChainConstants | null = null;
  #idempotency: Idempotency | null = null;

  constructor(api: NodeApi, options: NativeAdapterOptions) {
    this.#api = api;
    this.#blocks = new BlockReader(api);
    this.#txs = new TxReader(api, this.#blocks, options.pollMs, (run) => this.#call(run));
    this.#store = options.idempotencyStore ?? new MemoryIdempotencyStore();
    this.#pollMs = options.pollMs;
    this.native = {
      api,
      submit: (signer, itx, request = {}) => this.#send(signer, request, { op: 'submit', itx }, itx),
      sign: async (signer, itx, { nonce } = {}) => {
        const did = checkSigner(signer);
        const chain = await this.#chain();
        const next = nonce ?? (await this.#call(() => this.#api.nextNonce(did)));
        return signedTxHex(signer, { chainId: chain.ledgerChainId, nonce: next, fee: chain.minFee, itx });
      },
    };
    // Learn the chain id early so the synchronous accountId() can answer. A failure here is not lost: #chain()
    // forgets it and the next call asks again, reporting the error to its own caller.
    this.#chain().catch((error: unknown) => void error);
  }

  /** Chain id, fee and native token: fixed at genesis, asked once (again after a failure). */
  #chain(): Promise<ChainConstants> {
    this.#constants ??= this.#api.chainInfo().then(
      (info) => {
        this.#known = {
          ledgerChainId: info.chainId,
          chainId: formatChainId('arc', info.chainId),
          minFee: info.params.minFee,
          nativeSymbol: info.nativeToken.symbol,
          nativeDecimals: info.nativeToken.decimals,
        };
        return this.#known;
      },
      (error: unknown) => {
        this.#constants = null;
        throw toOcapError(error);
      },
    );
    return this.#constants;
  }

  /** Runs a NodeApi call, turning every failure into an OcapError. */
  #call<T>(run: () => Promise<T>, context: ErrorContext = 'read'): Promise<T> {
    return mapped(run, context, this.#known?.chainId);
  }

  async info(): Promise<ChainInfo> {
    const chain = await this.#chain();
    const page = await this.#call(() => this.#api.listBlocks({ limit: NATIVE_LIMITS.blockTimeSampleBlocks }));
    // The median gap: one long pause (a restart, the first block after genesis) must not skew it.
    const gaps = page.items
      .slice(1)
      .map((older, i) => (page.items[i]?.timeMs ?? older.timeMs) - older.timeMs)
      .sort((a, b) => a - b);
    const blockTimeMs = gaps.length > 0 ? Math.round(gaps[Math.floor(gaps.length / 2)] as number) : 0;
    return {
      chainId: chain.chainId,
      adapter: this.name,
      name: `Arc ${chain.ledgerChainId}`,
      nativeSymbol: chain.nativeSymbol,
      nativeDecimals: chain.nativeDecimals,
      blockTimeMs,
    };
  }

  capabilities(): Capabilities {
    return { accounts: 'native', tokens: 'native', assets: 'native', events: 'emulated', reorgs: false, native: 'native' };
  }

  signer(secretKey: Uint8Array): OcapSigner {
    return nativeSigner(secretKey);
  }

  isAddress(address: string): boolean {
    return typeof address === 'string' && isValidDid(address);
  }

  accountId(address: string): string {
    checkAddress(address);
    if (!this.#known)
      throw new OcapError('UNAVAILABLE', 'The native adapter has not reached its node yet; call info() first, then accountId().');
    return formatAccountId(this.#known.chainId, address.slice('did:abt:'.length));
  }

  // ——— blocks ———

  async getLatestBlock(): Promise<OcapBlock> {
    return toOcapBlock(await this.#blocks.latest());
  }

  async getBlock(ref: BlockRef): Promise<OcapBlock> {
    if ('height' in ref) return toOcapBlock(await this.#blocks.at(ref.height));
    return toOcapBlock(await this.#blocks.byHash(checkHash(ref.hash)));
  }

  subscribeBlocks(onBlock: (block: OcapBlock) => void, options: { pollMs?: number; onError?: (error: unknown) => void } = {}): Unsubscribe {
    const pollMs = options.pollMs ?? this.#pollMs;
    const stop = pollBlocks(
      { latest: () => this.getLatestBlock(), byHeight: (height) => this.getBlock({ height }) },
      onBlock,
      pollMs === undefined ? options : { ...options, pollMs },
    );
    const unsubscribe = () => {
      this.#closers.delete(unsubscribe);
      stop();
    };
    this.#closers.add(unsubscribe);
    return unsubscribe;
  }

  // ——— transactions ———

  async getTransaction(hash: string): Promise<OcapTx> {
    const tx = await this.#txs.read(checkHash(hash));
    if (!tx) throw new OcapError('NOT_FOUND', `The Arc node knows no transaction ${hash}.`);
    return tx;
  }

  waitForTransaction(hash: string, options: WaitOptions = {}): Promise<OcapTx> {
    return this.#txs.wait(checkHash(hash), options);
  }

  async getBalance(address: string): Promise<bigint> {
    checkAddress(address);
    return (await this.#call(() => this.#api.getAccount(address))).balance;
  }

  async estimateFee(request: { from: string; to: string; amount: bigint }): Promise<FeeEstimate> {
    checkAddress(request.from);
    checkAddress(request.to);
    const { minFee } = await this.#chain();
    return { fee: minFee, rate: minFee, unit: 'flat' };
  }

  async transfer(signer: OcapSigner, request: TransferRequest): Promise<SendResult> {
    checkAddress(request.to);
    checkAmount(request.amount);
    return this.#send(
      signer,
      request,
      { op: 'transfer', to: request.to, amount: request.amount },
      transferItx(request.to, { amount: request.amount }),
    );
  }

  async broadcast(rawTx: string, options: SendOptions = {}): Promise<SendResult> {
    const hex = rawTx.replace(/^0x/, '').toLowerCase();
    if (hex.length === 0 || !isHex(hex))
      throw new OcapError('INVALID_ARGUMENT', 'A raw transaction is the hex of an encoded, signed Arc transaction.');
    let from: string;
    let nonce: number;
    try {
      ({ from, nonce } = decodeTx(fromHex(hex)));
    } catch (error) {
      throw new OcapError('INVALID_ARGUMENT', `Not an encoded Arc transaction: ${(error as Error).message}.`, { cause: error });
    }
    const idempotency = await this.#idempotencyFor();
    return idempotency.run(options.idempotencyKey, { op: 'broadcast', from, rawTx: hex }, async () => {
      const sent = await this.#call(() => this.#api.sendRaw(hex), 'send');
      return { hash: sent.hash, from, nonce };
    });
  }

  async #idempotencyFor(): Promise<Idempotency> {
    const { chainId } = await this.#chain();
    this.#idempotency ??= new Idempotency(this.#store, `native/${chainId}`);
    return this.#idempotency;
  }

  /**
   * Signs and sends one transaction under the signer's next nonce, once per idempotency key.
   * `check` runs inside the idempotent part, so a repeated key returns the first result instead of re-checking.
   */
  async #send(
    signer: OcapSigner,
    request: SendOptions,
    payload: Record<string, unknown>,
    itx: Itx,
    check?: () => Promise<void>,
  ): Promise<SendResult> {
    const did = checkSigner(signer);
    const idempotency = await this.#idempotencyFor();
    return idempotency.run(request.idempotencyKey, { ...payload, from: did }, async () => {
      await check?.();
      return this.#call(
        () =>
          this.#nonces.send(
            did,
            () => this.#api.nextNonce(did),
            (nonce) => this.#submitWithNonceRetry(signer, did, itx, nonce),
          ),
        'send',
      );
    });
  }

  /** Sends under `nonce`; when someone else used the key meanwhile, asks the chain for the nonce once more. */
  async #submitWithNonceRetry(signer: OcapSigner, did: string, itx: Itx, nonce: number): Promise<SendResult> {
    try {
      return await this.#submit(signer, did, itx, nonce);
    } catch (error) {
      if (!(error instanceof NodeApiError) || !NONCE_CODES.has(error.code)) throw error;
      const fresh = await this.#api.nextNonce(did);
      if (fresh === nonce) throw error;
      const result = await this.#submit(signer, did, itx, fresh);
      // The local count is off; the next send asks the node again.
      this.#nonces.reset(did);
      return result;
    }
  }

  async #submit(signer: OcapSigner, did: string, itx: Itx, nonce: number): Promise<SendResult> {
    const chain = await this.#chain();
    const sent = await this.#api.sendRaw(signedTxHex(signer, { chainId: chain.ledgerChainId, nonce, fee: chain.minFee, itx }));
    const moved = itx.type === 'transfer' ? { to: itx.to, value: itx.amount } : { to: null, value: 0n };
    this.#txs.remember(sent.hash, { from: did, ...moved, fee: chain.minFee });
    return { hash: sent.hash, from: did, nonce };
  }

  // ——— tokens ———

  async getTokenInfo(token: string): Promise<TokenInfo> {
    checkAddress(token, 'token');
    const info = await this.#call(() => this.#api.getToken(token));
    return { address: info.address, symbol: info.symbol, name: info.name, decimals: info.decimals, totalSupply: info.totalSupply };
  }

  async getTokenBalance(token: string, owner: string): Promise<bigint> {
    checkAddress(token, 'token');
    checkAddress(owner);
    const account = await this.#call(() => this.#api.getAccount(owner));
    const held = account.tokens.find((t) => t.address === token);
    if (held) return held.amount;
    // A zero balance of a token that does not exist is a mistake worth reporting.
    await this.getTokenInfo(token);
    return 0n;
  }

  async transferToken(signer: OcapSigner, request: TokenTransferRequest): Promise<SendResult> {
    checkAddress(request.token, 'token');
    checkAddress(request.to);
    checkAmount(request.amount);
    const payload = { op: 'transferToken', token: request.token, to: request.to, amount: request.amount };
    // The ledger takes a transfer whose fee is paid and fails it in its block (the fee charged) when the token is
    // unknown or the balance too low. Ask first, as an Ethereum adapter estimates gas: a mistake costs nothing.
    const check = async () => {
      const held = await this.getTokenBalance(request.token, checkSigner(signer));
      if (held < request.amount) {
        throw new OcapError(
          'INSUFFICIENT_FUNDS',
          `${checkSigner(signer)} holds ${held} of token ${request.token} (smallest units), less than the ${request.amount} to send.`,
        );
      }
    };
    const itx = transferItx(request.to, { tokens: [{ token: request.token, amount: request.amount }] });
    return this.#send(signer, request, payload, itx, check);
  }

  // ——— assets ———

  async getAsset(asset: string): Promise<AssetInfo> {
    checkAddress(asset, 'asset');
    const found = await this.#call(() => this.#api.getAsset(asset));
    return { id: found.address, owner: found.owner, uri: found.moniker !== '' ? found.moniker : found.data !== '' ? found.data : null };
  }

  async transferAsset(signer: OcapSigner, request: AssetTransferRequest): Promise<SendResult> {
    checkAddress(request.asset, 'asset');
    checkAddress(request.to);
    const owner = checkSigner(signer);
    const payload = { op: 'transferAsset', asset: request.asset, to: request.to };
    // The ledger would refuse a non-owner too, but only once the transaction is in a block when others are pending.
    const check = async () => {
      const found = await this.#call(() => this.#api.getAsset(request.asset));
      if (found.owner !== owner) throw new OcapError('FORBIDDEN', `Asset ${request.asset} belongs to ${found.owner}, not ${owner}.`);
      if (found.consumed) throw new OcapError('FORBIDDEN', `Asset ${request.asset} has been consumed and can no longer move.`);
      if (!found.transferable) throw new OcapError('FORBIDDEN', `Asset ${request.asset} was created non-transferable.`);
    };
    return this.#send(signer, request, payload, transferItx(request.to, { assets: [request.asset] }), check);
  }

  // ——— events ———

  events(options: StreamOptions = {}): EventStream {
    const source = this.#blocks.streamSource();
    const stream = createEventStream(source, { ...options, pollMs: options.pollMs ?? this.#pollMs ?? STREAM_POLL_MS_DEFAULT });
    const close = () => {
      this.#closers.delete(close);
      stream.close();
    };
    this.#closers.add(close);
    return { [Symbol.asyncIterator]: () => stream[Symbol.asyncIterator](), checkpoint: () => stream.checkpoint(), close };
  }

  async close(): Promise<void> {
    for (const close of [...this.#closers]) close();
  }
}
