import { ArcClient, buildTx, ClientError, type TransferInput, transfer, type Wallet } from '@arc/client';
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
import { type ErrorContext, toOcapError } from './errors.ts';
import { toOcapBlock, transferOf } from './records.ts';
import { nativeSigner, signerOf, walletOf } from './signer.ts';

/** Bounds of the native adapter. */
export const NATIVE_LIMITS = {
  /** Pause between status reads while waiting for a transaction. */
  waitPollMsDefault: 250,
  waitTimeoutMsDefault: 60_000,
  /** How long a hash the node does not know is waited for before NOT_FOUND (a send racing the read). */
  unknownTxGraceMs: 3_000,
  /** Sent transactions remembered so a pending or rejected one can still say who sent what. */
  sentCacheMax: 10_000,
  /** Recent blocks sampled to tell the block time. */
  blockTimeSampleBlocks: 16,
} as const;

const HASH = /^(0x)?[0-9a-fA-F]{64}$/;
const NONCE_CODES = new Set(['NONCE_TOO_LOW', 'NONCE_GAP']);

/** Level 3 of the native adapter: every ledger transaction type through the client, signed by an OCAP signer's wallet. */
export interface NativeNative {
  client: ArcClient;
  /** The wallet behind a signer of this adapter (INVALID_ARGUMENT for another adapter's signer). */
  wallet(signer: OcapSigner): Wallet;
  /** An OCAP signer for a wallet the caller already holds. */
  signerOf(wallet: Wallet): OcapSigner;
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

interface SentTx {
  from: string;
  to: string | null;
  value: bigint;
  fee: bigint;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The OCAP adapter of our own ledger, talking to an Arc node through @arc/client. */
export function createNativeAdapter(target: { url: string } | { client: ArcClient }, options: NativeAdapterOptions = {}): NativeAdapter {
  return new NativeChainAdapter('client' in target ? target.client : new ArcClient({ url: target.url }), options);
}

class NativeChainAdapter implements NativeAdapter {
  readonly name = 'native';
  readonly native: NativeNative;
  readonly #client: ArcClient;
  readonly #store: IdempotencyStore;
  readonly #pollMs: number | undefined;
  readonly #nonces = new NonceManager();
  readonly #blocks: BlockReader;
  readonly #sent = new Map<string, SentTx>();
  readonly #closers = new Set<() => void>();
  #constants: Promise<ChainConstants> | null = null;
  #known: ChainConstants | null = null;
  #idempotency: Idempotency | null = null;

  constructor(client: ArcClient, options: NativeAdapterOptions) {
    this.#client = client;
    this.#blocks = new BlockReader(client);
    this.#store = options.idempotencyStore ?? new MemoryIdempotencyStore();
    this.#pollMs = options.pollMs;
    this.native = { client, wallet: walletOf, signerOf };
    // Learn the chain id early so the synchronous accountId() can answer. A failure here is not lost: #chain()
    // forgets it and the next call asks again, reporting the error to its own caller.
    this.#chain().catch((error: unknown) => void error);
  }

  /** Chain id, fee and native token: fixed at genesis, asked once (again after a failure). */
  #chain(): Promise<ChainConstants> {
    this.#constants ??= this.#client.chainInfo().then(
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

  /** Runs a client call, turning every failure into an OcapError. */
  #call<T>(run: () => Promise<T>, context: ErrorContext = 'read'): Promise<T> {
    return mapped(run, context, this.#known?.chainId);
  }

  async info(): Promise<ChainInfo> {
    const chain = await this.#chain();
    const page = await this.#call(() => this.#client.listBlocks({ limit: NATIVE_LIMITS.blockTimeSampleBlocks }));
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
    const tx = await this.#readTx(checkHash(hash));
    if (!tx) throw new OcapError('NOT_FOUND', `The Arc node knows no transaction ${hash}.`);
    return tx;
  }

