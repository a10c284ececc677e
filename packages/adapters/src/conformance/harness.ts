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
