import { STATE_KINDS } from '@arc/core';
import { z } from 'zod';

/**
 * What the ledger's procedures return. Explicit schemas keep the router type small for editors and
 * are the contract the client and the web app read (amounts are decimal strings in the smallest
 * unit, bytes are lower-case hex, times are epoch milliseconds).
 */
const hex = z.string();
const amount = z.string();
const did = z.string();

export const BlockOut = z.object({
  height: z.number(),
  hash: hex,
  prevHash: hex,
  timeMs: z.number(),
  proposer: did,
  txRoot: hex,
  stateRoot: hex,
  txCount: z.number(),
  txHashes: z.array(hex),
});

const TokenAmountOut = z.object({ token: did, amount });
const ApprovalOut = z.object({ did, publicKey: hex, signature: hex });

export const ItxOut = z.discriminatedUnion('type', [
  z.object({ type: z.literal('declareAccount'), moniker: z.string() }),
  z.object({ type: z.literal('transfer'), to: did, amount, tokens: z.array(TokenAmountOut), assets: z.array(did), memo: z.string() }),
  z.object({ type: z.literal('createToken'), symbol: z.string(), name: z.string(), decimals: z.number(), totalSupply: amount }),
  z.object({ type: z.literal('createAsset'), moniker: z.string(), data: hex, transferable: z.boolean(), readonly: z.boolean() }),
  z.object({ type: z.literal('updateAsset'), address: did, moniker: z.string(), data: hex }),
  z.object({ type: z.literal('consumeAsset'), address: did }),
  z.object({ type: z.literal('delegate'), grantee: did, allowance: amount, expiresAtMs: z.number() }),
  z.object({ type: z.literal('revokeDelegation'), grantee: did }),
  z.object({ type: z.literal('deployBlocklet'), name: z.string(), version: z.string(), manifestHash: hex, bundleHash: hex }),
  z.object({
    type: z.literal('publishComponent'),
    kind: z.enum(['adapter', 'blocklet', 'component', 'application']),
    name: z.string(),
    version: z.string(),
    description: z.string(),
    manifestHash: hex,
    bundleHash: hex,
    readmeHash: hex,
    releaseNotes: z.string(),
    categories: z.array(z.string()),
    chains: z.array(z.string()),
    price: z.object({ model: z.enum(['free', 'perMonth', 'perCall']), amount }),
    beneficiaries: z.array(z.object({ did, shareBps: z.number() })),
  }),
  z.object({ type: z.literal('transferComponent'), name: z.string(), to: did }),
  z.object({ type: z.literal('deprecateVersion'), name: z.string(), version: z.string(), yank: z.boolean(), reason: z.string() }),
  z.object({ type: z.literal('reviewComponent'), name: z.string(), stars: z.number(), textHash: hex, edit: z.boolean() }),
  z.object({ type: z.literal('replyReview'), name: z.string(), reviewer: did, textHash: hex }),
  z.object({ type: z.literal('reportAbuse'), name: z.string(), reviewer: z.string(), reason: z.string() }),
  z.object({ type: z.literal('resolveReport'), report: hex, upheld: z.boolean(), note: z.string() }),
  z.object({
    type: z.literal('recordUsage'),
    period: z.number(),
    records: z.array(
      z.object({ component: z.string(), application: did, account: did, installs: z.number(), calls: z.number(), paid: amount }),
    ),
  }),
  z.object({ type: z.literal('stake'), amount }),
  z.object({ type: z.literal('unstake'), amount }),
  z.object({ type: z.literal('withdrawStake') }),
  z.object({
    type: z.literal('slash'),
    offender: did,
    amount,
    evidenceHash: hex,
    reason: z.string(),
    approvals: z.array(ApprovalOut),
  }),
  z.object({ type: z.literal('openApplication'), application: did, applicationKey: hex, applicationSignature: hex, deposit: amount }),
  z.object({ type: z.literal('fundApplication'), application: did, amount }),
  z.object({ type: z.literal('withdrawDeposit'), application: did, amount }),
  z.object({
    type: z.literal('settle'),
    period: z.number(),
    bills: z.array(
      z.object({ application: did, lines: z.array(z.object({ kind: z.enum(['component', 'node']), payee: z.string(), amount })) }),
    ),
  }),
  z.object({
    type: z.literal('issueToken'),
    symbol: z.string(),
    name: z.string(),
    decimals: z.number(),
    initialSupply: amount,
    policy: z.enum(['fixed', 'mintable', 'capped']),
    cap: amount,
  }),
  z.object({ type: z.literal('mintToken'), token: did, to: did, amount }),
  z.object({ type: z.literal('burnToken'), token: did, amount }),
  z.object({ type: z.literal('bridgeLock'), amount, ethAddress: z.string() }),
  z.object({
    type: z.literal('bridgeRelease'),
    ethTxHash: hex,
    logIndex: z.number(),
    to: did,
    amount,
    approvals: z.array(ApprovalOut),
  }),
]);

