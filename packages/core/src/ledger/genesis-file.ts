/**
 * The genesis file: its schema (every field checked, with a sentence per problem), its JSON form (what a node serves
 * so that anyone can replay its chain), and the parameters a node applies blocks under.
 */
import { z } from 'zod';
import { fromHex, toHex, utf8 } from '../bytes.ts';
import { SMALL_NETWORK_PARAMS } from '../consensus/params.ts';
import { deriveDid, didMatchesPublicKey, isValidDid } from '../did/did.ts';
import type { EconomyParams } from './economy-types.ts';
import { type GenesisConfig, isDevChain } from './genesis.ts';
import { ECONOMY_LIMITS, TX_LIMITS } from './limits.ts';
import type { ChainParams } from './types.ts';

const amount = z
  .string()
  .regex(/^\d{1,78}$/, 'an amount is a decimal integer string in the smallest unit')
  .transform((s) => BigInt(s));

const did = z.string().refine(isValidDid, 'not a valid did:abt: DID');

/** The bonded stake each component name needs when a genesis file does not say: 1 ABT. */
export const PUBLISH_STAKE_DEFAULT = 10n ** 18n;
/** Bounds on the market's role lists, so a genesis file cannot make every check scan a huge list. */
const MARKET_ROLES_MAX = 100;

const MarketParamsSchema = z.object({
  /** Deprecated: the publish stake moved to `economy.publishStake`; still read from here when that is absent. */
  publishStake: amount.optional(),
  moderators: z.array(did).max(MARKET_ROLES_MAX).default([]),
  usageReporters: z.array(did).max(MARKET_ROLES_MAX).default([]),
});

const DAY_MS = 86_400_000;
/** The treasury when a genesis file does not name one: a DID nobody holds the key of (did:abt:z1n1CKMKKAgT9dFyswgU7GuV6FuhsS5LrBw). */
export const TREASURY_DID_DEFAULT = deriveDid(utf8('arc:treasury'), 'account');
/** The bridge escrow when a genesis file does not name one (did:abt:z1YMq3CCSx7vHWYMxrHFwy9m8yp8WHrftyQ); only bridgeRelease moves it. */
export const BRIDGE_ESCROW_DID_DEFAULT = deriveDid(utf8('arc:bridge-escrow'), 'account');
/** The longest billing period, grace or unbonding delay a genesis file may set. */
const ECONOMY_PERIOD_MS_MAX = 10 * 366 * DAY_MS;

const roleMembers = z
  .array(did)
  .max(ECONOMY_LIMITS.roleMembersMax)
  .refine((list) => new Set(list).size === list.length, 'a DID is listed twice: list each member once')
  .default([]);
const periodMs = z.number().int().min(1000, 'a period is at least 1000 ms').max(ECONOMY_PERIOD_MS_MAX);
const threshold = z.number().int().min(1, 'a threshold is at least 1 approval').max(ECONOMY_LIMITS.roleMembersMax);

const EconomyParamsSchema = z
  .object({
    treasury: did.default(TREASURY_DID_DEFAULT),
    treasuryBps: z.number().int().min(0).max(10_000, 'treasuryBps is a share in basis points: at most 10000').default(1000),
    settlers: roleMembers,
    billingPeriodMs: periodMs.default(30 * DAY_MS),
    graceMs: periodMs.default(7 * DAY_MS),
    unbondingMs: periodMs.default(7 * DAY_MS),
    validators: roleMembers,
    slashThreshold: threshold.default(1),
    bridgeEscrow: did.default(BRIDGE_ESCROW_DID_DEFAULT),
    bridgeSigners: roleMembers,
    bridgeThreshold: threshold.default(1),
    /** The bonded stake each component name an account owns needs; PUBLISH_STAKE_DEFAULT when neither this nor market.publishStake says. */
    publishStake: amount.optional(),
  })
  .refine((e) => e.validators.length === 0 || e.slashThreshold <= e.validators.length, {
    path: ['slashThreshold'],
    message: 'slashThreshold asks for more approvals than there are validators: lower it or list more validators',
  })
  .refine((e) => e.bridgeSigners.length === 0 || e.bridgeThreshold <= e.bridgeSigners.length, {
    path: ['bridgeThreshold'],
    message: 'bridgeThreshold asks for more approvals than there are bridge signers: lower it or list more bridgeSigners',
  })
  .refine((e) => e.treasury !== e.bridgeEscrow, {
    path: ['bridgeEscrow'],
    message: 'the bridge escrow and the treasury are one account: give bridgeEscrow a DID of its own',
  });

