/**
 * The marketplace's transactions and state: components published under a name with versions, revenue shares,
 * reviews, abuse reports and metered usage. Amounts are bigint in the native token's smallest unit.
 */

/** What a marketplace component is. */
export type ComponentKind = 'adapter' | 'blocklet' | 'component' | 'application';

/** How a component is paid for: free, a flat ABT amount per month per application, or per call. */
export interface ComponentPrice {
  model: 'free' | 'perMonth' | 'perCall';
  /** In the native token's smallest unit; 0 exactly when the model is free. */
  amount: bigint;
}

/** One payee of a component's revenue, in basis points; a component's shares sum to 10,000. */
export interface Beneficiary {
  did: string;
  shareBps: number;
}

/**
 * Publishes one immutable version of a marketplace component. The first publisher of a name owns it and locks the
 * chain's publish stake; later versions come from the owner only. Long texts (README) travel by hash: the node stores
 * the text, the ledger anchors it.
 */
export interface PublishComponentTx {
  type: 'publishComponent';
  kind: ComponentKind;
  /** Lower-case letters, digits and dashes (the blocklet name rule). */
  name: string;
  /** Semantic version (semver 2.0); a published version never changes. */
  version: string;
  /** One line shown in lists and searched; at most TX_LIMITS.componentDescriptionBytes. */
  description: string;
  /** sha-256 of the canonical manifest JSON. */
  manifestHash: Uint8Array;
  /** sha-256 of the bundle (the ES module, or the adapter package); all zero when there is none. */
  bundleHash: Uint8Array;
  /** sha-256 of the README text (UTF-8), which the node serves with the record. */
  readmeHash: Uint8Array;
  /** What changed in this version, in a line or two. */
  releaseNotes: string;
  /** Category slugs (lower-case words and dashes), 1 to TX_LIMITS.componentCategoriesMax. */
  categories: string[];
  /** Chain ids the component works with (e.g. arc, ethereum, bitcoin, fabric), up to TX_LIMITS.componentChainsMax. */
  chains: string[];
  price: ComponentPrice;
  /** 1 to 4 payees whose shares sum to 10,000 basis points. */
  beneficiaries: Beneficiary[];
}

/** Hands a component name (all its versions and its stake) to another account; owner only. */
export interface TransferComponentTx {
  type: 'transferComponent';
  name: string;
  to: string;
}

/** Marks a version deprecated (still installable, with a warning) or yanked (no new installs); owner only. */
export interface DeprecateVersionTx {
  type: 'deprecateVersion';
  name: string;
  version: string;
  yank: boolean;
  reason: string;
}

/**
 * Rates a component 1 to 5 stars. Only an account with verified use of the component (a usage entry with calls or
 * payments) may review it; one review per account and component: `edit` false writes the first, `edit` true replaces it.
 */
export interface ReviewComponentTx {
  type: 'reviewComponent';
  name: string;
  stars: number;
  /** sha-256 of the review body (UTF-8), which the node serves with the record. */
  textHash: Uint8Array;
  edit: boolean;
}

/** The component's owner answers one review, once. */
export interface ReplyReviewTx {
  type: 'replyReview';
  name: string;
  reviewer: string;
  textHash: Uint8Array;
}

/** Anyone reports a component (reviewer empty) or one of its reviews as abuse. The report's id is the tx hash. */
export interface ReportAbuseTx {
  type: 'reportAbuse';
  name: string;
  /** The reviewer whose review is reported, or '' for the component itself. */
  reviewer: string;
  reason: string;
}

/** A market moderator (a chain parameter) upholds or dismisses an open report. */
export interface ResolveReportTx {
  type: 'resolveReport';
  /** The report's id: hex of the reportAbuse transaction's hash. */
  report: string;
  upheld: boolean;
  note: string;
}

/** Usage of one component by one application in one period, as metered by a node. */
export interface UsageRecord {
  component: string;
  /** The application's DID. */
  application: string;
  /** The account that owns the application (whose use it is, for reviews). */
  account: string;
  installs: number;
  calls: number;
  /** ABT paid for this use in the period, smallest unit. */
  paid: bigint;
}

/** A usage reporter (a chain parameter: the metering nodes) anchors metered usage for one period on the ledger. */
export interface RecordUsageTx {
  type: 'recordUsage';
  /** UTC day number (epoch ms / 86,400,000, floored). */
  period: number;
  records: UsageRecord[];
}

/** A component name and who holds it; versions are entries of their own. */
export interface ComponentState {
  name: string;
  kind: ComponentKind;
  owner: string;
  /** The first publisher (the owner until a transfer). */
  publisher: string;
  /**
   * ABT locked from the balance by the first publish under the old rule (the market's publishStake then); 0 for names
   * published since, which the owner's bonded stake backs instead (StakeState.names).
   */
  stake: bigint;
  latestVersion: string;
  versionCount: number;
  createdAtHeight: number;
  updatedAtHeight: number;
}

export type VersionStatus = 'active' | 'deprecated' | 'yanked';

/** One published version, as its publish transaction set it, plus its deprecation status. */
export interface ComponentVersionState {
  name: string;
  version: string;
  kind: ComponentKind;
  description: string;
  manifestHash: Uint8Array;
  bundleHash: Uint8Array;
  readmeHash: Uint8Array;
  releaseNotes: string;
  categories: string[];
  chains: string[];
  price: ComponentPrice;
  beneficiaries: Beneficiary[];
  publishedBy: string;
  publishedAtHeight: number;
  status: VersionStatus;
  statusReason: string;
}

/** The one review of a component by one account (the latest edit), with the owner's reply. */
export interface ReviewState {
  component: string;
  reviewer: string;
  stars: number;
  textHash: Uint8Array;
  /** 1 for the first review, +1 per edit. */
  revision: number;
  createdAtHeight: number;
  updatedAtHeight: number;
  reply: { textHash: Uint8Array; atHeight: number } | null;
  /** Set when a moderator upholds a report against the review: it then carries no weight. */
  hidden: boolean;
}

export interface ReportState {
  /** Hex of the reportAbuse transaction's hash. */
  id: string;
  reporter: string;
  component: string;
  /** '' when the component itself is reported. */
  reviewer: string;
  reason: string;
  status: 'open' | 'upheld' | 'dismissed';
  resolver: string;
  note: string;
  createdAtHeight: number;
  resolvedAtHeight: number;
}

/** Verified use of one component by one account, summed over every application it owns and every period. */
export interface UsageState {
  component: string;
  account: string;
  installs: number;
  calls: number;
  paid: bigint;
  firstPeriod: number;
  lastPeriod: number;
}

export interface MarketParams {
  /** Accounts that may resolve abuse reports. */
  moderators: string[];
  /** Accounts (metering nodes) that may record usage. */
  usageReporters: string[];
}
