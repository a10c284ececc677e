import type { ChainAdapter, OcapSigner } from '@arc/core';

/**
 * What an adapter's author hands the conformance suite: a live adapter plus the few things only the author
 * knows how to do on that chain (fund an account, make blocks, fork the chain).
 */
export interface ConformanceHarness<A extends ChainAdapter = ChainAdapter> {
  adapter: A;
  /** A signer holding enough native coin for ~300 sends of `transferAmount` plus fees. */
  funded: OcapSigner;
  /** Amount used by the native transfer scenarios (small, well above dust limits). */
  transferAmount: bigint;
  /** A well-formed hash of this chain that names no transaction. */
  unknownTxHash: string;
  /** A fresh secret key accepted by `adapter.signer` (default: 32 random bytes). */
  newSecretKey?(): Uint8Array;
  /**
   * Makes `n` new blocks now, including pending transactions (anvil `evm_mine`, `generatetoaddress`, the mock's
   * `mine`); chains that make blocks on their own may simply wait for `n` more.
   */
  mine(n: number): Promise<void>;
  /** Replaces the newest `depth` blocks with a new branch of at least the same height. Required when capabilities().reorgs is not false. */
  reorg?(depth: number): Promise<void>;
  /** Required when capabilities().tokens is not false: a token and a signer holding at least `amount` of it (and native coin for fees). */
  token?: { address: string; holder: OcapSigner; amount: bigint };
  /** Required when capabilities().assets is not false: mints a new asset owned by `owner`, returns its id. */
  mintAsset?(owner: OcapSigner): Promise<string>;
  /**
   * A native transfer of `amount` from `signer` to `to`, signed but not sent, in the chain's own raw encoding (what
   * `broadcast` takes). Without it the suite cannot hold `broadcast` to its idempotency key and skips that check.
   */
  signTransfer?(signer: OcapSigner, request: { to: string; amount: bigint }): Promise<string>;
  /** Stops whatever the harness started (the adapter is closed by the suite). */
  close?(): Promise<void>;
}

export interface ConformanceOptions {
  /** How many sends from one key run in parallel in the nonce scenario (default 50). */
  parallelSends?: number;
  /** Per-test timeout in ms (default 120 000). */
  timeoutMs?: number;
  /** Poll interval handed to streams and subscriptions (default 50 ms). */
  pollMs?: number;
}

/** What a check may do besides assert: skip itself, naming the capability or harness part it lacks. */
export interface CheckContext {
  skip(reason: string): never;
}

export type CheckFn = (ctx: CheckContext) => Promise<void> | void;

/**
 * The four registration calls the suite needs. Vitest's own functions implement it (`runConformance`), and so does
 * the programmatic runner (`checkConformance`), so one set of checks serves both adapter test files and the tests
 * that prove the suite catches broken adapters.
 */
export interface ConformanceApi {
  describe(name: string, body: () => void): void;
  it(name: string, fn: CheckFn): void;
  beforeAll(fn: () => Promise<void>): void;
  afterAll(fn: () => Promise<void>): void;
}
