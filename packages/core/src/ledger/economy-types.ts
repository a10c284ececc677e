/**
 * The token economy's transactions and state (issue: token economy). Amounts are bigint in the native token's
 * smallest unit. Where ABT sits: account balances (the treasury and the bridge escrow are accounts), stakes (bonded
 * and unbonding), application deposits, and the publish stakes components locked under the old rule; their sum is the supply at every height.
 */

/** A signature by one member of a threshold set (validators, bridge signers) over an approval digest. */
export interface Approval {
  did: string;
  publicKey: Uint8Array;
  signature: Uint8Array;
}

/** Locks ABT from the sender's balance as bonded stake. */
export interface StakeTx {
  type: 'stake';
  amount: bigint;
}

/** Starts unbonding part of the sender's bonded stake; it can be withdrawn after the chain's unbonding delay. */
export interface UnstakeTx {
  type: 'unstake';
  amount: bigint;
}

/** Moves every unbonding amount whose delay has passed back to the sender's balance. */
export interface WithdrawStakeTx {
  type: 'withdrawStake';
}

/**
 * Takes stake from an offender to the treasury: a governance transaction that a threshold of the chain's validators
 * approved (each signs the approval digest of the transaction without its approvals). The evidence's hash is
 * recorded; the same evidence never slashes twice.
 */
export interface SlashTx {
  type: 'slash';
  offender: string;
  amount: bigint;
  /** sha-256 of the evidence document, which the node stores and serves. */
  evidenceHash: Uint8Array;
  reason: string;
  approvals: Approval[];
}

/**
 * Opens billing for an application: the sender becomes its owner and puts down a deposit. The application's key
 * consents by signing the open-application digest (so nobody opens billing under someone else's application DID).
 */
export interface OpenApplicationTx {
  type: 'openApplication';
  application: string;
  applicationKey: Uint8Array;
  applicationSignature: Uint8Array;
  deposit: bigint;
}

/** Adds to an application's deposit (anyone may); what the application owes is paid from it at once. */
export interface FundApplicationTx {
  type: 'fundApplication';
  application: string;
  amount: bigint;
}

/** The owner takes back deposit the application does not owe. */
export interface WithdrawDepositTx {
  type: 'withdrawDeposit';
  application: string;
  amount: bigint;
}

/** One line of a bill: a component's use (paid to its beneficiaries) or a node's work (paid to the node). */
export interface BillLine {
  kind: 'component' | 'node';
  /** A component name, or a node's DID. */
  payee: string;
  amount: bigint;
}

/** One application's bill for a period. */
export interface Bill {
  application: string;
  lines: BillLine[];
}

/**
 * Settles a billing period (a chain settler: the metering nodes): each application's metered lines plus the fees
 * it accrued are charged to its deposit and paid out (the treasury's share first, per the chain's treasuryBps).
 */
export interface SettleTx {
  type: 'settle';
  /** The period number (period start ms / the chain's billingPeriodMs). */
  period: number;
  bills: Bill[];
}

/** How an application token's supply may change after creation. */
export type TokenPolicy = 'fixed' | 'mintable' | 'capped';

/** Creates an application token with a supply policy (createToken makes a fixed one). */
export interface IssueTokenTx {
  type: 'issueToken';
  symbol: string;
  name: string;
  decimals: number;
  initialSupply: bigint;
  policy: TokenPolicy;
  /** The most there may ever be, for a capped token; 0 otherwise. */
  cap: bigint;
}

/** The token's owner mints new units to an account (mintable and capped tokens only). */
export interface MintTokenTx {
  type: 'mintToken';
  token: string;
  to: string;
  amount: bigint;
}

/** A holder destroys some of its units; the supply falls by as much. */
export interface BurnTokenTx {
  type: 'burnToken';
  token: string;
  amount: bigint;
}

/** Locks ABT in the bridge escrow for the bridge to mint as much ERC-20 to an Ethereum address. The lock id is the tx hash. */
export interface BridgeLockTx {
  type: 'bridgeLock';
  amount: bigint;
  /** 0x and 40 hex digits, lower case. */
  ethAddress: string;
}

/**
 * Releases ABT from the bridge escrow for a burn on Ethereum, approved by a threshold of the chain's bridge
 * signers. Each burn (Ethereum transaction hash and log index) releases at most once.
 */
export interface BridgeReleaseTx {
  type: 'bridgeRelease';
  /** The burn's Ethereum transaction hash (32 bytes). */
  ethTxHash: Uint8Array;
  logIndex: number;
  to: string;
  amount: bigint;
  approvals: Approval[];
}

export type EconomyItx =
  | StakeTx
  | UnstakeTx
  | WithdrawStakeTx
  | SlashTx
  | OpenApplicationTx
  | FundApplicationTx
  | WithdrawDepositTx
  | SettleTx
  | IssueTokenTx
  | MintTokenTx
  | BurnTokenTx
  | BridgeLockTx
  | BridgeReleaseTx;

/** One unbonding amount and when it may be withdrawn. */
export interface Unbonding {
  amount: bigint;
  releaseAtMs: number;
}

/** An account's stake: bonded (counts for publishing and services; can be slashed) and unbonding (still slashable). */
export interface StakeState {
  did: string;
  bonded: bigint;
  unbonding: Unbonding[];
  /** Everything ever slashed from this account. */
  slashed: bigint;
  /** Component names the account owns: its bonded stake must cover names × the chain's publishStake to publish or receive one more. */
  names: number;
}

/**
 * An application's billing account. `unpaid` holds payouts settled but not yet covered by the deposit; while it is
 * not empty the application is in arrears: in grace until `arrearsSinceMs + graceMs`, suspended after.
 */
export interface ApplicationState {
  did: string;
  owner: string;
  deposit: bigint;
  /** Fees of its users' transactions not yet settled, by the proposer that earned each. */
  feesOwed: Map<string, bigint>;
  /** Payouts settled but not yet paid, by payee DID. */
  unpaid: Map<string, bigint>;
  /** When the application fell into arrears (0 when it is not). */
  arrearsSinceMs: number;
  /** The first billing period not settled yet. */
  nextPeriod: number;
  createdAtHeight: number;
}

export type ApplicationStatus = 'active' | 'grace' | 'suspended';

/** A one-time fact: a slash's evidence or a bridge release's burn, so neither happens twice. */
export interface ReceiptState {
  /** `slash:<evidence hex>` or `burn:<eth tx hash hex>:<log index>`. */
  id: string;
  txHash: string;
  height: number;
}

/** The token economy's chain parameters. */
export interface EconomyParams {
  /** The account fees of settlements, slashes and the treasury share go to. */
  treasury: string;
  /** The treasury's share of every settled line, in basis points. */
  treasuryBps: number;
  /** Accounts that may settle billing periods (the metering nodes). */
  settlers: string[];
  /** Length of a billing period (a month by default; seconds in tests). */
  billingPeriodMs: number;
  /** How long an application in arrears keeps running before it is suspended. */
  graceMs: number;
  /** How long unstaked ABT stays slashable before it can be withdrawn. */
  unbondingMs: number;
  /** The bonded stake each component name an account owns needs (publishing a new name, receiving one, unstaking). */
  publishStake: bigint;
  /** Accounts whose approvals count for slashing, and how many must approve. */
  validators: string[];
  slashThreshold: number;
  /** The account that holds ABT locked in the bridge (no key: only bridgeRelease moves it). */
  bridgeEscrow: string;
  /** Accounts whose approvals count for releasing from the bridge, and how many must approve. */
  bridgeSigners: string[];
  bridgeThreshold: number;
}
