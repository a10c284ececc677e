import { OcapError } from '@arc/core';
import { z } from 'zod';
import type { IdempotencyStore } from '../shared/idempotency.ts';

/** Fabric's rule for chaincode names (peer lifecycle): letters and digits, single - or _ between them. */
export const CHAINCODE_NAME = /^[a-zA-Z0-9]+([-_][a-zA-Z0-9]+)*$/;
/** Fabric's rule for channel names (configtxgen). */
export const CHANNEL_NAME = /^[a-z][a-z0-9.-]{0,248}$/;
/** host:port, optionally written as grpc://host:port (plaintext) or grpcs://host:port (TLS). */
const ENDPOINT = /^(grpcs?:\/\/)?(\[[0-9a-fA-F:.]+\]|[^\s/:[\]]+):(\d{1,5})\/?$/;

export const FABRIC_EVALUATE_TIMEOUT_MS_DEFAULT = 5_000;
export const FABRIC_ENDORSE_TIMEOUT_MS_DEFAULT = 15_000;
export const FABRIC_SUBMIT_TIMEOUT_MS_DEFAULT = 5_000;
export const FABRIC_COMMIT_STATUS_TIMEOUT_MS_DEFAULT = 60_000;
export const FABRIC_POLL_MS_DEFAULT = 1_000;
/** Reported in info(): a typical orderer batch timeout. */
export const FABRIC_BLOCK_TIME_MS_DEFAULT = 2_000;
/** Signers whose gateway connections are kept open at once (each is a small object over the one gRPC channel). */
export const FABRIC_GATEWAYS_MAX_DEFAULT = 1_000;

const path = z.string().min(1).max(4096);
const pem = z
  .string()
  .min(1)
  .max(64 * 1024);

/** The identity the adapter reads with (and its default signer): an MSP folder, two files, or PEM text. */
const IdentitySchema = z.union([
  z.strictObject({ mspDir: path }),
  z.strictObject({ certPath: path, keyPath: path }),
  z.strictObject({ certificatePem: pem, privateKeyPem: pem }),
]);

const TlsSchema = z.strictObject({
  /** PEM of the CA that signed the peer's TLS certificate; absent: the system's roots. */
  caCertPath: path.optional(),
  /** The name to check the peer's TLS certificate against when it differs from the endpoint's host. */
  serverNameOverride: z.string().min(1).max(253).optional(),
  /** For mutual TLS: the client's TLS certificate and key (not the signing identity). */
  clientCertPath: path.optional(),
  clientKeyPath: path.optional(),
});

export const FabricConfigSchema = z.strictObject({
  /** The gateway peer: host:port, grpc://host:port or grpcs://host:port. */
  endpoint: z.string().regex(ENDPOINT, 'host:port, grpc://host:port or grpcs://host:port'),
  channel: z.string().regex(CHANNEL_NAME, 'a Fabric channel name: lowercase letters, digits, dots and dashes'),
  /** The token chaincode whose token is the channel's coin for level 1 (balances, transfers, events). */
  chaincode: z.string().regex(CHAINCODE_NAME, 'a chaincode name: letters and digits, single - or _ between them').default('token'),
  mspId: z.string().min(1).max(256),
  identity: IdentitySchema,
  /** TLS to the gateway peer; absent: plaintext (development only) unless the endpoint says grpcs://. */
  tls: TlsSchema.optional(),
  evaluateTimeoutMs: z.number().int().positive().default(FABRIC_EVALUATE_TIMEOUT_MS_DEFAULT),
  endorseTimeoutMs: z.number().int().positive().default(FABRIC_ENDORSE_TIMEOUT_MS_DEFAULT),
  submitTimeoutMs: z.number().int().positive().default(FABRIC_SUBMIT_TIMEOUT_MS_DEFAULT),
  commitStatusTimeoutMs: z.number().int().positive().default(FABRIC_COMMIT_STATUS_TIMEOUT_MS_DEFAULT),
  /** How often waits, block subscriptions and event streams poll the peer. */
  pollMs: z.number().int().positive().default(FABRIC_POLL_MS_DEFAULT),
  blockTimeMs: z.number().int().nonnegative().default(FABRIC_BLOCK_TIME_MS_DEFAULT),
  gatewaysMax: z.number().int().positive().default(FABRIC_GATEWAYS_MAX_DEFAULT),
});

