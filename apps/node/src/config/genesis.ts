import { readFile } from 'node:fs/promises';
import { type ChainParams, type GenesisConfig, isDevChain, isValidDid, TX_LIMITS } from '@arc/core';
import { z } from 'zod';

const amount = z
  .string()
  .regex(/^\d{1,78}$/, 'an amount is a decimal integer string in the smallest unit')
  .transform((s) => BigInt(s));

const did = z.string().refine(isValidDid, 'not a valid did:abt: DID');

/** The ABT a first publish locks when a genesis file does not say: 1 ABT. */
export const PUBLISH_STAKE_DEFAULT = 10n ** 18n;
/** Bounds on the market's role lists, so a genesis file cannot make every check scan a huge list. */
const MARKET_ROLES_MAX = 100;

const MarketParamsSchema = z.object({
  publishStake: amount.default(PUBLISH_STAKE_DEFAULT),
  moderators: z.array(did).max(MARKET_ROLES_MAX).default([]),
  usageReporters: z.array(did).max(MARKET_ROLES_MAX).default([]),
});

/** The genesis file: chain id, native token, parameters and allocations. */
export const GenesisFileSchema = z.object({
  chainId: z
    .string()
    .min(1)
    .max(TX_LIMITS.chainIdBytes)
    .regex(/^[a-z0-9][a-z0-9._-]*$/, 'lower-case letters, digits, . _ -'),
  timeMs: z.number().int().nonnegative(),
  nativeToken: z
    .object({ symbol: z.literal('ABT'), name: z.string().min(1).max(64), decimals: z.literal(18) })
    .default({ symbol: 'ABT', name: 'ArcBlock Token', decimals: 18 }),
  params: z.object({
    minFee: amount,
    maxTxBytes: z.number().int().min(256).max(TX_LIMITS.txBytesHardMax),
    maxTxsPerBlock: z.number().int().min(1).max(100_000),
    maxBlockBytes: z
      .number()
      .int()
      .min(1024)
      .max(64 * 1024 * 1024),
    /** The marketplace's rules; optional, with a 1 ABT publish stake and no moderators or usage reporters. */
    market: MarketParamsSchema.prefault({}),
  }),
  allocations: z.array(z.object({ did, amount })).max(100_000),
});

/** Parses genesis JSON text into a config, with a sentence per problem. */
export function parseGenesis(text: string, source: string): GenesisConfig {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${source} is not JSON: ${(error as Error).message}`);
  }
  const result = GenesisFileSchema.safeParse(json);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`${source} is not a valid genesis file:\n${lines.join('\n')}`);
  }
  return result.data;
}

/** Reads and parses a genesis file. */
export async function loadGenesisFile(path: string): Promise<GenesisConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(`the genesis file ${path} cannot be read (${(error as NodeJS.ErrnoException).code}); check GENESIS_FILE`);
  }
  return parseGenesis(text, path);
}

/**
 * The chain parameters a node applies blocks under. On a development chain the node itself moderates the market
 * and records usage (its DID joins both lists), so the demo and tests can exercise every market transaction; any
 * other chain takes its genesis parameters as they are.
 */
export function nodeChainParams(genesis: GenesisConfig, nodeDid: string): ChainParams {
  const params = genesis.params;
  if (!isDevChain(genesis.chainId)) return params;
  const add = (list: string[]) => (list.includes(nodeDid) ? list : [...list, nodeDid]);
  return {
    ...params,
    market: { ...params.market, moderators: add(params.market.moderators), usageReporters: add(params.market.usageReporters) },
  };
}
