/** The ledger's data types. Amounts are bigint in the token's smallest unit. */
import type { EconomyItx, EconomyParams, TokenPolicy } from './economy-types.ts';
import type {
  DeprecateVersionTx,
  MarketParams,
  PublishComponentTx,
  RecordUsageTx,
  ReplyReviewTx,
  ReportAbuseTx,
  ResolveReportTx,
  ReviewComponentTx,
  TransferComponentTx,
} from './market-types.ts';

export type * from './economy-types.ts';
export type * from './market-types.ts';

/** An amount of one application token, by the token's address (a DID). */
export interface TokenAmount {
  token: string;
  amount: bigint;
}

export interface DeclareAccountTx {
  type: 'declareAccount';
  moniker: string;
}

/** Moves ABT, application tokens and assets from the sender to one recipient in one step. */
export interface TransferTx {
  type: 'transfer';
  to: string;
  amount: bigint;
  tokens: TokenAmount[];
  assets: string[];
  memo: string;
}

export interface CreateTokenTx {
  type: 'createToken';
  symbol: string;
  name: string;
  decimals: number;
  totalSupply: bigint;
}

export interface CreateAssetTx {
  type: 'createAsset';
  moniker: string;
  data: Uint8Array;
  transferable: boolean;
  readonly: boolean;
}

export interface UpdateAssetTx {
  type: 'updateAsset';
  address: string;
  moniker: string;
  data: Uint8Array;
}

export interface ConsumeAssetTx {
  type: 'consumeAsset';
  address: string;
}

/** A fee grant: the sender (payer) lets the grantee spend up to `allowance` on fees until `expiresAtMs`. */
export interface DelegateTx {
  type: 'delegate';
  grantee: string;
  allowance: bigint;
  expiresAtMs: number;
}

export interface RevokeDelegationTx {
  type: 'revokeDelegation';
  grantee: string;
}

/**
 * Publishes a blocklet version: who deployed what, in public. The manifest and the bundle are stored by the
 * nodes by content hash; the ledger anchors the hashes. Names belong to their first deployer, settled by chain
 * order (see apps/node/src/runtime).
 */
export interface DeployBlockletTx {
  type: 'deployBlocklet';
  name: string;
  /** Semantic version (semver 2.0). */
  version: string;
  /** sha-256 of the canonical manifest JSON. */
  manifestHash: Uint8Array;
  /** sha-256 of the bundled ES module. */
  bundleHash: Uint8Array;
}

/** The inner transaction: what the envelope asks the ledger to do. */
export type Itx =
  | DeclareAccountTx
  | TransferTx
  | CreateTokenTx
  | CreateAssetTx
  | UpdateAssetTx
  | ConsumeAssetTx
  | DelegateTx
  | RevokeDelegationTx
  | DeployBlockletTx
  | PublishComponentTx
  | TransferComponentTx
  | DeprecateVersionTx
  | ReviewComponentTx
  | ReplyReviewTx
  | ReportAbuseTx
  | ResolveReportTx
  | RecordUsageTx
  | EconomyItx;

export type ItxType = Itx['type'];

/** An application that pays the sender's fee, co-signing the same bytes the sender signs. */
export interface FeePayer {
  did: string;
  publicKey: Uint8Array;
  /** Over the transaction's signing bytes; with `batch`, over the root of the batch it sponsors (sponsor.ts). */
  signature: Uint8Array;
  batch?: SponsorProof;
}

/** Where a transaction sits in a batch its fee payer co-signed with one signature (sponsor.ts). */
export interface SponsorProof {
  /** The leaf's index; bit i set when the node at level i is a right child. */
  index: number;
  /** Sibling hashes from the leaf up to the root, 32 bytes each. */
  proof: Uint8Array[];
}

/** The signed transaction envelope. */
export interface Tx {
  chainId: string;
  from: string;
  publicKey: Uint8Array;
  /** Per account, strictly sequential: the first transaction of an account has nonce 1. */
  nonce: number;
  /** Offered fee in the native token's smallest unit. */
  fee: bigint;
  feePayer: FeePayer | null;
  itx: Itx;
  signature: Uint8Array;
}

/** A transaction before signing (signatures are filled in by signers). */
export type UnsignedTx = Omit<Tx, 'signature' | 'feePayer'> & {
  feePayer: Omit<FeePayer, 'signature'> | null;
};

export interface AccountState {
  did: string;
  /** Known once the account has sent a transaction or declared itself. */
  publicKey: Uint8Array | null;
  moniker: string;
  nonce: number;
  /** Native token (ABT) balance. */
  balance: bigint;
  /** Application token balances by token address; zero balances are not kept. */
  tokens: Map<string, bigint>;
}

export interface TokenState {
  address: string;
  symbol: string;
  name: string;
  decimals: number;
  totalSupply: bigint;
  owner: string;
  createdAtHeight: number;
  /** How the supply may change: fixed (createToken), mintable by the owner, or capped at `cap`. */
  policy: TokenPolicy;
  /** The most there may ever be, for a capped token; 0 otherwise. */
  cap: bigint;
}

export interface AssetState {
  address: string;
  owner: string;
  issuer: string;
  moniker: string;
  data: Uint8Array;
  transferable: boolean;
  readonly: boolean;
  consumed: boolean;
  createdAtHeight: number;
  updatedAtHeight: number;
}

export interface GrantState {
  payer: string;
  grantee: string;
  allowance: bigint;
  spent: bigint;
  expiresAtMs: number;
}

/** Chain parameters fixed at genesis. */
export interface ChainParams {
  /** Smallest fee a transaction may offer, in the native token's smallest unit. */
  minFee: bigint;
  maxTxBytes: number;
  maxTxsPerBlock: number;
  maxBlockBytes: number;
  /** The marketplace's rules. */
  market: MarketParams;
  /** Billing, staking, slashing, the treasury and the bridge. */
  economy: EconomyParams;
  /** A chain run by a network of nodes (consensus/): its validators and BA*'s parameters; absent for one node. */
  consensus?: ConsensusGenesis;
}

/** A validator of a consensus chain: a node's DID and key, and the stake its votes weigh. */
export interface ValidatorGenesis {
  did: string;
  publicKey: Uint8Array;
  /** Bonded at genesis, in the smallest unit; sortition weighs it in whole ABT. */
  stake: bigint;
}

export interface ConsensusGenesis {
  validators: ValidatorGenesis[];
  params: import('../consensus/params.ts').ConsensusParams;
}

export interface NativeToken {
  symbol: string;
  name: string;
  decimals: number;
}

/** What a block is applied under; time and proposer are handed in, never read from a clock. */
export interface BlockContext {
  chainId: string;
  height: number;
  timeMs: number;
  proposer: string;
  params: ChainParams;
}

export interface BlockHeader {
  version: number;
  chainId: string;
  height: number;
  prevHash: Uint8Array;
  timeMs: number;
  proposer: string;
  txRoot: Uint8Array;
  stateRoot: Uint8Array;
  txCount: number;
  /**
   * Version 2 (a chain run by consensus): the proposer's VRF proof over the previous seed and the height; its output
   * is the next height's sortition seed (Algorand §5.2). Absent in version 1.
   */
  seedProof?: Uint8Array;
}

/** The proposer's signature over the block hash. Consensus adds a vote certificate beside it. */
export interface BlockSeal {
  publicKey: Uint8Array;
  signature: Uint8Array;
}
