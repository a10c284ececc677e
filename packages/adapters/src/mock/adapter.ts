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
  formatChainId,
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
import { Idempotency, type IdempotencyStore, MemoryIdempotencyStore } from '../shared/idempotency.ts';
import { KeyedSerial } from '../shared/serial.ts';
import { MOCK_LIMITS_DEFAULT, MockChain, type MockLimits } from './chain.ts';
import { checkAddress, checkAmount, checkHash, checkNonNegative, type MockTokenPreset, tokenOp } from './checks.ts';
import { Faults, type MockFaultableMethod } from './faults.ts';
import { decodeMockTx, MOCK_ADDRESS, type MockSignedTx, type MockTxBody, mockSigner, signMockTx } from './keys.ts';
import { createMockNative, type MockNative } from './native.ts';
import type { MockDevOp } from './state.ts';
import { copyHeader, mockStreamSource, nextChange, subscribeToChain } from './watch.ts';

/** Defaults of the mock adapter. */
export const MOCK_DEFAULTS = {
  name: 'local',
  /** The flat fee of every signed transaction, in the smallest unit. */
  feePerTx: 1_000n,
  nativeSymbol: 'MOCK',
  nativeDecimals: 18,
  /** Poll interval of event streams (the in-memory chain is cheap to ask). */
  streamPollMs: 50,
  waitTimeoutMs: 60_000,
} as const;

export interface MockAdapterOptions {
  /** The chain's name: the chain id is `mock:<name>` (default `mock:local`). */
  name?: string;
  /** Mine a block every this many ms (0 or absent: blocks only come from `native.mine()` or `automine`). */
  blockTimeMs?: number;
  /** Mine each send (and each emitted log) into its own block at once. */
  automine?: boolean;
  /** Genesis balances by address. */
  accounts?: Record<string, bigint>;
  /** The flat fee of every signed transaction (default 1000n). */
  feePerTx?: bigint;
  /** Tokens created at genesis. */
  tokens?: MockTokenPreset[];
  /** Where idempotency keys are remembered (default: in memory). */
  idempotencyStore?: IdempotencyStore;
  /** The clock for block timestamps (default Date.now). */
  now?: () => number;
  /** Poll interval of event streams unless a stream passes its own. */
  pollMs?: number;
  limits?: Partial<MockLimits>;
}

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
    const name = options.name ?? MOCK_DEFAULTS.name;
    this.#chainId = formatChainId('mock', name);
    const feePerTx = options.feePerTx ?? MOCK_DEFAULTS.feePerTx;
    if (typeof feePerTx !== 'bigint' || feePerTx < 0n)
      throw new OcapError('INVALID_ARGUMENT', `feePerTx is a bigint from 0, not ${String(feePerTx)}.`);
    this.#blockTimeMs = options.blockTimeMs ?? 0;
    if (!Number.isSafeInteger(this.#blockTimeMs) || this.#blockTimeMs < 0) {
      throw new OcapError('INVALID_ARGUMENT', `blockTimeMs is a whole number of ms from 0, not ${this.#blockTimeMs}.`);
    }
    this.#automine = options.automine ?? false;
    this.#pollMs = options.pollMs ?? MOCK_DEFAULTS.streamPollMs;
    const genesis: MockDevOp[] = [];
    for (const [address, amount] of Object.entries(options.accounts ?? {})) {
      genesis.push({ op: 'fund', address: checkAddress(address), amount: checkNonNegative(amount, 'A genesis balance') });
    }
    for (const token of options.tokens ?? []) genesis.push(tokenOp(token));
    const limits = { ...MOCK_LIMITS_DEFAULT, ...options.limits };
    for (const [limit, value] of Object.entries(limits)) {
      if (!Number.isSafeInteger(value) || value < 1)
        throw new OcapError('INVALID_ARGUMENT', `limits.${limit} is a whole number from 1, not ${value}.`);
    }
    this.#chain = new MockChain(this.#chainId, feePerTx, options.now ?? Date.now, limits, genesis);
    this.#idempotency = new Idempotency(options.idempotencyStore ?? new MemoryIdempotencyStore(), `mock/${this.#chainId}`);
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
    const tx = this.#readTx(checkHash(hash));
    if (!tx) throw new OcapError('NOT_FOUND', `The mock chain knows no transaction ${hash} (never sent, dropped by a reorg, or pruned).`);
    return tx;
  }

  #readTx(hash: string): OcapTx | null {
    const found = this.#chain.lookupTx(hash);
    if (!found) return null;
    const { entry } = found;
    const moved =
      entry.kind === 'log'
        ? { from: entry.address, to: null, value: 0n }
        : { from: entry.from, to: entry.to, value: entry.kind === 'transfer' ? entry.amount : 0n };
    if (found.status === 'pending')
      return { hash, status: 'pending', ...moved, fee: null, blockHeight: null, blockHash: null, confirmations: 0 };
    const { header } = found.block;
    const tx: OcapTx = {
      hash,
      status: found.outcome.status,
      ...moved,
      fee: found.outcome.fee,
      blockHeight: header.height,
      blockHash: header.hash,
      confirmations: this.#chain.head.header.height - header.height + 1,
    };
    if (found.outcome.error !== undefined) tx.error = found.outcome.error;
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
      const tx = this.#readTx(wanted);
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