export const TxOut = z.object({
  hash: hex,
  height: z.number(),
  index: z.number(),
  timeMs: z.number(),
  from: did,
  nonce: z.number(),
  fee: amount,
  feePayer: did.nullable(),
  feePayerBatch: z.object({ index: z.number(), proofDepth: z.number(), root: hex }).nullable(),
  type: z.enum([
    'declareAccount',
    'transfer',
    'createToken',
    'createAsset',
    'updateAsset',
    'consumeAsset',
    'delegate',
    'revokeDelegation',
    'deployBlocklet',
    'publishComponent',
    'transferComponent',
    'deprecateVersion',
    'reviewComponent',
    'replyReview',
    'reportAbuse',
    'resolveReport',
    'recordUsage',
    'stake',
    'unstake',
    'withdrawStake',
    'slash',
    'openApplication',
    'fundApplication',
    'withdrawDeposit',
    'settle',
    'issueToken',
    'mintToken',
    'burnToken',
    'bridgeLock',
    'bridgeRelease',
  ]),
  itx: ItxOut,
  accounts: z.array(did),
  /** Set when its inner transaction failed: it is in the block, paid its fee, and did nothing else. */
  failed: z.object({ code: z.string(), message: z.string() }).nullable(),
});

/** `failed` is terminal like `committed` (in a block at `height`, fee charged) but did nothing else: `error` says why. */
export const TxStatusOut = z.object({
  hash: hex,
  status: z.enum(['pending', 'committed', 'failed', 'rejected', 'unknown']),
  height: z.number().nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  tx: TxOut.nullable(),
});

export const SubmitOut = z.object({ hash: hex, status: z.enum(['pending', 'committed', 'failed']), height: z.number().nullable() });

export const ProofOut = z.object({
  height: z.number(),
  stateRoot: hex,
  key: z.string(),
  value: hex.nullable(),
  siblings: z.array(hex),
  leaf: z.object({ key: hex, valueHash: hex }).nullable(),
});

/** The kinds of state entry `chain.stateEntry` proves: every kind. */
export const STATE_ENTRY_KINDS = STATE_KINDS;

/** A state entry's canonical bytes (proof.value, decode with core's decodeEntry) and its Merkle proof. */
export const StateEntryOut = z.object({ kind: z.enum(STATE_ENTRY_KINDS), id: z.string(), exists: z.boolean(), proof: ProofOut });

export const AccountOut = z.object({
  did,
  exists: z.boolean(),
  moniker: z.string(),
  nonce: z.number(),
  publicKey: hex.nullable(),
  balance: amount,
  tokens: z.array(z.object({ address: did, symbol: z.string(), decimals: z.number(), amount })),
  proof: ProofOut,
});

export const TokenOut = z.object({
  address: z.string(),
  symbol: z.string(),
  name: z.string(),
  decimals: z.number(),
  totalSupply: amount,
  owner: did.nullable(),
  createdAtHeight: z.number(),
  native: z.boolean(),
  /** How the supply may change: fixed, mintable by the owner, or capped at `cap` ('0' unless capped). */
  policy: z.enum(['fixed', 'mintable', 'capped']),
  cap: amount,
});

export const AssetOut = z.object({
  address: did,
  owner: did,
  issuer: did,
  moniker: z.string(),
  data: hex,
  transferable: z.boolean(),
  readonly: z.boolean(),
  consumed: z.boolean(),
  createdAtHeight: z.number(),
  updatedAtHeight: z.number(),
});

export const ChainInfoOut = z.object({
  chainId: z.string(),
  height: z.number(),
  headHash: hex,
  stateRoot: hex,
  timeMs: z.number(),
  nativeToken: z.object({ symbol: z.string(), name: z.string(), decimals: z.number(), totalSupply: amount }),
  params: z.object({
    minFee: amount,
    maxTxBytes: z.number(),
    maxTxsPerBlock: z.number(),
    maxBlockBytes: z.number(),
    market: z.object({ moderators: z.array(did), usageReporters: z.array(did) }),
    economy: z.object({
      treasury: did,
      treasuryBps: z.number(),
      settlers: z.array(did),
      billingPeriodMs: z.number(),
      graceMs: z.number(),
      unbondingMs: z.number(),
      validators: z.array(did),
      slashThreshold: z.number(),
      bridgeEscrow: did,
      bridgeSigners: z.array(did),
      bridgeThreshold: z.number(),
      /** The bonded stake each component name an account owns needs. */
      publishStake: amount,
    }),
  }),
  mempool: z.object({ size: z.number(), capacity: z.number() }),
  faucet: z.object({ enabled: z.boolean(), amount }),
  nodeDid: did,
});

/** A page of items with the cursor of the next page (null on the last page). */
export function pageOf<T extends z.ZodType, C extends z.ZodType>(item: T, cursor: C) {
  return z.object({ items: z.array(item), nextCursor: cursor.nullable() });
}
