import type { BlockletManifest } from '@arc/core';
import type { Database } from '../db/client.ts';
import type { Admission } from '../ledger/admission.ts';
import type { Ledger } from '../ledger/ledger.ts';
import type { LedgerQueries } from '../ledger/queries.ts';
import type { OcapHub } from '../ocap/service.ts';
import type { InvocationMeter } from './metering.ts';
import type { PrivateTargets } from './outbound.ts';
import type { VersionRow } from './registry.ts';
import type { SandboxCode, SandboxPool } from './sandbox/types.ts';
import type { TopicBus } from './topics.ts';

/** Bounds of the runtime's caches and waits. */
export const RUNTIME_LIMITS = {
  /** Bundled sources by hash. */
  codeCacheMax: 256,
  /** Parsed manifests by hash. */
  manifestCacheMax: 1024,
  /** Aliases of blocklets that have some (a name without any is never cached: probing names costs no memory). */
  aliasCacheMax: 4096,
  /** Version rows by name@version (immutable). */
  versionCacheMax: 4096,
  /** Decrypted environments by blocklet. */
  envCacheMax: 1024,
  deployWaitMs: 30_000,
  usagePeriodMs: 3_600_000,
  /** Evicting an old version's isolates: attempts, and the first wait between them (doubling). */
  evictAttemptsMax: 5,
  evictRetryBaseMs: 100,
} as const;

export type TriggerKind = 'http' | 'cron' | 'chain' | 'topic' | 'call';

export interface InvokeOptions {
  handler: string;
  input: unknown;
  /** A version, or an alias: live (default, with its canary share) or canary. */
  target?: string;
  trigger: TriggerKind;
  /** The blocklets whose ctx.blocklets.call led here, outermost first (none for a trigger). */
  callers?: string[];
}

export interface InvokeOutcome {
  invocationId: string;
  version: string;
  ok: boolean;
  output: unknown;
  error: { code: string; message: string } | null;
  usage: { cpuMs: number; wallMs: number; memoryBytes: number };
}

export interface RuntimeDeps {
  db: Database;
  ledger: Ledger;
  admission: Admission;
  queries: LedgerQueries;
  ocap: OcapHub;
  sandbox: SandboxPool;
  topics: TopicBus;
  now: () => number;
  log: (line: string) => void;
  /** The operator's grants to blocklets (BLOCKLET_FETCH_ALLOW_PRIVATE, BLOCKLET_TRUSTED_PUBLISHERS); none by default. */
  blocklets?: BlockletPolicy;
  /** Refuses an invocation before it runs (a suspended application's blocklets: economy/gate.ts). */
  gate?: (name: string) => Promise<void>;
  /** Counts invocations (the marketplace's usage, the economy's bills) in the statement that stores their records. */
  meterUsage?: InvocationMeter;
}

/** What the node operator lets blocklets do beyond their manifests (runtime/README.md "Powers"). */
export interface BlockletPolicy {
  /** Non-public addresses ctx.fetch may reach: none (default), all, or CIDRs. */
  privateTargets: PrivateTargets;
  /** Blocklets that publish on any topic their manifest lists, except those the node writes. */
  trustedPublishers: string[];
}

/** A version ready to run: its manifest and bundled code. */
export interface Loaded {
  version: VersionRow;
  manifest: BlockletManifest;
  /** `deployment` is `<name>@<version>`: the sandbox's unit of isolation (never the bundle hash). */
  code: SandboxCode;
}

/** The sandbox deployment of a version: module state is shared by its calls only. */
export function deploymentOf(name: string, version: string): string {
  return `${name}@${version}`;
}
