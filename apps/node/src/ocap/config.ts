import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { FabricConfigSchema } from '@arc/adapters';
import { z } from 'zod';
import { checkFabricFiles, FABRIC_ENV_VARIABLES, type FabricEnv, fabricChainFromEnv, resolveFabricPaths } from './fabric-config.ts';

const name = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,31}$/, 'a chain name is 1–32 lower-case letters, digits or dashes, starting with a letter');

const url = z.url({ protocol: /^https?$/, error: 'an http(s) URL' });

/** One chain the node reaches, by adapter. `name` is the handle used in the API (`ocap.query({ chain: name })`). */
export const ChainConfigSchema = z.discriminatedUnion('adapter', [
  z.strictObject({ name, adapter: z.literal('native') }),
  z.strictObject({
    name,
    adapter: z.literal('mock'),
    blockTimeMs: z.number().int().min(50).max(3_600_000).default(2000),
    /** Genesis balances in the mock's smallest unit, by mock address. */
    balances: z.record(z.string(), z.string().regex(/^\d{1,40}$/)).default({}),
  }),
  z.strictObject({
    name,
    adapter: z.literal('ethereum'),
    rpcUrl: url,
    /** Known up front, so CAIP ids are ready before the first call reaches the endpoint. */
    chainId: z.number().int().positive().optional(),
  }),
  z.strictObject({
    name,
    adapter: z.literal('bitcoin'),
    rpcUrl: url,
    network: z.enum(['regtest', 'testnet', 'mainnet']).default('regtest'),
    user: z.string().optional(),
    password: z.string().optional(),
  }),
  // A Hyperledger Fabric channel through its gateway peer: the adapter's own settings (packages/adapters/src/fabric).
  FabricConfigSchema.extend({ name, adapter: z.literal('fabric') }),
]);

export type ChainConfig = z.infer<typeof ChainConfigSchema>;

export const OcapConfigSchema = z.strictObject({
  chains: z
    .array(ChainConfigSchema)
    .max(32)
    .refine((chains) => new Set(chains.map((c) => c.name)).size === chains.length, 'chain names must be unique'),
});

export type OcapConfig = z.infer<typeof OcapConfigSchema>;

/** What the node reaches when nothing is configured: its own ledger and a mock chain for app developers. */
export const DEFAULT_CHAINS: ChainConfig[] = [
  { name: 'arc', adapter: 'native' },
  { name: 'mock', adapter: 'mock', blockTimeMs: 2000, balances: {} },
];

/** Parses an OCAP config document, with one line per problem naming where it is. */
export function parseOcapConfig(json: unknown, source: string): OcapConfig {
  const result = OcapConfigSchema.safeParse(json);
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
  throw new Error(`${source} is not a valid OCAP config; fix:\n${lines.join('\n')}`);
}

/**
 * The node's chains: the config file when given (OCAP_CONFIG_FILE), else the defaults; then the env shortcuts
 * ETHEREUM_RPC_URL, BITCOIN_RPC_URL and FABRIC_GATEWAY_URL add an `ethereum` / `bitcoin` / `fabric` chain unless the
 * file names one of that adapter already. Relative Fabric paths in the file are taken from the file's folder; each
 * Fabric chain's identity is read once here, so a wrong path stops the node with a sentence naming the setting.
 */
export async function loadOcapConfig(
  env: {
    OCAP_CONFIG_FILE?: string | undefined;
    ETHEREUM_RPC_URL?: string | undefined;
    BITCOIN_RPC_URL?: string | undefined;
    BITCOIN_RPC_USER?: string | undefined;
    BITCOIN_RPC_PASSWORD?: string | undefined;
    BITCOIN_NETWORK?: 'regtest' | 'testnet' | 'mainnet' | undefined;
  } & FabricEnv,
): Promise<OcapConfig> {
  let config: OcapConfig = { chains: [...DEFAULT_CHAINS] };
  const file = env.OCAP_CONFIG_FILE;
  if (file) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new Error(`Cannot read OCAP_CONFIG_FILE ${file}: ${(error as Error).message}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new Error(`${file} is not JSON: ${(error as Error).message}`);
    }
    config = parseOcapConfig(json, file);
    const baseDir = dirname(file);
    config = { chains: config.chains.map((c) => (c.adapter === 'fabric' ? resolveFabricPaths(c, baseDir) : c)) };
  }
  const extra: unknown[] = [];
  const has = (adapter: string) => config.chains.some((c) => c.adapter === adapter);
  if (env.ETHEREUM_RPC_URL && !has('ethereum')) extra.push({ name: 'ethereum', adapter: 'ethereum', rpcUrl: env.ETHEREUM_RPC_URL });
  if (env.BITCOIN_RPC_URL && !has('bitcoin')) {
    extra.push({
      name: 'bitcoin',
      adapter: 'bitcoin',
      rpcUrl: env.BITCOIN_RPC_URL,
      network: env.BITCOIN_NETWORK ?? 'regtest',
      user: env.BITCOIN_RPC_USER,
      password: env.BITCOIN_RPC_PASSWORD,
    });
  }
  const fabricFromEnv = has('fabric') ? undefined : fabricChainFromEnv(env);
  if (fabricFromEnv) extra.push(fabricFromEnv);
  if (extra.length > 0) config = parseOcapConfig({ chains: [...config.chains, ...extra] }, 'the environment');

  for (const [index, chain] of config.chains.entries()) {
    if (chain.adapter !== 'fabric') continue;
    const fromEnv = fabricFromEnv !== undefined && index === config.chains.length - 1;
    const identityField = 'mspDir' in chain.identity ? 'identity.mspDir' : 'identity';
    await checkFabricFiles(chain, (field) =>
      fromEnv
        ? (FABRIC_ENV_VARIABLES[field === 'identity' ? identityField : field] ?? field)
        : `${file ?? 'the OCAP config'}: chains.${index}.${field} (the chain "${chain.name}")`,
    );
  }
  return config;
}
