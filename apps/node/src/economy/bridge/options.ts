/** The bridge's configuration, its named bounds and the words its parts share (README.md says how they fit). */

export const BRIDGE_LIMITS = {
  /** How often the relayer makes a pass. */
  intervalMs: 1_000,
  /** How often the Ethereum event stream looks for new blocks. */
  streamPollMs: 250,
  /** How long one pass waits for the next burn before it moves on (the stream keeps reading meanwhile). */
  streamIdleReadMs: 50,
  /** Ledger locks recorded per pass, and burns read from the stream per pass. */
  scanBatchMax: 200,
  /** Transfers advanced (signatures collected, sent, confirmations counted) per pass, each direction. */
  advanceBatchMax: 50,
  /** Failed attempts to finish one transfer before it is marked failed for an operator to look at. */
  attemptsMax: 20,
  /** Confirmations a bridge may ask for (the OCAP stream remembers 128 blocks to undo a reorg). */
  confirmationsMax: 128,
  /** Transfers on one status page. */
  pageMax: 50,
  pageDefault: 20,
  /** How far back from the head the status looks for burns the stream has not delivered yet (not N deep). */
  unconfirmedScanBlocksMax: 5_000,
  /** Transfers (and unrecorded locks) the status sums per direction; beyond, its totals are a lower bound. */
  statusRowsMax: 1_000,
} as const;

/** One bridge signer's keys: its ledger approval key (an ed25519 seed whose DID is in the chain's bridgeSigners) and
 * its Ethereum key (secp256k1, 0x hex, an address in the contract's signer set). */
export interface BridgeSignerKeys {
  seed: Uint8Array;
  ethKey: string;
}

/**
 * A bridge signer that runs as a blocklet of this node (the built-in `bridge-signer` component). With `keys`, the node
 * deploys it itself (unless live) and seals the keys into its environment: development chains and tests. Without,
 * the operator has deployed it and set LEDGER_KEY and ETH_KEY as secure environment variables.
 */
export interface BridgeSignerBlocklet {
  blocklet: string;
  keys?: BridgeSignerKeys;
}

/** Test hooks: called at each step of a pass; throwing stops the pass there, as a crash of the relayer would. */
export type BridgeStep = 'pass' | 'mintSent' | 'burnRecorded' | 'releaseSent';
export type BridgeFaults = (step: BridgeStep, sourceId: string) => void | Promise<void>;

export interface BridgeOptions {
  /** The Ethereum chain: one of this node's OCAP chains (an `ethereum` adapter), which the signer blocklets read too. */
  ethereum: { chain: string };
  /**
   * The ArcBridgedAbt contract. Absent: on a development chain with anvil only, the bridge deploys one for its
   * signers at start (dev.ts) and logs the address; anywhere else that is a configuration error.
   */
  contract?: string;
  /** Ethereum blocks a burn (and a mint) must be deep before the bridge acts on it (counts the block itself). */
  confirmations: number;
  /** Where the burn stream starts the first time (the contract's deployment block); default 0. */
  fromBlock?: number;
  /**
   * The signer blocklets the relayer asks, each until it has the threshold; any one of them may refuse. In production
   * each runs on its own machine, behind its own node; here they are blocklets of this node.
   */
  signers: BridgeSignerBlocklet[];
  /**
   * The relayer's Ethereum key (0x hex), sealed into the relayer blocklet (ETH_KEY): pays the gas of mints, signs
   * nothing that authorises anything.
   */
  relayerKey: string;
  /** The relayer blocklet's name (default `bridge-relayer`); the node deploys it, owned by the node's DID. */
  relayer?: string;
  intervalMs?: number;
  streamPollMs?: number;
  faults?: BridgeFaults;
  /** `npm start`'s bridge on anvil: when it cannot start (no anvil), the node logs why and runs without it. */
  devOnly?: boolean;
}

export type BridgeDirection = 'toEthereum' | 'toLedger';
export type BridgeStatus = 'locked' | 'minting' | 'minted' | 'burned' | 'releasing' | 'released' | 'refused' | 'reorged' | 'failed';

/** Statuses after which a transfer never moves again. */
export const BRIDGE_FINAL: readonly BridgeStatus[] = ['minted', 'released', 'refused', 'reorged', 'failed'];

/** A transfer as the store reads it. */
export interface BridgeTransfer {
  seq: number;
  direction: BridgeDirection;
  sourceId: string;
  amount: bigint;
  fromAccount: string;
  toAccount: string;
  status: BridgeStatus;
  reason: string | null;
  ethTxHash: string | null;
  ethBlock: number | null;
  ledgerTxHash: string | null;
  confirmations: number;
  attempts: number;
  createdAtMs: number;
  updatedAtMs: number;
}

/** What a signer is asked to sign for a mint: the relayer's claim, which the signer checks against the ledger. */
export interface MintRequest {
  /** 0x and the lock transaction's hash. */
  lockId: string;
  to: string;
  amount: bigint;
}

/** What a signer is asked to approve for a release: the relayer's claim, which the signer checks on Ethereum. */
export interface ReleaseRequest {
  /** 0x and the burn transaction's hash. */
  ethTxHash: string;
  logIndex: number;
  to: string;
  amount: bigint;
}

/** `0x<hash>:<logIndex>`: a burn's source id. */
export function burnSourceId(ethTxHash: string, logIndex: number): string {
  return `${ethTxHash.toLowerCase()}:${logIndex}`;
}
