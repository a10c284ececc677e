/** Named bounds on every field of a transaction; exceeding one is a typed error. */
export const TX_LIMITS = {
  chainIdBytes: 64,
  didBytes: 64,
  monikerBytes: 64,
  memoBytes: 256,
  symbolBytes: 16,
  tokenNameBytes: 64,
  assetDataBytes: 8192,
  transferTokensMax: 16,
  transferAssetsMax: 16,
  tokenDecimalsMax: 18,
  blockletNameBytes: 64,
  blockletVersionBytes: 64,
  componentDescriptionBytes: 200,
  releaseNotesBytes: 500,
  componentCategoriesMax: 5,
  categoryBytes: 32,
  componentChainsMax: 8,
  chainNameBytes: 32,
  beneficiariesMax: 4,
  /** An abuse report's reason and a moderator's note. */
  reasonBytes: 500,
  usageRecordsMax: 200,
  /** Levels of a batch sponsorship proof: one fee payer signature covers up to 2^16 transactions. */
  sponsorDepthMax: 16,
  /** A report id: hex of a transaction hash. */
  reportIdBytes: 64,
  /** No chain may set maxTxBytes above this. */
  txBytesHardMax: 65_536,
} as const;

/** The largest amount the canonical encoding holds (2^256 - 1); a supply or a debt may never pass it. */
export const AMOUNT_MAX = (1n << 256n) - 1n;

/** Named bounds of the token economy's transactions and state. */
export const ECONOMY_LIMITS = {
  /** Unbonding amounts one account may have waiting at once. */
  unbondingEntriesMax: 16,
  /** Proposers one application may owe fees to between settlements. */
  feePayeesMax: 64,
  /** Payees one application may owe settled payouts to. */
  unpaidPayeesMax: 1024,
  /** Bills in one settle transaction, and lines in one bill. */
  billsMax: 100,
  billLinesMax: 64,
  /** Approvals on one slash or bridge release. */
  approvalsMax: 32,
  receiptIdBytes: 160,
  /** A slash's reason. */
  slashReasonBytes: 500,
  /** Signers of a threshold set (validators, bridge signers) and members of the settlers list. */
  roleMembersMax: 100,
} as const;

/** An Ethereum address as the bridge takes it: 0x and 40 lower-case hex digits. */
export const ETH_ADDRESS = /^0x[0-9a-f]{40}$/;

/** Token supply policies in their encoding order; append, never reorder. */
export const TOKEN_POLICIES = ['fixed', 'mintable', 'capped'] as const;
/** Bill line kinds in their encoding order. */
export const BILL_LINE_KINDS = ['component', 'node'] as const;

export const TOKEN_SYMBOL = /^[A-Z][A-Z0-9]{1,15}$/;

/** A blocklet name: lower-case letters, digits and dashes, a letter first, no dash last; 2 to 64 characters. */
export const BLOCKLET_NAME = /^[a-z][a-z0-9-]{0,62}[a-z0-9]$/;

/** Semantic versioning 2.0 (semver.org's regular expression). */
export const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

/** A marketplace category or chain id: lower-case letters, digits and dashes, a letter first; 2 to 32 characters. */
export const MARKET_SLUG = /^[a-z][a-z0-9-]{1,31}$/;

/** Revenue shares are in basis points; a component's beneficiaries' shares add up to exactly this. */
export const SHARE_BPS_TOTAL = 10_000;

/** Component kinds and price models in their encoding order (a one-byte index each); append, never reorder. */
export const COMPONENT_KINDS = ['adapter', 'blocklet', 'component', 'application'] as const;
export const PRICE_MODELS = ['free', 'perMonth', 'perCall'] as const;
