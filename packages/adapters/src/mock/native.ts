import { type AssetInfo, type OcapBlock, OcapError, type OcapErrorCode, type OcapSigner, type TokenInfo } from '@arc/core';
import type { MockChain } from './chain.ts';
import { checkAddress, checkNonNegative, type MockTokenPreset, tokenOp } from './checks.ts';
import type { FailNextOptions, Faults } from './faults.ts';
import { decodeMockTx, encodeMockTx, type MockSignedTx, type MockTxBody } from './keys.ts';
import type { MockEntry } from './state.ts';

/** Most topics on one emitted log, longest topic, longest data (hex characters), longest asset URI. */
export const MOCK_LOG_TOPICS_MAX = 4;
export const MOCK_LOG_TOPIC_CHARS_MAX = 128;
export const MOCK_LOG_DATA_HEX_MAX = 16_384;
export const MOCK_ASSET_URI_CHARS_MAX = 2_048;

/** A transaction to build and sign without sending; nonce and fee default to the signer's next nonce and the chain's fee. */
export interface MockBuildRequest {
  kind?: MockTxBody['kind'];
  to: string;
  /** Required for transfers and token transfers. */
  amount?: bigint;
  token?: string;
  asset?: string;
  nonce?: number;
  fee?: bigint;
}

/** A custom event, as a contract would log it. */
export interface MockLogInput {
  /** The "contract" that logs. */
  address: string;
  topics?: string[];
  /** Hex, `0x`-prefixed (default `0x`). */
  data?: string;
}

/**
 * Level 3 of the mock adapter: what a developer does to a chain of their own. Everything here is mock-only —
 * no real chain lets you mint money, set a balance or fork itself on request — and acts at once (synchronously).
 */
export interface MockNative {
  /** Mines `count` blocks (default 1) from the mempool; returns them. */
  mine(count?: number): OcapBlock[];
  /**
   * Replaces the newest `depth` blocks with as many new empty ones. The orphaned transactions go back to the
   * mempool (mined again by the next block) or, with `dropTxs`, are forgotten; state is replayed from the fork point.
   */
  reorg(depth: number, options?: { dropTxs?: boolean }): { orphaned: OcapBlock[]; blocks: OcapBlock[]; dropped: string[] };
  /** Adds `amount` to an address's balance, at once (mock-only). Returns the new balance. */
  fund(address: string, amount: bigint): bigint;
  /** Sets an address's balance, at once (mock-only). */
  setBalance(address: string, amount: bigint): void;
  /** Creates a fungible token whose whole supply the owner holds, at once. */
  createToken(token: Omit<MockTokenPreset, 'owner'> & { owner: string | OcapSigner }): TokenInfo;
  /** Mints a non-fungible asset owned by `owner`, at once. */
  mintAsset(owner: string | OcapSigner, uri?: string): AssetInfo;
  /** Queues a custom `log` event from `address` for the next block (mined at once with automine); returns its hash. */
  emit(log: MockLogInput): { hash: string };
  /** Builds and signs a native transfer for `broadcast`, without sending it (it takes the signer's next nonce, unreserved). */
  buildTransfer(signer: OcapSigner, request: { to: string; amount: bigint; nonce?: number; fee?: bigint }): string;
  /** Builds and signs any mock transaction for `broadcast`, without sending it. */
  buildTransaction(signer: OcapSigner, request: MockBuildRequest): string;
  /** Decodes and verifies a raw transaction (INVALID_ARGUMENT when malformed or badly signed). */
  decodeTransaction(raw: string): MockSignedTx;
  /** The nonce the address's next transaction must carry (mined plus pending). */
  nonceOf(address: string): number;
  /** What waits in the mempool, oldest first. */
  mempool(): MockEntry[];
  /** Every token, in creation order (genesis presets first). */
  tokens(): TokenInfo[];
  /** Makes the next matching adapter call(s) throw an OcapError with `code`, before doing anything. */
  failNext(code: OcapErrorCode, options?: FailNextOptions): void;
  /** Disarms every fault armed with failNext. */
  clearFaults(): void;
  /** Saves the whole chain; returns an id for `revert`. */
  snapshot(): string;
  /** Goes back to a snapshot; blocks made since are orphaned, as in a reorg (streams see removals). */
  revert(id: string): void;
}

/** What the level-3 calls need from the adapter. */
export interface MockNativeDeps {
  chain: MockChain;
  faults: Faults;
  build(
    signer: OcapSigner,
    body: Pick<MockTxBody, 'kind' | 'to' | 'amount' | 'token' | 'asset'> & { nonce?: number; fee?: bigint },
  ): MockSignedTx;
  /** Mines when the adapter automines. */
  afterSend(): void;
}

