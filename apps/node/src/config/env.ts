import { z } from 'zod';

/** Every environment variable the node reads, parsed once. Nothing else reads process.env. */
const EnvSchema = z.object({
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z.string().url().optional(),
  GENESIS_FILE: z.string().optional(),
  NODE_KEY_FILE: z.string().optional(),
  BLOCK_INTERVAL_MS: z.coerce.number().int().min(100).max(3_600_000).default(5000),
  MEMPOOL_MAX_TXS: z.coerce.number().int().min(1).max(1_000_000).default(50_000),
  MEMPOOL_TTL_MS: z.coerce.number().int().min(1000).default(600_000),
  VERIFY_THREADS: z.coerce.number().int().min(0).max(64).default(2),
  SEED_DEMO: z.enum(['auto', 'off']).default('auto'),
  FAUCET_AMOUNT_ABT: z.coerce.number().int().min(1).max(1_000_000).default(100),
  FAUCET_INTERVAL_MS: z.coerce.number().int().min(0).default(60_000),
  OCAP_CONFIG_FILE: z.string().min(1).optional(),
  ETHEREUM_RPC_URL: z.url({ protocol: /^https?$/ }).optional(),
  BITCOIN_RPC_URL: z.url({ protocol: /^https?$/ }).optional(),
  BITCOIN_RPC_USER: z.string().optional(),
  BITCOIN_RPC_PASSWORD: z.string().optional(),
  BITCOIN_NETWORK: z.enum(['regtest', 'testnet', 'mainnet']).optional(),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
});

export type Env = z.infer<typeof EnvSchema>;

/** Parses the environment or throws one sentence per bad variable. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = EnvSchema.safeParse(source);
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
  throw new Error(`Invalid environment; fix these variables:\n${lines.join('\n')}`);
}
