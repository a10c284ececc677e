import { ECONOMY_LIMITS, fromHex, isValidDid, utf8 } from '@arc/core';
import { z } from 'zod';
import { isStorableText } from './storable.ts';

const amount = z.union([z.string().regex(/^\d{1,78}$/), z.number().int().nonnegative()]).transform((v) => BigInt(v));
const did = z.string().refine(isValidDid, 'not a valid DID');
const itxText = (max: number) => z.string().max(max).refine(isStorableText, 'must not hold NUL characters or unpaired surrogates');
/** Fixed-length bytes as 0x hex (a hash, a public key, a signature). */
const bytes = (length: number) =>
  z
    .string()
    .regex(new RegExp(`^0x[0-9a-fA-F]{${length * 2}}$`), `is 0x and ${length * 2} hex digits`)
    .transform((s) => fromHex(s.slice(2).toLowerCase()));
const data = z
  .string()
  .max(16_384)
  .transform((s) => (/^(0x)?([0-9a-f]{2})*$/i.test(s) ? fromHex(s.replace(/^0x/, '')) : utf8(s)));

/** The ledger transactions a blocklet may submit (JSON form: amounts as decimal strings, data as hex or text). */
export const BlockletItx = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('declareAccount'), moniker: z.string().max(64) }),
  z.strictObject({
    type: z.literal('transfer'),
    to: did,
    amount: amount.default(0n),
    tokens: z
      .array(z.strictObject({ token: did, amount }))
      .max(16)
      .default([]),
    assets: z.array(did).max(16).default([]),
    memo: itxText(256).default(''),
  }),
  z.strictObject({
    type: z.literal('createAsset'),
    moniker: itxText(64),
    data: data.default(() => new Uint8Array(0)),
    transferable: z.boolean().default(true),
    readonly: z.boolean().default(false),
  }),
  z.strictObject({
    type: z.literal('updateAsset'),
    address: did,
    moniker: itxText(64),
    data: data.default(() => new Uint8Array(0)),
  }),
  z.strictObject({
    type: z.literal('createToken'),
    symbol: itxText(16),
    name: itxText(64),
    decimals: z.number().int().min(0).max(18),
    totalSupply: amount,
  }),
  // Application tokens with a supply policy, for in-app payments (the economy's issueToken, mintToken, burnToken).
  z.strictObject({
    type: z.literal('issueToken'),
    symbol: itxText(16),
    name: itxText(64),
    decimals: z.number().int().min(0).max(18).default(18),
    initialSupply: amount.default(0n),
    policy: z.enum(['fixed', 'mintable', 'capped']),
    cap: amount.default(0n),
  }),
  z.strictObject({ type: z.literal('mintToken'), token: did, to: did, amount }),
  z.strictObject({ type: z.literal('burnToken'), token: did, amount }),
  // A bridge release with the threshold of approvals a relayer collected (the bridge-relayer component).
  z.strictObject({
    type: z.literal('bridgeRelease'),
    ethTxHash: bytes(32),
    logIndex: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1),
    to: did,
    amount,
    approvals: z
      .array(z.strictObject({ did, publicKey: bytes(32), signature: bytes(64) }))
      .min(1)
      .max(ECONOMY_LIMITS.approvalsMax),
  }),
]);