/** The level-3 object of a mock adapter. */
export function createMockNative({ chain, faults, build, afterSend }: MockNativeDeps): MockNative {
  const addressOf = (owner: string | OcapSigner) => checkAddress(typeof owner === 'string' ? owner : owner.address);
  const buildTransaction = (signer: OcapSigner, request: MockBuildRequest): string => {
    const kind = request.kind ?? 'transfer';
    const amount = kind === 'assetTransfer' ? 1n : request.amount;
    if (typeof amount !== 'bigint') throw new OcapError('INVALID_ARGUMENT', `A ${kind} needs a bigint amount.`);
    const body = {
      kind,
      to: checkAddress(request.to),
      amount,
      ...(kind === 'tokenTransfer' ? { token: checkAddress(request.token ?? '', 'token') } : {}),
      ...(kind === 'assetTransfer' ? { asset: checkAddress(request.asset ?? '', 'asset') } : {}),
      ...(request.nonce === undefined ? {} : { nonce: request.nonce }),
      ...(request.fee === undefined ? {} : { fee: request.fee }),
    };
    return encodeMockTx(build(signer, body));
  };
  return {
    mine: (count = 1) => chain.mine(count),
    reorg: (depth, options) => chain.reorg(depth, options),
    fund(address, amount) {
      chain.devOp({ op: 'fund', address: checkAddress(address), amount: checkNonNegative(amount, 'A funding amount') });
      return chain.state.balanceOf(address);
    },
    setBalance(address, amount) {
      chain.devOp({ op: 'setBalance', address: checkAddress(address), amount: checkNonNegative(amount, 'A balance') });
    },
    createToken(token) {
      const address = chain.devOp(tokenOp({ ...token, owner: addressOf(token.owner) })) as string;
      const made = chain.state.tokens.get(address);
      if (!made) throw new OcapError('INTERNAL', `mock ledger bug: token ${address} was not created`);
      return { address, symbol: made.symbol, name: made.name, decimals: made.decimals, totalSupply: made.totalSupply };
    },
    mintAsset(owner, uri) {
      if (uri !== undefined && (typeof uri !== 'string' || uri.length > MOCK_ASSET_URI_CHARS_MAX)) {
        throw new OcapError('INVALID_ARGUMENT', `An asset URI is a string of at most ${MOCK_ASSET_URI_CHARS_MAX} characters.`);
      }
      const id = chain.devOp({ op: 'mintAsset', owner: addressOf(owner), uri: uri ?? null }) as string;
      return { id, owner: addressOf(owner), uri: uri ?? null };
    },
    emit(log) {
      const topics = log.topics ?? [];
      const data = log.data ?? '0x';
      if (
        !Array.isArray(topics) ||
        topics.length > MOCK_LOG_TOPICS_MAX ||
        topics.some((t) => typeof t !== 'string' || t.length > MOCK_LOG_TOPIC_CHARS_MAX)
      ) {
        throw new OcapError(
          'INVALID_ARGUMENT',
          `A log has up to ${MOCK_LOG_TOPICS_MAX} topics of up to ${MOCK_LOG_TOPIC_CHARS_MAX} characters.`,
        );
      }
      if (typeof data !== 'string' || !/^0x([0-9a-fA-F]{2})*$/.test(data) || data.length > MOCK_LOG_DATA_HEX_MAX + 2) {
        throw new OcapError('INVALID_ARGUMENT', `Log data is 0x-prefixed hex of up to ${MOCK_LOG_DATA_HEX_MAX} characters.`);
      }
      const hash = chain.emit({ address: checkAddress(log.address), topics: [...topics], data: data.toLowerCase() });
      afterSend();
      return { hash };
    },
    buildTransfer: (signer, request) => buildTransaction(signer, { ...request, kind: 'transfer' }),
    buildTransaction,
    decodeTransaction: decodeMockTx,
    nonceOf: (address) => chain.nextNonce(checkAddress(address)),
    mempool: () => chain.mempool(),
    tokens: () =>
      [...chain.state.tokens.values()].map((t) => ({
        address: t.address,
        symbol: t.symbol,
        name: t.name,
        decimals: t.decimals,
        totalSupply: t.totalSupply,
      })),
    failNext: (code, options) => faults.arm(code, options),
    clearFaults: () => faults.clear(),
    snapshot: () => chain.snapshot(),
    revert: (id) => chain.revert(id),
  };
}
