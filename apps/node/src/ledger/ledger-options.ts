import type { GenesisConfig, KeyPair } from '@arc/core';
import type { MempoolLimits } from './mempool.ts';
import { REJECTION_LIMITS_DEFAULT, type RejectionLimits } from './rejection-limiter.ts';
import { TRIE_LIMITS_DEFAULT, type TrieLimits } from './state-trie.ts';
import { TX_WAITER_LIMITS_DEFAULT, type TxWaiterLimits } from './tx-waiters.ts';
import { VERIFY_BATCH_TIMEOUT_MS_DEFAULT } from './verify-pool.ts';

/** What a Ledger is made with: its chain, key, pacing and bounds (ledger.ts). */
export interface LedgerOptions {
  genesis: GenesisConfig;
  nodeKey: KeyPair;
  /** The longest the chain goes without a block while idle (an empty block marks time). */
  blockIntervalMs: number;
  mempool: MempoolLimits;
  verifyThreads: number;
  /** Bounds with defaults (LEDGER_LIMITS_DEFAULT); the node's configuration sets some of them. */
  limits?: Partial<LedgerLimits>;
  /**
   * A process of a cloud node (cloud/README.md): it produces only while it holds the producer lease (setProducing),
   * reloading the head from the shared database first, and prunes the trie only then.
   */
  cloud?: boolean;
  now: () => number;
  log: (line: string) => void;
}

/** The ledger's bounds besides the mempool's. */
export interface LedgerLimits {
  /** What a rejected transaction costs its sender (rejection-limiter.ts). */
  rejections: RejectionLimits;
  /** Open tx.wait calls (tx-waiters.ts). */
  txWaiters: TxWaiterLimits;
  /** A signature batch not answered within this is sent to another worker (verify-pool.ts). */
  verifyBatchTimeoutMs: number;
  /** The state trie's cache and kept roots (state-trie.ts). */
  trie: TrieLimits;
}

export const LEDGER_LIMITS_DEFAULT: LedgerLimits = {
  rejections: REJECTION_LIMITS_DEFAULT,
  txWaiters: TX_WAITER_LIMITS_DEFAULT,
  verifyBatchTimeoutMs: VERIFY_BATCH_TIMEOUT_MS_DEFAULT,
  trie: TRIE_LIMITS_DEFAULT,
};

export interface Head {
  height: number;
  hash: Uint8Array;
  stateRoot: Uint8Array;
  timeMs: number;
}
