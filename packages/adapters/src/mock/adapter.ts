import {
  type AssetInfo,
  type AssetTransferRequest,
  type BlockRef,
  type Capabilities,
  type ChainAdapter,
  type ChainId,
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
import { createEventStream } from '../shared/event-stream.ts';
import { Idempotency } from '../shared/idempotency.ts';
import { KeyedSerial } from '../shared/serial.ts';
import { MockChain } from './chain.ts';
import { checkAddress, checkAmount, checkHash } from './checks.ts';
import { Faults, type MockFaultableMethod } from './faults.ts';
import { decodeMockTx, MOCK_ADDRESS, type MockSignedTx, type MockTxBody, mockSigner, signMockTx } from './keys.ts';
import { createMockNative, type MockNative } from './native.ts';
import { MOCK_DEFAULTS, type MockAdapterOptions, mockSettings } from './options.ts';
import { readMockTx } from './transactions.ts';
import { copyHeader, mockStreamSource, nextChange, subscribeToChain } from './watch.ts';

export type MockAdapter = ChainAdapter<MockNative>;

/** An in-memory chain behind the OCAP interface: a product feature for starting without a node, held to the conformance suite. */
export function createMockAdapter(options: MockAdapterOptions = {}): MockAdapter {
  return new MockChainAdapter(options);
}

class MockChainAdapter implements MockAdapter {
  readonly name = 'mock';
  readonly native: MockNative;
  readonly #chainId: ChainId;
  readonly #chain: MockChain;
  readonly #faults = new Faults();
  /** Sends of one signer run one at a time, so each reads the nonce its predecessor left. */
  readonly #perSigner = new KeyedSerial();
  readonly #idempotency: Idempotency;
  readonly #blockTimeMs: number;
  readonly #automine: boolean;
  readonly #pollMs: number;
  readonly #closers = new Set<() => void>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #closed = false;

  constructor(options: MockAdapterOptions) {
    const settings = mockSettings(options);
    this.#chainId = settings.chainId;
    this.#blockTimeMs = settings.blockTimeMs;
    this.#automine = settings.automine;
    this.#pollMs = settings.pollMs;
    this.#chain = new MockChain(this.#chainId, settings.feePerTx, settings.now, settings.limits, settings.genesis);
    this.#idempotency = new Idempotency(settings.idempotencyStore, `mock/${this.#chainId}`);
    this.native = createMockNative({
      chain: this.#chain,
      faults: this.#faults,
      build: (signer, body) => this.#build(signer, body),
      afterSend: () => this.#afterSend(),
    });
    if (this.#blockTimeMs > 0) {
      this.#timer = setInterval(() => this.#chain.mine(1), this.#blockTimeMs);
      // A dev chain's clock should not keep a finished process alive.
      this.#timer.unref?.();
    }
  }

  /** Throws an armed fault for this call, if any. */
  #fault(method: MockFaultableMethod): void {
    this.#faults.check(method, this.#chainId);
  }

  async info(): Promise<ChainInfo> {
    this.#fault('info');
    return {
      chainId: this.#chainId,
      adapter: this.name,
      name: `Mock chain ${this.#chainId.slice('mock:'.length)}`,
      nativeSymbol: MOCK_DEFAULTS.nativeSymbol,
      nativeDecimals: MOCK_DEFAULTS.nativeDecimals,
      blockTimeMs: this.#blockTimeMs,
    };
  }

  capabilities(): Capabilities {
    return { accounts: 'native', tokens: 'native', assets: 'native', events: 'native', reorgs: 'native', native: 'native' };
  }

  signer(secretKey: Uint8Array): OcapSigner {
    return mockSigner(secretKey);
  }

  isAddress(address: string): boolean {
    return typeof address === 'string' && MOCK_ADDRESS.test(address);
  }

  accountId(address: string): string {
    return formatAccountId(this.#chainId, checkAddress(address));
  }

  // ——— blocks ———

  async getLatestBlock(): Promise<OcapBlock> {
    this.#fault('getLatestBlock');
    return copyHeader(this.#chain.head.header);
  }

  async getBlock(ref: BlockRef): Promise<OcapBlock> {
    this.#fault('getBlock');
    if ('hash' in ref) {
      const block = this.#chain.blockByHash(checkHash(ref.hash));
      if (!block) throw new OcapError('NOT_FOUND', `The mock chain has no block ${ref.hash} (not canonical, pruned, or never made).`);
      return copyHeader(block.header);
    }
    if (!Number.isSafeInteger(ref.height) || ref.height < 0)
      throw new OcapError('INVALID_ARGUMENT', `A block height is a whole number from 0, not ${ref.height}.`);
    const block = this.#chain.blockAt(ref.height);
    if (!block) {
      const why =
        ref.height > this.#chain.head.header.height
          ? `the head is ${this.#chain.head.header.height}`
          : `blocks below ${this.#chain.oldestHeight} were pruned`;
      throw new OcapError('NOT_FOUND', `The mock chain has no block at height ${ref.height}: ${why}.`);
    }
    return copyHeader(block.header);
  }

  subscribeBlocks(onBlock: (block: OcapBlock) => void, options: { pollMs?: number; onError?: (error: unknown) => void } = {}): Unsubscribe {
    const stop = subscribeToChain(this.#chain, onBlock, options.onError);
    const unsubscribe = () => {
      stop();
      this.#closers.delete(unsubscribe);
    };
    this.#closers.add(unsubscribe);
    return unsubscribe;
  }

  // ——— transactions ———

  async getTransaction(hash: string): Promise<OcapTx> {
    this.#fault('getTransaction');
    const tx = readMockTx(this.#chain, checkHash(hash));
    if (!tx) throw new OcapError('NOT_FOUND', `The mock chain knows no transaction ${hash} (never sent, dropped by a reorg, or pruned).`);
    return tx;
  }

  async waitForTransaction(hash: string, options: WaitOptions = {}): Promise<OcapTx> {
    this.#fault('waitForTransaction');
    const wanted = checkHash(hash);
    const confirmations = options.confirmations ?? 1;
    if (!Number.isSafeInteger(confirmations) || confirmations < 1) {
      throw new OcapError('INVALID_ARGUMENT', `confirmations is a whole number from 1, not ${confirmations}.`);
    }
    const timeoutMs = options.timeoutMs ?? MOCK_DEFAULTS.waitTimeoutMs;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const tx = readMockTx(this.#chain, wanted);
      if (!tx) throw new OcapError('NOT_FOUND', `The mock chain knows no transaction ${hash} (never sent, dropped by a reorg, or pruned).`);
      if (tx.status === 'failed' || (tx.status === 'success' && tx.confirmations >= confirmations)) return tx;
      const leftMs = deadline - Date.now();
      if (leftMs <= 0) {
        throw new OcapError(
          'TIMEOUT',
          `Transaction ${hash} did not reach ${confirmations} confirmation(s) within ${timeoutMs} ms; mine blocks (native.mine) or set blockTimeMs.`,
        );
      }
      await this.#nextChange(leftMs);
      if (this.#closed) throw new OcapError('UNAVAILABLE', `The mock adapter was closed while waiting for ${hash}.`);
    }
  }

  /** Waits for the next change of the chain (or `timeoutMs`), ending early when the adapter closes. */
  #nextChange(timeoutMs: number): Promise<void> {
    const { promise, cancel } = nextChange(this.#chain, timeoutMs);
    this.#closers.add(cancel);
    return promise.finally(() => this.#closers.delete(cancel));
  }

  async getBalance(address: string): Promise<bigint> {
    this.#fault('getBalance');
    return this.#chain.state.balanceOf(checkAddress(address));
  }

  async estimateFee(request: { from: string; to: string; amount: bigint }): Promise<FeeEstimate> {
    this.#fault('estimateFee');
    checkAddress(request.from);
    checkAddress(request.to);
    return { fee: this.#chain.feePerTx, rate: this.#chain.feePerTx, unit: 'flat' };
  }

  async transfer(signer: OcapSigner, request: TransferRequest): Promise<SendResult> {
    this.#fault('transfer');
    const to = checkAddress(request.to);
    const amount = checkAmount(request.amount);
    return this.#send(signer, request, { kind: 'transfer', to, amount });
  }

  async broadcast(rawTx: string, options: SendOptions = {}): Promise<SendResult> {
    this.#fault('broadcast');
    const tx = decodeMockTx(rawTx);
    return this.#idempotency.run(options.idempotencyKey, { op: 'broadcast', from: tx.from, hash: tx.hash }, () =>
      this.#inTurn(tx.from, () => this.#admit(tx)),
    );
  }

  /**
   * Signs and admits one transaction under the signer's next nonce, once per idempotency key. Sends of one signer
   * run in order; the nonce is read from the ledger each time (mined + pending), which is exact in memory and
   * stays right after a reorg or a transaction broadcast from elsewhere.
   */
  #send(
    signer: OcapSigner,
    request: SendOptions,
    body: Pick<MockTxBody, 'kind' | 'to' | 'amount' | 'token' | 'asset'>,
  ): Promise<SendResult> {
    const from = signer.address;
    return this.#idempotency.run(request.idempotencyKey, { op: body.kind, from, ...body }, () =>
      this.#inTurn(from, () => this.#admit(this.#build(signer, body))),
    );
  }

  /** Runs a send in the signer's turn; a signer with too many sends queued is UNAVAILABLE (retry later). */
  #inTurn(from: string, send: () => SendResult): Promise<SendResult> {
    const queuedMax = this.#perSigner.maxQueued;
    return this.#perSigner
      .run(from, async () => send())
      .catch((error: unknown) => {
        if (error instanceof RangeError && error.message.includes('queued')) {
          throw new OcapError('UNAVAILABLE', `More than ${queuedMax} sends of ${from} are waiting their turn; retry later.`, {
            cause: error,
          });
        }
        throw error;
      });
  }

  #build(
    signer: OcapSigner,
    body: Pick<MockTxBody, 'kind' | 'to' | 'amount' | 'token' | 'asset'> & { nonce?: number; fee?: bigint },
  ): MockSignedTx {
    const { nonce, fee, ...rest } = body;
    return signMockTx(signer, {
      ...rest,
      chainId: this.#chainId,
      from: signer.address,
      nonce: nonce ?? this.#chain.nextNonce(signer.address),
      fee: fee ?? this.#chain.feePerTx,
    });
  }

  #admit(tx: MockSignedTx): SendResult {
    this.#chain.admit(tx);
    this.#afterSend();
    return { hash: tx.hash, from: tx.from, nonce: tx.nonce };
  }

  #afterSend(): void {
    if (this.#automine) this.#chain.mine(1);
  }

  // ——— tokens ———

  async getTokenInfo(token: string): Promise<TokenInfo> {
    this.#fault('getTokenInfo');
    return this.#tokenInfo(token);
  }

  #tokenInfo(token: string): TokenInfo {
    const found = this.#chain.state.tokens.get(checkAddress(token, 'token'));
    if (!found) throw new OcapError('NOT_FOUND', `The mock chain has no token ${token}.`);
    return { address: found.address, symbol: found.symbol, name: found.name, decimals: found.decimals, totalSupply: found.totalSupply };
  }

  async getTokenBalance(token: string, owner: string): Promise<bigint> {
    this.#fault('getTokenBalance');
    checkAddress(owner);
    this.#tokenInfo(token);
    return this.#chain.state.tokenBalanceOf(token, owner);
  }

  async transferToken(signer: OcapSigner, request: TokenTransferRequest): Promise<SendResult> {
    this.#fault('transferToken');
    const token = checkAddress(request.token, 'token');
    const to = checkAddress(request.to);
    const amount = checkAmount(request.amount);
    return this.#send(signer, request, { kind: 'tokenTransfer', to, amount, token });
  }

  // ——— assets ———

  async getAsset(asset: string): Promise<AssetInfo> {
    this.#fault('getAsset');
    const found = this.#chain.state.assets.get(checkAddress(asset, 'asset'));
    if (!found) throw new OcapError('NOT_FOUND', `The mock chain has no asset ${asset}.`);
    return { id: found.id, owner: found.owner, uri: found.uri };
  }

  async transferAsset(signer: OcapSigner, request: AssetTransferRequest): Promise<SendResult> {
    this.#fault('transferAsset');
    const asset = checkAddress(request.asset, 'asset');
    const to = checkAddress(request.to);
    return this.#send(signer, request, { kind: 'assetTransfer', to, amount: 1n, asset });
  }

  // ——— events ———

  events(options: StreamOptions = {}): EventStream {
    const stream = createEventStream(mockStreamSource(this.#chain), { ...options, pollMs: options.pollMs ?? this.#pollMs });
    const close = () => {
      this.#closers.delete(close);
      stream.close();
    };
    this.#closers.add(close);
    return { [Symbol.asyncIterator]: () => stream[Symbol.asyncIterator](), checkpoint: () => stream.checkpoint(), close };
  }

  /** Stops the block timer, block subscriptions, waits and event streams. The chain's data stays readable. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    for (const close of [...this.#closers]) close();
  }
}
