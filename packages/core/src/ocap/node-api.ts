/**
 * The part of an Arc node's API the native OCAP adapter reads and writes through. Two implementations: over
 * HTTP in @arc/client (`nodeApiOverHttp`) and in process in apps/node (the node's own OCAP hub, which so never
 * calls itself over HTTP). Amounts are bigint; hashes are lower-case hex; inner transactions stay in the node's
 * JSON form (amounts as decimal strings, bytes as hex), since their shape depends on the type.
 */

export interface NodeApiChainInfo {
  /** The ledger's chain id (`arc-dev`). */
  chainId: string;
  /** The head's height. */
  height: number;
  nativeToken: { symbol: string; name: string; decimals: number };
  params: { minFee: bigint };
}

export interface NodeApiBlock {
  height: number;
  hash: string;
  prevHash: string;
  timeMs: number;
  txCount: number;
  txHashes: string[];
}

/** A committed transaction. */
export interface NodeApiTxRecord {
  hash: string;
  height: number;
  index: number;
  from: string;
  nonce: number;
  fee: bigint;
  type: string;
  itx: Record<string, unknown>;
}

export interface NodeApiTxStatus {
  hash: string;
  /** `failed`: in the block at `height` with its fee charged, but its inner transaction failed (`error`). */
  status: 'pending' | 'committed' | 'failed' | 'rejected' | 'unknown';
  height: number | null;
  /** The ledger's refusal of a rejected or failed transaction. */
  error: { code: string; message: string } | null;
  tx: NodeApiTxRecord | null;
}

export interface NodeApiAccount {
  did: string;
  /** The committed nonce (0 for an account never seen). */
  nonce: number;
  balance: bigint;
  tokens: { address: string; amount: bigint }[];
}

export interface NodeApiToken {
  address: string;
  symbol: string;
  name: string;
  decimals: number;
  totalSupply: bigint;
}

export interface NodeApiAsset {
  address: string;
  owner: string;
  moniker: string;
  /** Hex. */
  data: string;
  transferable: boolean;
  consumed: boolean;
}

export interface NodeApiPage<T, C> {
  items: T[];
  nextCursor: C | null;
}

export interface NodeApiSendResult {
  hash: string;
  /** `failed`: the node already holds it, in a block, as failed (its fee was charged). */
  status: 'pending' | 'committed' | 'failed';
  height: number | null;
}

/**
 * What the native adapter needs of a node. Every method rejects with a NodeApiError carrying the ledger's or the
 * node's code (NOT_FOUND for a missing block, token or asset; NONCE_TOO_LOW, INSUFFICIENT_FUNDS…; NETWORK or
 * TIMEOUT when an HTTP implementation cannot reach the node).
 */
export interface NodeApi {
  chainInfo(): Promise<NodeApiChainInfo>;
  /** NOT_FOUND above the head. */
  getBlock(height: number): Promise<NodeApiBlock>;
  getBlockByHash(hash: string): Promise<NodeApiBlock>;
  /** Blocks newest first, below the cursor height when given. */
  listBlocks(page: { cursor?: number; limit: number }): Promise<NodeApiPage<NodeApiBlock, number>>;
  /** Committed transactions newest first, before the `height:index` cursor when given. */
  listTxs(page: { cursor?: string; limit: number }): Promise<NodeApiPage<NodeApiTxRecord, string>>;
  getTx(hash: string): Promise<NodeApiTxStatus>;
  getAccount(did: string): Promise<NodeApiAccount>;
  /** The nonce the account's next transaction should carry. */
  nextNonce(did: string): Promise<number>;
  /** Admits an encoded, signed transaction (hex); idempotent by hash. */
  sendRaw(txHex: string): Promise<NodeApiSendResult>;
  /** NOT_FOUND for an unknown token. */
  getToken(address: string): Promise<NodeApiToken>;
  /** NOT_FOUND for an unknown asset. */
  getAsset(address: string): Promise<NodeApiAsset>;
}

/** A node's refusal crossing the NodeApi: the node's or the ledger's code, a sentence, whether a retry can help. */
export class NodeApiError extends Error {
  override name = 'NodeApiError';
  readonly retriable: boolean;

  constructor(
    readonly code: string,
    message: string,
    options: { retriable?: boolean; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.retriable = options.retriable ?? false;
  }
}