/** The token economy's parameters a genesis file without `params.economy` gets. */
export const ECONOMY_PARAMS_DEFAULT: EconomyParams = { ...EconomyParamsSchema.parse({}), publishStake: PUBLISH_STAKE_DEFAULT };

/** The most validators a genesis may list: votes are counted one per validator (whole-stake committees). */
export const VALIDATORS_MAX = 100;
/** One ABT in the smallest unit: sortition weighs stake in whole ABT. */
const ABT_UNIT = 10n ** 18n;

const ConsensusSchema = z
  .object({
    validators: z
      .array(
        z.object({
          did,
          publicKey: z.string().regex(/^[0-9a-f]{64}$/, 'a validator key is 32 bytes of lower-case hex (ed25519)'),
          stake: amount.refine((a) => a >= ABT_UNIT, 'a validator stakes at least 1 ABT (10^18 in the smallest unit)'),
        }),
      )
      .min(1, 'a consensus chain lists at least one validator')
      .max(VALIDATORS_MAX)
      .refine((list) => new Set(list.map((v) => v.did)).size === list.length, 'a validator is listed twice: list each once')
      .refine((list) => list.every((v) => didMatchesPublicKey(v.did, fromHex(v.publicKey))), "a validator's DID is not its key's DID"),
    /** BA*'s timing and sizes (consensus/params.ts); SMALL_NETWORK_PARAMS where absent. */
    proposalWaitMs: z.number().int().min(10).max(60_000).default(SMALL_NETWORK_PARAMS.proposalWaitMs),
    blockWaitMs: z.number().int().min(10).max(600_000).default(SMALL_NETWORK_PARAMS.blockWaitMs),
    stepWaitMs: z.number().int().min(10).max(600_000).default(SMALL_NETWORK_PARAMS.stepWaitMs),
    tauProposer: z.number().int().min(1).max(1000).default(SMALL_NETWORK_PARAMS.tauProposer),
  })
  .transform(({ validators, ...timing }) => ({
    validators: validators.map((v) => ({ did: v.did, publicKey: fromHex(v.publicKey), stake: v.stake })),
    params: { ...SMALL_NETWORK_PARAMS, ...timing },
  }))
  .refine(({ validators }) => validators.reduce((sum, v) => sum + v.stake / ABT_UNIT, 0n) <= BigInt(Number.MAX_SAFE_INTEGER), {
    message: 'the validators stake more than 2^53 ABT in all',
  });

/** A validator's sortition weight: its stake in whole ABT. */
export function validatorWeight(stake: bigint): number {
  return Number(stake / ABT_UNIT);
}

