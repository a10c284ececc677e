import { type ChainId, formatChainId, OcapError } from '@arc/core';
import { type IdempotencyStore, MemoryIdempotencyStore } from '../shared/idempotency.ts';
import { MOCK_LIMITS_DEFAULT, type MockLimits } from './chain.ts';
import { checkAddress, checkNonNegative, type MockTokenPreset, tokenOp } from './checks.ts';
import type { MockDevOp } from './state.ts';

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

/** The options checked, with their defaults filled in. */
export interface MockSettings {
  chainId: ChainId;
  feePerTx: bigint;
  blockTimeMs: number;
  automine: boolean;
  pollMs: number;
  /** Genesis balances and tokens, as developer operations of the genesis block. */
  genesis: MockDevOp[];
  limits: MockLimits;
  idempotencyStore: IdempotencyStore;
  now: () => number;
}

/** Checks the options (INVALID_ARGUMENT naming the bad one) and fills in the defaults. */
export function mockSettings(options: MockAdapterOptions): MockSettings {
  const chainId = formatChainId('mock', options.name ?? MOCK_DEFAULTS.name);
  const feePerTx = options.feePerTx ?? MOCK_DEFAULTS.feePerTx;
  if (typeof feePerTx !== 'bigint' || feePerTx < 0n)
    throw new OcapError('INVALID_ARGUMENT', `feePerTx is a bigint from 0, not ${String(feePerTx)}.`);
  const blockTimeMs = options.blockTimeMs ?? 0;
  if (!Number.isSafeInteger(blockTimeMs) || blockTimeMs < 0) {
    throw new OcapError('INVALID_ARGUMENT', `blockTimeMs is a whole number of ms from 0, not ${blockTimeMs}.`);
  }
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
  return {
    chainId,
    feePerTx,
    blockTimeMs,
    automine: options.automine ?? false,
    pollMs: options.pollMs ?? MOCK_DEFAULTS.streamPollMs,
    genesis,
    limits,
    idempotencyStore: options.idempotencyStore ?? new MemoryIdempotencyStore(),
    now: options.now ?? Date.now,
  };
}
