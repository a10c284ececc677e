import type { ChainId } from './caip.ts';

/** How an adapter offers a feature: by the chain itself, built by the adapter on level-1 calls, or not at all. */
export type Capability = 'native' | 'emulated' | false;

/** The features beyond level 1, each told by `capabilities()`. Calling a `false` one throws ADAPTER_UNSUPPORTED. */
export interface Capabilities {
  /** CAIP-10 account ids and address validation (level 2). */
  accounts: Capability;
  /** Fungible tokens other than the native coin: info, balances, transfers (level 2). */
  tokens: Capability;
  /** Non-fungible assets: owner, transfer (level 2). */
  assets: Capability;
  /** The resumable event stream with confirmations and reorg removals (level 2). */
  events: Capability;
  /** Whether the chain can reorganise (forks). A chain with instant finality says `false`. */
  reorgs: Capability;
  /** Chain-specific calls through `adapter.native` (level 3). */
  native: Capability;
}

export type Feature = keyof Capabilities;

/** What a chain is. Amounts everywhere are bigint in the chain's smallest unit (wei, satoshi, 10^-18 ABT). */
export interface ChainInfo {
  /** CAIP-2 id: `eip155:31337`, `bip122:<genesis hash prefix>`, `arc:<chain id>`, `mock:<name>`. */
  chainId: ChainId;
  /** The adapter that serves it: `ethereum`, `bitcoin`, `native`, `mock`, or a third party's name. */
  adapter: string;
  name: string;
  nativeSymbol: string;
  nativeDecimals: number;
  /** The expected time between blocks. */
  blockTimeMs: number;
}

/** A block header as every chain has it. */
export interface OcapBlock {
  height: number;
  hash: string;
  /** The hash of the block at height - 1 (all zeros or empty for genesis). */
  parentHash: string;
  /** Milliseconds since the epoch. */
  timestampMs: number;
  txHashes: string[];
}

export type BlockRef = { height: number } | { hash: string };

/** A transaction's outcome: waiting in a mempool, mined and succeeded, or mined and failed. */
export type OcapTxStatus = 'pending' | 'success' | 'failed';

export interface OcapTx {
  hash: string;
  status: OcapTxStatus;
  /** The sender (the first input's address on UTXO chains); null when the chain does not say. */
  from: string | null;
  /** The receiver of the native value (first non-change output on UTXO chains), null for none. */
  to: string | null;
  /** The native value moved to `to`. */
  value: bigint;
  /** The fee paid, once known. */
  fee: bigint | null;
  blockHeight: number | null;
  blockHash: string | null;
  /** Blocks on top of and including the one holding it; 0 while pending. */
  confirmations: number;
  /** Why it failed, in the chain's words, when status is 'failed'. */
  error?: string;
}

export interface FeeEstimate {
  /** The fee for the described transfer, in the chain's smallest unit. */
  fee: bigint;
  /** The chain's price unit behind it: gas price (wei/gas), sat/vbyte, or a flat fee. */
  rate: bigint;
  unit: 'wei/gas' | 'sat/vB' | 'flat';
}

/**
 * Who signs. Adapters hand these out (`adapter.signer(secret)`) and accept only their own; the secret never
 * leaves the signer. The address is the chain's own form (0x…, bcrt1…, did:abt:… for our chain).
 */
export interface OcapSigner {
  readonly adapter: string;
  readonly address: string;
}

/** What every send takes: an optional idempotency key (same key + payload → the first result). */
export interface SendOptions {
  idempotencyKey?: string;
}

export interface TransferRequest extends SendOptions {
  to: string;
  amount: bigint;
}

export interface TokenTransferRequest extends SendOptions {
  token: string;
  to: string;
  amount: bigint;
}

export interface AssetTransferRequest extends SendOptions {
  asset: string;
  to: string;
}

/** What a send returns as soon as the chain accepted the transaction (not yet confirmed). */
export interface SendResult {
  hash: string;
  from: string;
  /** The nonce used, on account chains. */
  nonce?: number;
}

export interface WaitOptions {
  /** Blocks required, counting the block holding the transaction; default 1. */
  confirmations?: number;
  timeoutMs?: number;
}

export interface TokenInfo {
  address: string;
  symbol: string;
  name: string;
  decimals: number;
  totalSupply: bigint;
}

export interface AssetInfo {
  /** The adapter's id for the asset (contract:tokenId on Ethereum, the asset DID on our chain). */
  id: string;
  owner: string;
  /** Free-form metadata reference (token URI, moniker). */
  uri: string | null;
}

/** What an event is about. `log` is a raw contract log with no decoding. */
export type OcapEventKind = 'transfer' | 'tokenTransfer' | 'assetTransfer' | 'log';

