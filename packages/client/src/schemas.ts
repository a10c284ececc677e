import { z } from 'zod';

/**
 * The node's responses as the API contract (apps/node/API.md) describes them. The client parses
 * every answer: amounts arrive as decimal strings and leave as bigint, and a node that breaks the
 * contract is a BAD_RESPONSE rather than a wrong number on someone's screen.
 */

const hex = z.string().regex(/^([0-9a-f]{2})*$/, 'lower-case hex');
const amount = z
  .string()
  .regex(/^\d{1,78}$/, 'a decimal integer string')
  .transform((s) => BigInt(s));
const height = z.number().int().nonnegative();

export const ChainInfoSchema = z.object({
  chainId: z.string(),
  height,
  headHash: hex,
  stateRoot: hex,
  timeMs: z.number(),
  nativeToken: z.object({ symbol: z.string(), name: z.string(), decimals: z.number().int(), totalSupply: amount }),
  params: z.object({
    minFee: amount,
    maxTxBytes: z.number().int(),
    maxTxsPerBlock: z.number().int(),
    maxBlockBytes: z.number().int(),
    /** The bonded stake each component name an account owns needs (stake before publishing a new name). */
    economy: z.object({ publishStake: amount }),
  }),
  mempool: z.object({ size: z.number().int(), capacity: z.number().int() }),
  faucet: z.object({ enabled: z.boolean(), amount }),
  nodeDid: z.string(),
});
export type ChainInfo = z.infer<typeof ChainInfoSchema>;

export const BlockSchema = z.object({
  height,
  hash: hex,
  prevHash: hex,
  timeMs: z.number(),
  proposer: z.string(),
  txRoot: hex,
  stateRoot: hex,
  txCount: z.number().int().nonnegative(),
  txHashes: z.array(hex),
});
export type Block = z.infer<typeof BlockSchema>;

export const TxRecordSchema = z.object({
  hash: hex,
  height,
  index: z.number().int().nonnegative(),
  timeMs: z.number(),
  from: z.string(),
  nonce: z.number().int(),
  fee: amount,
  feePayer: z.string().nullable(),
  type: z.string(),
  // Amounts inside stay strings and bytes stay hex: its shape depends on the type.
  itx: z.record(z.string(), z.unknown()),
  accounts: z.array(z.string()),
  /** Set when its inner transaction failed: it is in the block, paid its fee, and did nothing else. */
  failed: z.object({ code: z.string(), message: z.string() }).nullable().default(null),
});
export type TxRecord = z.infer<typeof TxRecordSchema>;

/** `failed` is terminal: in the block at `height` with its fee charged, but its inner transaction failed (`error`). */
export const TxStatusSchema = z.object({
  hash: hex,
  status: z.enum(['pending', 'committed', 'failed', 'rejected', 'unknown']),
  height: height.nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  tx: TxRecordSchema.nullable(),
});
export type TxStatus = z.infer<typeof TxStatusSchema>;

export const SendResultSchema = z.object({
  hash: hex,
  status: z.enum(['pending', 'committed', 'failed']),
  height: height.nullable(),
});
export type SendResult = z.infer<typeof SendResultSchema>;

export const AccountProofSchema = z.object({
  height,
  stateRoot: hex,
  key: z.string(),
  value: hex.nullable(),
  siblings: z.array(hex),
  leaf: z.object({ key: hex, valueHash: hex }).nullable(),
});
export type AccountProof = z.infer<typeof AccountProofSchema>;

export const AccountResponseSchema = z.object({
  did: z.string(),
  exists: z.boolean(),
  moniker: z.string(),
  nonce: z.number().int().nonnegative(),
  publicKey: hex.nullable(),
  balance: amount,
  tokens: z.array(z.object({ address: z.string(), symbol: z.string(), decimals: z.number().int(), amount })),
  proof: AccountProofSchema,
});
export type AccountResponse = z.infer<typeof AccountResponseSchema>;

export const TokenSchema = z.object({
  address: z.string(),
  symbol: z.string(),
  name: z.string(),
  decimals: z.number().int(),
  totalSupply: amount,
  owner: z.string().nullable(),
  createdAtHeight: height,
  native: z.boolean(),
});
export type Token = z.infer<typeof TokenSchema>;

export const AssetSchema = z.object({
  address: z.string(),
  owner: z.string(),
  issuer: z.string(),
  moniker: z.string(),
  data: hex,
  transferable: z.boolean(),
  readonly: z.boolean(),
  consumed: z.boolean(),
  createdAtHeight: height,
  updatedAtHeight: height,
});
export type Asset = z.infer<typeof AssetSchema>;

/** A page of a list procedure. */
export function pageSchema<T extends z.ZodType, C extends z.ZodType>(item: T, cursor: C) {
  return z.object({ items: z.array(item), nextCursor: cursor.nullable() });
}
export const BlockPageSchema = pageSchema(BlockSchema, z.number().int());

/** `chain.genesis`: the genesis file the chain started from (parsed with core's parseGenesisJson), the node's DID. */
export const GenesisResponseSchema = z.object({ genesis: z.record(z.string(), z.unknown()), nodeDid: z.string(), height });

/** `block.raw`: blocks as they travel, canonical bytes in hex. */
export const RawBlocksSchema = z.object({
  blocks: z.array(z.object({ height, header: hex, seal: hex, txs: z.array(hex) })),
  next: height.nullable(),
});
export type RawBlocks = z.infer<typeof RawBlocksSchema>;

/** A verification report the node recorded (`chain.reportVerified`, `chain.lastVerified`): who replayed up to where. */
export const VerifiedReportSchema = z.object({
  height,
  stateRoot: hex,
  /** The DID that signed the report. */
  verifier: z.string(),
  /** When the node recorded it, by the node's clock. */
  atMs: z.number(),
});
export type VerifiedReport = z.infer<typeof VerifiedReportSchema>;
/** `chain.lastVerified`: the report with the greatest height, or null when nobody has reported. */
export const LastVerifiedSchema = VerifiedReportSchema.nullable();
export const TxPageSchema = pageSchema(TxRecordSchema, z.string());
export const TokenPageSchema = pageSchema(TokenSchema, z.string());
export const AssetPageSchema = pageSchema(AssetSchema, z.string());

export const FaucetClaimSchema = z.object({ hash: hex, amount });
export type FaucetClaim = z.infer<typeof FaucetClaimSchema>;