  /** The transaction as OCAP sees it, or null when the node does not know the hash. */
  async #readTx(hash: string): Promise<OcapTx | null> {
    const status = await this.#call(() => this.#client.getTx(hash));
    const sent = this.#sent.get(hash);
    const known = { from: sent?.from ?? null, to: sent?.to ?? null, value: sent?.value ?? 0n, fee: sent?.fee ?? null };
    switch (status.status) {
      case 'unknown':
        return null;
      case 'pending':
        return { hash, status: 'pending', ...known, fee: null, blockHeight: null, blockHash: null, confirmations: 0 };
      case 'rejected': {
        // The ledger drops a refused transaction from the block: nothing was charged, nothing moved.
        const why = status.error ? `${status.error.code}: ${status.error.message}` : 'rejected by the ledger';
        return { hash, status: 'failed', ...known, fee: 0n, blockHeight: null, blockHash: null, confirmations: 0, error: why };
      }
      case 'committed': {
        const record = status.tx;
        if (!record) throw new OcapError('INTERNAL', `The Arc node reports ${hash} committed but sends no transaction.`);
        const [head, block] = await Promise.all([this.#blocks.headHeight(), this.#blocks.at(record.height)]);
        const itx = transferOf(record);
        return {
          hash,
          status: 'success',
          from: record.from,
          to: itx?.to ?? null,
          value: itx?.amount ?? 0n,
          fee: record.fee,
          blockHeight: record.height,
          blockHash: block.hash,
          confirmations: Math.max(1, head - record.height + 1),
        };
      }
    }
  }

  async waitForTransaction(hash: string, options: WaitOptions = {}): Promise<OcapTx> {
    checkHash(hash);
    const confirmations = options.confirmations ?? 1;
    if (!Number.isSafeInteger(confirmations) || confirmations < 1) {
      throw new OcapError('INVALID_ARGUMENT', `confirmations is a whole number from 1, not ${confirmations}.`);
    }
    const timeoutMs = options.timeoutMs ?? NATIVE_LIMITS.waitTimeoutMsDefault;
    const pollMs = this.#pollMs ?? NATIVE_LIMITS.waitPollMsDefault;
    const started = Date.now();
    let unknownSince: number | null = null;
    for (;;) {
      const tx = await this.#readTx(hash);
      if (tx === null) {
        unknownSince ??= Date.now();
        if (Date.now() - unknownSince >= NATIVE_LIMITS.unknownTxGraceMs) {
          throw new OcapError('NOT_FOUND', `The Arc node knows no transaction ${hash}; it was never sent or was dropped from the mempool.`);
        }
      } else {
        unknownSince = null;
        if (tx.status === 'failed' || (tx.status === 'success' && tx.confirmations >= confirmations)) return tx;
      }
      if (Date.now() - started >= timeoutMs) {
        throw new OcapError(
          'TIMEOUT',
          `Transaction ${hash} did not reach ${confirmations} confirmation(s) within ${timeoutMs} ms; it may still.`,
        );
      }
      await sleep(Math.min(pollMs, Math.max(1, timeoutMs - (Date.now() - started))));
    }
  }

  async getBalance(address: string): Promise<bigint> {
    checkAddress(address);
    return (await this.#call(() => this.#client.getAccount(address))).balance;
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
    const wallet = walletOf(signer);
    return this.#send(
      wallet,
      request,
      { op: 'transfer', to: request.to, amount: request.amount },
      { to: request.to, amount: request.amount },
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
      const sent = await this.#call(() => this.#client.sendRaw(hex), 'send');
      return { hash: sent.hash, from, nonce };
    });
  }

  async #idempotencyFor(): Promise<Idempotency> {
    const { chainId } = await this.#chain();
    this.#idempotency ??= new Idempotency(this.#store, `native/${chainId}`);
    return this.#idempotency;
  }