const ChainParamsSchema = z
  .object({
    minFee: amount,
    maxTxBytes: z.number().int().min(256).max(TX_LIMITS.txBytesHardMax),
    maxTxsPerBlock: z.number().int().min(1).max(100_000),
    maxBlockBytes: z
      .number()
      .int()
      .min(1024)
      .max(64 * 1024 * 1024),
    /** The marketplace's rules; optional, with no moderators or usage reporters. */
    market: MarketParamsSchema.prefault({}),
    /** Billing, staking (and the stake names need), slashing, the treasury and the bridge; optional, with ECONOMY_PARAMS_DEFAULT. */
    economy: EconomyParamsSchema.prefault({}),
    /** A chain run by a network of nodes: validators and BA* timing (consensus/README.md); absent for one node. */
    consensus: ConsensusSchema.optional(),
  })
  .refine(
    ({ market, economy }) =>
      market.publishStake === undefined || economy.publishStake === undefined || market.publishStake === economy.publishStake,
    {
      path: ['market', 'publishStake'],
      message: 'market.publishStake (deprecated) and economy.publishStake differ: keep economy.publishStake only',
    },
  )
  .transform(({ market: { publishStake: deprecated, ...market }, economy, consensus, ...rest }) => ({
    ...rest,
    ...(consensus ? { consensus } : {}),
    market,
    economy: { ...economy, publishStake: economy.publishStake ?? deprecated ?? PUBLISH_STAKE_DEFAULT },
  }));

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
  params: ChainParamsSchema,
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
  return parseGenesisJson(json, source);
}

/** Parses a genesis file's JSON value (read from a file, or a node's `chain.genesis`), with a sentence per problem. */
export function parseGenesisJson(json: unknown, source: string): GenesisConfig {
  const result = GenesisFileSchema.safeParse(json);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`${source} is not a valid genesis file:\n${lines.join('\n')}`);
  }
  return result.data;
}

/**
 * A config as the genesis file that parses back to it: amounts as decimal strings, every default written out. A node
 * serves it (`chain.genesis`), so a verifier rebuilds the genesis state from it.
 */
export function genesisFileJson(config: GenesisConfig): z.input<typeof GenesisFileSchema> {
  const { params } = config;
  return {
    chainId: config.chainId,
    timeMs: config.timeMs,
    nativeToken: { symbol: 'ABT', name: config.nativeToken.name, decimals: 18 },
    params: {
      minFee: params.minFee.toString(),
      maxTxBytes: params.maxTxBytes,
      maxTxsPerBlock: params.maxTxsPerBlock,
      maxBlockBytes: params.maxBlockBytes,
      market: { moderators: [...params.market.moderators], usageReporters: [...params.market.usageReporters] },
      economy: { ...params.economy, publishStake: params.economy.publishStake.toString() },
      ...(params.consensus ? { consensus: consensusJson(params.consensus) } : {}),
    },
    allocations: config.allocations.map((a) => ({ did: a.did, amount: a.amount.toString() })),
  };
}

/**
 * The chain parameters a node applies blocks under. On a development chain the node itself moderates the market,
 * records usage and settles billing periods (its DID joins those lists), and is the one validator when the genesis
 * names none, so the demo and tests can exercise every market and economy transaction; any other chain takes its
 * genesis parameters as they are.
 */
export function nodeChainParams(genesis: GenesisConfig, nodeDid: string): ChainParams {
  const params = genesis.params;
  // A consensus chain's nodes must apply blocks under one set of parameters: none adds itself to a role.
  if (!isDevChain(genesis.chainId) || params.consensus) return params;
  const add = (list: string[]) => (list.includes(nodeDid) ? list : [...list, nodeDid]);
  const { economy } = params;
  const soleValidator = economy.validators.length === 0;
  return {
    ...params,
    market: { ...params.market, moderators: add(params.market.moderators), usageReporters: add(params.market.usageReporters) },
    economy: {
      ...economy,
      settlers: add(economy.settlers),
      validators: soleValidator ? [nodeDid] : economy.validators,
      slashThreshold: soleValidator ? 1 : economy.slashThreshold,
    },
  };
}

function consensusJson(c: NonNullable<ChainParams['consensus']>) {
  const { proposalWaitMs, blockWaitMs, stepWaitMs, tauProposer } = c.params;
  return {
    validators: c.validators.map((v) => ({ did: v.did, publicKey: toHex(v.publicKey), stake: v.stake.toString() })),
    proposalWaitMs,
    blockWaitMs,
    stepWaitMs,
    tauProposer,
  };
}
