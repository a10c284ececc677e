import { z } from 'zod';

/**
 * OCAP procedure inputs and outputs. Amounts are decimal strings in the chain's smallest unit; addresses and
 * hashes are in each chain's own form (0x…, bcrt1…, did:abt:…), checked by the adapter.
 */
const chain = z.string().min(1).max(32);
const text = (max: number) => z.string().min(1).max(max);
const address = text(128);
const txHash = text(130);
const amount = z
  .string()
  .regex(/^\d{1,78}$/, 'an amount is a decimal integer string in the smallest unit')
  .transform((s) => BigInt(s));

export const QueryIn = z.discriminatedUnion('method', [
  z.strictObject({ chain, method: z.literal('getLatestBlock') }),
  z
    .strictObject({ chain, method: z.literal('getBlock'), height: z.number().int().min(0).optional(), hash: text(130).optional() })
    .refine((q) => (q.height === undefined) !== (q.hash === undefined), 'give exactly one of height or hash'),
  z.strictObject({ chain, method: z.literal('getTransaction'), hash: txHash }),
  z.strictObject({ chain, method: z.literal('getBalance'), address }),
  z.strictObject({ chain, method: z.literal('estimateFee'), from: address, to: address, amount }),
  z.strictObject({ chain, method: z.literal('accountId'), address }),
  z.strictObject({ chain, method: z.literal('getTokenInfo'), token: text(200) }),
  z.strictObject({ chain, method: z.literal('getTokenBalance'), token: text(200), owner: address }),
  z.strictObject({ chain, method: z.literal('getAsset'), asset: text(200) }),
]);

export type QueryInput = z.output<typeof QueryIn>;

export const SendIn = z.strictObject({
  chain,
  /** The chain's own signed transaction encoding, hex. */
  rawTx: z
    .string()
    .min(2)
    .max(256 * 1024)
    .regex(/^(0x)?[0-9a-fA-F]+$/, 'rawTx is the signed transaction as hex'),
  idempotencyKey: z.string().min(1).max(200).optional(),
});

export const EventOut = z.object({
  position: z.string(),
  kind: z.enum(['transfer', 'tokenTransfer', 'assetTransfer', 'log']),
  blockHeight: z.number(),
  blockHash: z.string(),
  txHash: z.string(),
  from: z.string().nullable(),
  to: z.string().nullable(),
  amount: z.string().regex(/^\d{1,78}$/),
  token: z.string().nullable(),
  address: z.string().optional(),
  topics: z.array(z.string()).optional(),
  data: z.string().optional(),
  removed: z.boolean(),
});

const CheckpointIn = z.strictObject({
  v: z.literal(1),
  height: z.number().int().min(-1),
  hash: z.string().max(130),
  position: z.string().max(40),
  recent: z
    .array(
      z.strictObject({
        height: z.number().int().min(0),
        hash: z.string().max(130),
        parentHash: z.string().max(130),
        events: z.array(EventOut).max(10_000),
      }),
    )
    .max(128),
});

export const EventsIn = z.strictObject({
  chain,
  /** Resume after this checkpoint (from the previous page); or start at fromHeight. */
  checkpoint: CheckpointIn.optional(),
  fromHeight: z.number().int().min(0).optional(),
  confirmations: z.number().int().min(1).max(128).default(1),
  filter: z
    .strictObject({
      addresses: z.array(address).max(100).optional(),
      kinds: z
        .array(z.enum(['transfer', 'tokenTransfer', 'assetTransfer', 'log']))
        .max(4)
        .optional(),
    })
    .optional(),
  limit: z.number().int().min(1).max(500).default(100),
  /** How long to wait for the first event when none is ready. */
  waitMs: z.number().int().min(0).max(10_000).default(1000),
});

const Capability = z.union([z.literal('native'), z.literal('emulated'), z.literal(false)]);

export const ChainOut = z.object({
  name: z.string(),
  adapter: z.string(),
  capabilities: z.object({
    accounts: Capability,
    tokens: Capability,
    assets: Capability,
    events: Capability,
    reorgs: Capability,
    native: Capability,
  }),
  info: z
    .object({
      chainId: z.string(),
      adapter: z.string(),
      name: z.string(),
      nativeSymbol: z.string(),
      nativeDecimals: z.number(),
      blockTimeMs: z.number(),
    })
    .nullable(),
  status: z.enum(['ok', 'unavailable']),
  error: z.string().nullable(),
});

/** Any chain answer, with bigints as decimal strings. */
export const QueryOut = z.object({ chain: z.string(), method: z.string(), result: z.json() });

export const SendOut = z.object({ hash: z.string(), from: z.string(), nonce: z.number().optional() });

export const EventPageOut = z.object({ events: z.array(EventOut), checkpoint: z.json() });