  /**
   * Signs and sends one transfer-shaped transaction under the signer's next nonce, once per idempotency key.
   * `check` runs inside the idempotent part, so a repeated key returns the first result instead of re-checking.
   */
  async #send(
    wallet: Wallet,
    request: SendOptions,
    payload: Record<string, unknown>,
    input: TransferInput,
    check?: () => Promise<void>,
  ): Promise<SendResult> {
    const idempotency = await this.#idempotencyFor();
    return idempotency.run(request.idempotencyKey, { ...payload, from: wallet.did }, async () => {
      await check?.();
      const itx = transfer(input);
      const did = wallet.did;
      return this.#call(
        () =>
          this.#nonces.send(
            did,
            () => this.#client.nextNonce(did),
            (nonce) => this.#submitWithNonceRetry(wallet, itx, nonce),
          ),
        'send',
      );
    });
  }

  /** Sends under `nonce`; when someone else used the key meanwhile, asks the chain for the nonce once more. */
  async #submitWithNonceRetry(wallet: Wallet, itx: Itx, nonce: number): Promise<SendResult> {
    try {
      return await this.#submit(wallet, itx, nonce);
    } catch (error) {
      if (!(error instanceof ClientError) || !NONCE_CODES.has(error.code)) throw error;
      const fresh = await this.#client.nextNonce(wallet.did);
      if (fresh === nonce) throw error;
      const result = await this.#submit(wallet, itx, fresh);
      // The local count is off; the next send asks the client, which counts what it has sent.
      this.#nonces.reset(wallet.did);
      return result;
    }
  }

  async #submit(wallet: Wallet, itx: Itx, nonce: number): Promise<SendResult> {
    const chain = await this.#chain();
    const tx = wallet.signTx(buildTx({ chainId: chain.ledgerChainId, wallet, nonce, fee: chain.minFee, itx }));
    const sent = await this.#client.send(tx, { wait: false });
    const moved = itx.type === 'transfer' ? { to: itx.to, value: itx.amount } : { to: null, value: 0n };
    this.#sent.set(sent.hash, { from: wallet.did, ...moved, fee: chain.minFee });
    if (this.#sent.size > NATIVE_LIMITS.sentCacheMax) {
      const oldest = this.#sent.keys().next().value;
      if (oldest !== undefined) this.#sent.delete(oldest);
    }
    return { hash: sent.hash, from: wallet.did, nonce };
  }

  // ——— tokens ———

  async getTokenInfo(token: string): Promise<TokenInfo> {
    checkAddress(token, 'token');
    const info = await this.#call(() => this.#client.getToken({ address: token }));
    return { address: info.address, symbol: info.symbol, name: info.name, decimals: info.decimals, totalSupply: info.totalSupply };
  }

  async getTokenBalance(token: string, owner: string): Promise<bigint> {
    checkAddress(token, 'token');
    checkAddress(owner);
    const account = await this.#call(() => this.#client.getAccount(owner));
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
    const wallet = walletOf(signer);
    const payload = { op: 'transferToken', token: request.token, to: request.to, amount: request.amount };
    // With other transactions of the signer pending the ledger only refuses an unknown token in the block; ask first.
    const check = async () => void (await this.getTokenInfo(request.token));
    return this.#send(wallet, request, payload, { to: request.to, tokens: [{ token: request.token, amount: request.amount }] }, check);
  }

  // ——— assets ———

  async getAsset(asset: string): Promise<AssetInfo> {
    checkAddress(asset, 'asset');
    const found = await this.#call(() => this.#client.getAsset(asset));
    return { id: found.address, owner: found.owner, uri: found.moniker !== '' ? found.moniker : found.data !== '' ? found.data : null };
  }

  async transferAsset(signer: OcapSigner, request: AssetTransferRequest): Promise<SendResult> {
    checkAddress(request.asset, 'asset');
    checkAddress(request.to);
    const wallet = walletOf(signer);
    const payload = { op: 'transferAsset', asset: request.asset, to: request.to };
    // The ledger would refuse a non-owner too, but only once the transaction is in a block when others are pending.
    const check = async () => {
      const found = await this.#call(() => this.#client.getAsset(request.asset));
      if (found.owner !== wallet.did)
        throw new OcapError('FORBIDDEN', `Asset ${request.asset} belongs to ${found.owner}, not ${wallet.did}.`);
      if (found.consumed) throw new OcapError('FORBIDDEN', `Asset ${request.asset} has been consumed and can no longer move.`);
      if (!found.transferable) throw new OcapError('FORBIDDEN', `Asset ${request.asset} was created non-transferable.`);
    };
    return this.#send(wallet, request, payload, { to: request.to, assets: [request.asset] }, check);
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

function checkAddress(address: string, what = 'address'): void {
  if (typeof address !== 'string' || !isValidDid(address)) {
    throw new OcapError(
      'INVALID_ADDRESS',
      `"${String(address)}" is not a valid did:abt: ${what} (check for a missing or wrong character).`,
    );
  }
}

function checkAmount(amount: bigint): void {
  if (typeof amount !== 'bigint' || amount <= 0n)
    throw new OcapError('INVALID_ARGUMENT', `An amount is a bigint above 0 in the smallest unit, not ${String(amount)}.`);
}

/** The lower-case hex form the node names blocks and transactions by. */
function checkHash(hash: string): string {
  if (typeof hash !== 'string' || !HASH.test(hash))
    throw new OcapError('INVALID_ARGUMENT', `"${String(hash)}" is not a hash (64 hex characters).`);
  return hash.replace(/^0x/, '').toLowerCase();
}
