import { z } from 'zod';

/**
 * The blocklet procedures' inputs and outputs. Management calls carry `auth`: the owner's signature over
 * (operation, blocklet name, time, params) made with `signAdmin` from @arc/core; the node checks it is the
 * blocklet's owner (its first deployer, by chain order).
 */
const hex = (bytes: number) => z.string().regex(new RegExp(`^[0-9a-f]{${bytes * 2}}$`), `${bytes} bytes as lower-case hex`);
export const BlockletName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,62}[a-z0-9]$/, 'a blocklet name is 2–64 lower-case letters, digits or dashes');
const Version = z.string().min(5).max(64);
export const AdminAuthIn = z.strictObject({ publicKey: hex(32), timeMs: z.number().int().nonnegative(), signature: hex(64) });

/** Bounds of an upload: source files and the bundle esbuild makes of them. */
export const UPLOAD_LIMITS = {
  filesMax: 200,
  fileBytesMax: 512 * 1024,
  sourceBytesMax: 4 * 1024 * 1024,
  bundleBytesMax: 1024 * 1024,
} as const;

export const UploadIn = z.strictObject({
  /** The manifest text and its file name (blocklet.yml or blocklet.json). */
  manifest: z.strictObject({ file: z.enum(['blocklet.yml', 'blocklet.yaml', 'blocklet.json']), text: z.string().max(64 * 1024) }),
  /** Source files by relative path (the manifest's `entry` among them): JavaScript or TypeScript, ESM. */
  files: z.record(
    z
      .string()
      .min(1)
      .max(256)
      .regex(/^(?!\/)(?!.*\.\.)[\w./@-]+$/, 'a relative path without ..'),
    z.string().max(UPLOAD_LIMITS.fileBytesMax),
  ),
  /**
   * Required: the manifest author's signature (signUpload from @arc/core: op `upload`, the manifest's name,
   * params `{ digest }` over the manifest and files). Optional here only so that a missing one is answered
   * UNAUTHORIZED with how to sign, not as a schema error.
   */
  auth: AdminAuthIn.optional(),
});

export const UploadOut = z.object({
  name: z.string(),
  version: z.string(),
  manifestHash: z.string(),
  bundleHash: z.string(),
  bundleBytes: z.number(),
});

export const DeployIn = z.strictObject({
  /** The signed deployBlocklet transaction (hex of encodeTx), from the owner, naming uploaded hashes. */
  tx: z
    .string()
    .regex(/^[0-9a-f]+$/)
    .max(64 * 1024),
  /** Move this alias to the new version once it is warm (default live); null to leave aliases alone. */
  alias: z.enum(['live', 'canary']).nullable().default('live'),
  /** With alias canary: the share of traffic in basis points. */
  canaryShareBps: z.number().int().min(0).max(10_000).default(1000),
});

export const VersionOut = z.object({
  name: z.string(),
  version: z.string(),
  owner: z.string(),
  manifestHash: z.string(),
  bundleHash: z.string(),
  bundleBytes: z.number(),
  txHash: z.string(),
  height: z.number(),
  deployedAtMs: z.number(),
});

export const AliasOut = z.object({ alias: z.enum(['live', 'canary']), version: z.string(), shareBps: z.number() });

export const BlockletOut = z.object({
  name: z.string(),
  owner: z.string(),
  /** The blocklet's own DID: it signs what the blocklet submits to the ledger. */
  did: z.string(),
  title: z.string(),
  description: z.string(),
  aliases: z.array(AliasOut),
  latest: VersionOut,
});

export const DeployOut = z.object({ version: VersionOut, aliases: z.array(AliasOut) });

export const GetIn = z.strictObject({ name: BlockletName });
export const GetOut = BlockletOut.extend({ versions: z.array(VersionOut), manifest: z.json() });

export const ListIn = z.strictObject({ cursor: z.string().max(64).optional(), limit: z.number().int().min(1).max(100).default(20) });

export const SetAliasIn = z.strictObject({
  name: BlockletName,
  alias: z.enum(['live', 'canary']),
  /** null removes the canary. */
  version: Version.nullable(),
  shareBps: z.number().int().min(0).max(10_000).default(10_000),
  auth: AdminAuthIn,
});

export const SetEnvIn = z.strictObject({
  name: BlockletName,
  key: z.string().regex(/^[A-Z][A-Z0-9_]{0,63}$/),
  /** null deletes the variable. */
  value: z.string().max(4096).nullable(),
  secure: z.boolean().default(false),
  auth: AdminAuthIn,
});

export const ListEnvIn = z.strictObject({ name: BlockletName, auth: AdminAuthIn });
/** Secure values are never returned: `value` is null for them. */
export const EnvOut = z.array(z.object({ key: z.string(), secure: z.boolean(), value: z.string().nullable(), updatedAtMs: z.number() }));

export const LogsIn = z.strictObject({
  name: BlockletName,
  /** Newest first; pass nextCursor for older lines. */
  cursor: z
    .string()
    .regex(/^\d{1,18}$/)
    .optional(),
  limit: z.number().int().min(1).max(500).default(100),
  auth: AdminAuthIn,
});
export const LogLineOut = z.object({
  id: z.string(),
  version: z.string(),
  invocationId: z.string(),
  level: z.enum(['info', 'warn', 'error']),
  message: z.string(),
  atMs: z.number(),
});
export const LogsOut = z.object({ items: z.array(LogLineOut), nextCursor: z.string().nullable() });

export const MetricsIn = z.strictObject({ name: BlockletName, sinceMs: z.number().int().nonnegative().optional() });
export const MetricsOut = z.array(
  z.object({
    version: z.string(),
    invocations: z.number(),
    errors: z.number(),
    p50Ms: z.number().nullable(),
    p99Ms: z.number().nullable(),
    cpuMs: z.number(),
  }),
);

export const UsageIn = z.strictObject({ name: BlockletName.optional(), periodStartMs: z.number().int().nonnegative().optional() });
export const UsageOut = z.array(
  z.object({
    name: z.string(),
    version: z.string(),
    periodStartMs: z.number(),
    invocations: z.number(),
    errors: z.number(),
    cpuMs: z.number(),
    wallMs: z.number(),
    memoryMbMs: z.number(),
  }),
);

export const InvokeIn = z.strictObject({
  name: BlockletName,
  /** The exported handler to run (default `call`). */
  handler: z
    .string()
    .regex(/^[a-zA-Z_$][a-zA-Z0-9_$]{0,63}$/)
    .default('call'),
  input: z.json().optional(),
  /** A version or alias (default live). */
  target: z.string().max(64).default('live'),
});
export const InvokeOut = z.object({
  invocationId: z.string(),
  version: z.string(),
  output: z.json(),
  usage: z.object({ cpuMs: z.number(), wallMs: z.number(), memoryBytes: z.number() }),
});

/** Built-in components a developer deploys as their own (the console's relayer set-up reads one's source). */
export const SHARED_COMPONENTS = ['fee-relayer'] as const;
export const BuiltinIn = z.strictObject({ component: z.enum(SHARED_COMPONENTS) });
export const BuiltinOut = z.object({ manifest: z.string(), files: z.record(z.string(), z.string()) });