/** The parsed settings, every default filled in. */
export type FabricSettings = z.output<typeof FabricConfigSchema>;
export type FabricIdentityConfig = FabricSettings['identity'];
/** The settings without the identity: what the parts that never need the key (connection, native API) hold. */
export type FabricConnectionSettings = Omit<FabricSettings, 'identity'>;

/** What createFabricAdapter takes: the settings as written, plus where idempotency keys are remembered. */
export type FabricAdapterConfig = z.input<typeof FabricConfigSchema> & {
  /** In memory by default; the node passes its database. */
  idempotencyStore?: IdempotencyStore;
};

/** The endpoint split into the gRPC target and whether TLS is on. */
export interface FabricEndpoint {
  target: string;
  host: string;
  tls: boolean;
}

/** Parses the settings, or throws INVALID_ARGUMENT naming every bad field (never echoing PEM text). */
export function parseFabricConfig(config: FabricAdapterConfig): FabricSettings {
  const { idempotencyStore: _store, ...settings } = config;
  const result = FabricConfigSchema.safeParse(settings);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => `${issue.path.join('.') || '(config)'}: ${issue.message}`);
  throw new OcapError('INVALID_ARGUMENT', `The Fabric adapter's config is invalid: ${lines.join('; ')}.`);
}

/** The gRPC target and TLS flag of a parsed endpoint. */
export function parseEndpoint(settings: Pick<FabricSettings, 'endpoint' | 'tls'>): FabricEndpoint {
  const match = ENDPOINT.exec(settings.endpoint);
  if (!match) throw new OcapError('INVALID_ARGUMENT', `"${settings.endpoint}" is not host:port.`);
  const [, scheme, host, port] = match as unknown as [string, string | undefined, string, string];
  if (Number(port) < 1 || Number(port) > 65_535) throw new OcapError('INVALID_ARGUMENT', `Port ${port} is not 1 to 65535.`);
  if (scheme === 'grpc://' && settings.tls) {
    throw new OcapError('INVALID_ARGUMENT', 'The endpoint says grpc:// (plaintext) but tls is configured; write grpcs:// or drop tls.');
  }
  return { target: `${host}:${port}`, host: host.replace(/^\[|\]$/g, ''), tls: scheme === 'grpcs://' || settings.tls !== undefined };
}

/**
 * The adapter's config from environment variables, or undefined when FABRIC_GATEWAY_URL is unset:
 * FABRIC_GATEWAY_URL, FABRIC_CHANNEL, FABRIC_CHAINCODE (default token), FABRIC_MSP_ID, and either FABRIC_MSP_DIR or
 * FABRIC_CERT_PATH + FABRIC_KEY_PATH; TLS with FABRIC_TLS_CA_PATH (and FABRIC_TLS_SERVER_NAME). Variables are read
 * from the record handed in, never from process.env directly.
 */
export function fabricConfigFromEnv(env: Record<string, string | undefined>): FabricAdapterConfig | undefined {
  const endpoint = env.FABRIC_GATEWAY_URL?.trim();
  if (!endpoint) return undefined;
  const missing = ['FABRIC_CHANNEL', 'FABRIC_MSP_ID'].filter((name) => !env[name]?.trim());
  const mspDir = env.FABRIC_MSP_DIR?.trim();
  const certPath = env.FABRIC_CERT_PATH?.trim();
  const keyPath = env.FABRIC_KEY_PATH?.trim();
  if (!mspDir && !(certPath && keyPath)) missing.push('FABRIC_MSP_DIR (or FABRIC_CERT_PATH and FABRIC_KEY_PATH)');
  if (missing.length > 0) {
    throw new OcapError('INVALID_ARGUMENT', `FABRIC_GATEWAY_URL is set, so these variables are needed too: ${missing.join(', ')}.`);
  }
  const caCertPath = env.FABRIC_TLS_CA_PATH?.trim();
  const serverNameOverride = env.FABRIC_TLS_SERVER_NAME?.trim();
  return {
    endpoint,
    channel: (env.FABRIC_CHANNEL as string).trim(),
    chaincode: env.FABRIC_CHAINCODE?.trim() || undefined,
    mspId: (env.FABRIC_MSP_ID as string).trim(),
    identity: mspDir ? { mspDir } : { certPath: certPath as string, keyPath: keyPath as string },
    tls: caCertPath ? { caCertPath, ...(serverNameOverride ? { serverNameOverride } : {}) } : undefined,
  };
}
