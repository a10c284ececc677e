import type {
  Beneficiary,
  ComponentKind,
  ComponentPrice,
  ConsumeAssetTx,
  CreateAssetTx,
  CreateTokenTx,
  DeclareAccountTx,
  DelegateTx,
  DeployBlockletTx,
  DeprecateVersionTx,
  PublishComponentTx,
  ReplyReviewTx,
  ReviewComponentTx,
  RevokeDelegationTx,
  TokenAmount,
  TransferTx,
  UpdateAssetTx,
} from '@arc/core';
import { utf8 } from '@arc/core';
import { sha256 } from '@noble/hashes/sha2.js';

/**
 * Builders for every inner transaction, with the defaults a caller would otherwise repeat.
 * They only shape data; the ledger's rules are checked by validateItx / the node.
 */

/** Asset data: bytes as they are, or text stored as UTF-8. */
export type AssetData = Uint8Array | string;

function dataBytes(data: AssetData | undefined): Uint8Array {
  if (data === undefined) return new Uint8Array();
  return typeof data === 'string' ? utf8(data) : data;
}

/** Names the sender's account (and registers its public key) before it has sent anything else. */
export function declareAccount(input: { moniker: string }): DeclareAccountTx {
  return { type: 'declareAccount', moniker: input.moniker };
}

export interface TransferInput {
  to: string;
  /** ABT in its smallest unit; 0 when only tokens or assets move. */
  amount?: bigint;
  tokens?: TokenAmount[];
  assets?: string[];
  memo?: string;
}

/** Moves ABT, application tokens and assets to one recipient. */
export function transfer(input: TransferInput): TransferTx {
  return {
    type: 'transfer',
    to: input.to,
    amount: input.amount ?? 0n,
    tokens: input.tokens ?? [],
    assets: input.assets ?? [],
    memo: input.memo ?? '',
  };
}

export interface CreateTokenInput {
  symbol: string;
  name: string;
  /** Digits after the point; the same default as ABT. */
  decimals?: number;
  /** In the token's smallest unit (use parseAmount(text, decimals)). */
  totalSupply: bigint;
}

/** Creates an application token; the whole supply goes to the sender. */
export function createToken(input: CreateTokenInput): CreateTokenTx {
  return {
    type: 'createToken',
    symbol: input.symbol,
    name: input.name,
    decimals: input.decimals ?? 18,
    totalSupply: input.totalSupply,
  };
}

export interface CreateAssetInput {
  moniker: string;
  data?: AssetData;
  transferable?: boolean;
  readonly?: boolean;
}

/** Creates an asset owned by the sender; its address is assetAddress(hash of this transaction). */
export function createAsset(input: CreateAssetInput): CreateAssetTx {
  return {
    type: 'createAsset',
    moniker: input.moniker,
    data: dataBytes(input.data),
    transferable: input.transferable ?? true,
    readonly: input.readonly ?? false,
  };
}

/** Replaces an asset's moniker and data (not allowed for read-only assets). */
export function updateAsset(input: { address: string; moniker: string; data?: AssetData }): UpdateAssetTx {
  return { type: 'updateAsset', address: input.address, moniker: input.moniker, data: dataBytes(input.data) };
}

/** Marks an asset consumed (a used ticket); it can no longer move or change. */
export function consumeAsset(input: { address: string }): ConsumeAssetTx {
  return { type: 'consumeAsset', address: input.address };
}

/** Grants the grantee fee payment from the sender's account, up to allowance, until expiresAtMs. */
export function delegate(input: { grantee: string; allowance: bigint; expiresAtMs: number }): DelegateTx {
  return { type: 'delegate', grantee: input.grantee, allowance: input.allowance, expiresAtMs: input.expiresAtMs };
}

/** Ends a fee grant the sender gave. */
export function revokeDelegation(input: { grantee: string }): RevokeDelegationTx {
  return { type: 'revokeDelegation', grantee: input.grantee };
}

/** Publishes a blocklet version: its name, semver, and the sha-256 of its canonical manifest and of its bundle. */
export function deployBlocklet(input: {
  name: string;
  version: string;
  manifestHash: Uint8Array;
  bundleHash: Uint8Array;
}): DeployBlockletTx {
  return { type: 'deployBlocklet', ...input };
}

/** The sha-256 of a text (UTF-8): what a README, review or reply hash on the ledger is, and what market.putText answers. */
export function textHash(text: string): Uint8Array {
  return sha256(utf8(text));
}

/** An all-zero hash: the bundle hash of a component that has no bundle (an adapter package published elsewhere). */
export const NO_BUNDLE_HASH = new Uint8Array(32);

export interface PublishComponentInput {
  kind: ComponentKind;
  name: string;
  version: string;
  description: string;
  manifestHash: Uint8Array;
  bundleHash?: Uint8Array;
  readmeHash: Uint8Array;
  releaseNotes?: string;
  categories: string[];
  chains?: string[];
  /** Defaults to free. */
  price?: ComponentPrice;
  /** 1 to 4 payees whose shares sum to 10,000 basis points. */
  beneficiaries: Beneficiary[];
}

/** Publishes one immutable version of a marketplace component (the first publish of a name locks the stake). */
export function publishComponent(input: PublishComponentInput): PublishComponentTx {
  return {
    type: 'publishComponent',
    kind: input.kind,
    name: input.name,
    version: input.version,
    description: input.description,
    manifestHash: input.manifestHash,
    bundleHash: input.bundleHash ?? NO_BUNDLE_HASH,
    readmeHash: input.readmeHash,
    releaseNotes: input.releaseNotes ?? '',
    categories: input.categories,
    chains: input.chains ?? [],
    price: input.price ?? { model: 'free', amount: 0n },
    beneficiaries: input.beneficiaries,
  };
}

/** Marks a version deprecated (still installable) or yanked (no new installs), with a reason; owner only. */
export function deprecateVersion(input: { name: string; version: string; reason: string; yank?: boolean }): DeprecateVersionTx {
  return { type: 'deprecateVersion', name: input.name, version: input.version, yank: input.yank ?? false, reason: input.reason };
}

/** Rates a used component 1 to 5 stars; textHash is textHash(body) of a body stored with market.putText. */
export function reviewComponent(input: { name: string; stars: number; textHash: Uint8Array; edit?: boolean }): ReviewComponentTx {
  return { type: 'reviewComponent', name: input.name, stars: input.stars, textHash: input.textHash, edit: input.edit ?? false };
}

/** The owner's one answer to a review. */
export function replyReview(input: { name: string; reviewer: string; textHash: Uint8Array }): ReplyReviewTx {
  return { type: 'replyReview', name: input.name, reviewer: input.reviewer, textHash: input.textHash };
}