/**
 * One event on the chain. `position` sorts as a string in chain order and is unique per event in a chain, so a
 * stream can checkpoint after any event. A removal repeats the event it undoes with `removed: true`.
 */
export interface OcapEvent {
  position: string;
  kind: OcapEventKind;
  blockHeight: number;
  blockHash: string;
  txHash: string;
  from: string | null;
  to: string | null;
  /** Native value, token amount; 1n for an asset. */
  amount: bigint;
  /** The token contract or asset id this event is about, null for the native coin and raw logs. */
  token: string | null;
  /** For logs: the contract address, topics and data, hex. */
  address?: string;
  topics?: string[];
  data?: string;
  removed: boolean;
}

export interface EventFilter {
  /** Events touching any of these addresses (from, to, or the contract). Empty or absent: all. */
  addresses?: string[];
  kinds?: OcapEventKind[];
}

/**
 * Where a stream stands: the blocks it delivered most recently (enough to detect a reorg on resume and report
 * removals), and how far into the last one it got. Plain JSON, so it can be stored anywhere.
 */
export interface StreamCheckpoint {
  v: 1;
  /** Height of the last block the stream fully or partly delivered; -1 before the first. */
  height: number;
  hash: string;
  /** Position of the last event delivered, '' for none. */
  position: string;
  /** The delivered tail, oldest first: each block's hash and its delivered events (JSON-safe). */
  recent: { height: number; hash: string; parentHash: string; events: SerializedEvent[] }[];
}

/** An OcapEvent with its bigint amount as a decimal string, for JSON. */
export type SerializedEvent = Omit<OcapEvent, 'amount'> & { amount: string };

export interface StreamOptions {
  /** Resume after this checkpoint; absent: start at `fromHeight` (default: the current head). */
  checkpoint?: StreamCheckpoint;
  fromHeight?: number;
  /** Deliver a block's events once it has this many confirmations (1 = the head itself). Default 1. */
  confirmations?: number;
  filter?: EventFilter;
  /** How often to look for new blocks when polling. */
  pollMs?: number;
}

/** A live event stream: iterate it; take `checkpoint()` after any event; `close()` ends the iteration. */
export interface EventStream extends AsyncIterable<OcapEvent> {
  checkpoint(): StreamCheckpoint;
  close(): void;
}

export type Unsubscribe = () => void;

/** Level 1: what every adapter offers. */
export interface ChainAdapterLevel1 {
  readonly name: string;
  info(): Promise<ChainInfo>;
  capabilities(): Capabilities;
  /** A signer for a secret key in the chain's own form (32 bytes for secp256k1 and ed25519 seeds). */
  signer(secretKey: Uint8Array): OcapSigner;
  /** Whether the string is a valid address on this chain (and network). */
  isAddress(address: string): boolean;
  getLatestBlock(): Promise<OcapBlock>;
  getBlock(ref: BlockRef): Promise<OcapBlock>;
  getTransaction(hash: string): Promise<OcapTx>;
  getBalance(address: string): Promise<bigint>;
  estimateFee(request: { from: string; to: string; amount: bigint }): Promise<FeeEstimate>;
  /** Builds, signs and sends a native transfer; nonces (or coins) are managed per signer. */
  transfer(signer: OcapSigner, request: TransferRequest): Promise<SendResult>;
  /** Broadcasts a transaction signed elsewhere (the chain's own raw encoding, hex). */
  broadcast(rawTx: string, options?: SendOptions): Promise<SendResult>;
  waitForTransaction(hash: string, options?: WaitOptions): Promise<OcapTx>;
  /** Calls `onBlock` for each new head, in order; reorgs replay from the fork point. */
  subscribeBlocks(onBlock: (block: OcapBlock) => void, options?: { pollMs?: number; onError?: (error: unknown) => void }): Unsubscribe;
  /** Releases sockets, timers and child processes. */
  close(): Promise<void>;
}

/** Level 2: the chain as a state machine. Each group is gated by its capability. */
export interface ChainAdapterLevel2 {
  /** CAIP-10 account id for an address (checks the address). */
  accountId(address: string): string;
  getTokenInfo(token: string): Promise<TokenInfo>;
  getTokenBalance(token: string, owner: string): Promise<bigint>;
  transferToken(signer: OcapSigner, request: TokenTransferRequest): Promise<SendResult>;
  getAsset(asset: string): Promise<AssetInfo>;
  transferAsset(signer: OcapSigner, request: AssetTransferRequest): Promise<SendResult>;
  events(options?: StreamOptions): EventStream;
}

/** A chain adapter: levels 1 and 2, plus the chain's own calls (level 3) typed by `N`. */
export interface ChainAdapter<N = unknown> extends ChainAdapterLevel1, ChainAdapterLevel2 {
  readonly native: N;
}
