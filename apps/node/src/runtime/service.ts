import { randomInt, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import {
  type BlockletManifest,
  decodeTx,
  fromHex,
  type Itx,
  manifestHash,
  parseManifest,
  toHex,
  uploadParams,
  verifyAdmin,
} from '@arc/core';
import type { z } from 'zod';
import { REPLAYED_MESSAGE, ReplayGuard } from '../admin/replay-guard.ts';
import type { Database } from '../db/client.ts';
import { NodeError } from '../errors.ts';
import type { Admission } from '../ledger/admission.ts';
import type { Ledger } from '../ledger/ledger.ts';
import type { LedgerQueries } from '../ledger/queries.ts';
import { waitForTx } from '../ledger/status.ts';
import type { OcapHub } from '../ocap/service.ts';
import type { AdminAuthIn, DeployIn, UploadIn } from './api-schemas.ts';
import { BoundedCache } from './bounded-cache.ts';
import { bundleBlocklet } from './bundle.ts';
import { BlockletEnvironment } from './environment.ts';
import { createHost, type Effects, storableText } from './host.ts';
import { LedgerSessions } from './ledger-sessions.ts';
import { EFFECTS_REJECTED, GroupCommitter, type WriteOutcome } from './metering.ts';
import type { PrivateTargets } from './outbound.ts';
import { type AliasRow, BlockletRegistry, type VersionRow } from './registry.ts';
import type { SandboxCode, SandboxPool } from './sandbox/types.ts';
import { RuntimeKeys } from './secrets.ts';
import { BlockletTopicPermissions } from './topic-permissions.ts';
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
}

/** What the node operator lets blocklets do beyond their manifests (runtime/README.md "Powers"). */
export interface BlockletPolicy {
  /** Non-public addresses ctx.fetch may reach: none (default), all, or CIDRs. */
  privateTargets: PrivateTargets;
  /** Blocklets that publish on any topic their manifest lists, except those the node writes. */
  trustedPublishers: string[];
}

interface Loaded {
  version: VersionRow;
  manifest: BlockletManifest;
  /** `deployment` is `<name>@<version>`: the sandbox's unit of isolation (never the bundle hash). */
  code: SandboxCode;
}

/** The sandbox deployment of a version: module state is shared by its calls only. */
function deploymentOf(name: string, version: string): string {
  return `${name}@${version}`;
}

/**
 * The blocklet runtime: uploads (bundle + manifest by content hash), deployments (ledger transactions, indexed
 * back from the chain), aliases with canary shares and blue-green switches, environment and secrets, and
 * invocations: a sandbox run whose kv writes, publishes and ledger submissions are applied only on success,
 * metered into usage records, with logs stored and published on `blocklet:<name>:logs`.
 */
export class BlockletRuntime {
  readonly registry: BlockletRegistry;
  readonly keys: RuntimeKeys;
  /** Environment variables and secrets of every blocklet (environment.ts). */
  readonly environment: BlockletEnvironment;
  /** 'live' (name) whenever a blocklet's live version changes. */
  readonly events = new EventEmitter<{ live: [string] }>();
  readonly #code = new BoundedCache<string, { hash: string; source: string }>(RUNTIME_LIMITS.codeCacheMax);
  readonly #manifests = new BoundedCache<string, BlockletManifest>(RUNTIME_LIMITS.manifestCacheMax);
  readonly #inFlight = new Map<string, number>();
  /** Routing state read on every call, kept in memory and dropped on every change this runtime makes. */
  readonly #aliasCache = new BoundedCache<string, AliasRow[]>(RUNTIME_LIMITS.aliasCacheMax);
  readonly #versionCache = new BoundedCache<string, VersionRow>(RUNTIME_LIMITS.versionCacheMax);
  readonly #committer: GroupCommitter;
  #topicPermissions: BlockletTopicPermissions | null = null;
  readonly #ledgerSessions: LedgerSessions;

  constructor(readonly deps: RuntimeDeps) {
    this.keys = new RuntimeKeys(deps.ledger.options.nodeKey);
    this.environment = new BlockletEnvironment({ db: deps.db, keys: this.keys, now: deps.now }, RUNTIME_LIMITS.envCacheMax);
    this.registry = new BlockletRegistry(deps.db, deps.ledger, deps.log);
    this.#committer = new GroupCommitter(deps.db);
    this.#ledgerSessions = new LedgerSessions({ ...deps, keys: this.keys });
  }

  async start(): Promise<void> {
    await this.registry.start();
  }

  async close(): Promise<void> {
    this.registry.stop();
  }

  // ---- deploy ----

  /** Parses the manifest, bundles the sources, compiles the bundle in the sandbox, and stores both by hash. */
  async upload(input: z.output<typeof UploadIn>) {
    const manifest = this.#parseManifest(input.manifest.text, input.manifest.file);
    await this.#authorizeUpload(manifest, input);
    const bundle = await bundleBlocklet(input.files, manifest.entry);
    // A throwaway deployment: the check runs the module's top level in isolates of its own, dropped after.
    const check: SandboxCode = { deployment: `upload:${randomUUID()}`, hash: bundle.hash, source: bundle.code };
    try {
      await this.deps.sandbox.warm(check, manifest.limits);
    } catch (error) {
      throw new NodeError('BUNDLE_INVALID', `The bundle does not load in the sandbox: ${(error as Error).message}`);
    } finally {
      await this.deps.sandbox.evict(check.deployment);
    }
    const mHash = toHex(manifestHash(manifest));
    const now = this.deps.now();
    await this.deps.db.transaction(async (sql) => {
      await sql.query(
        'INSERT INTO blocklet_bundles (hash, code, bytes, created_at_ms) VALUES ($1, $2, $3, $4) ON CONFLICT (hash) DO NOTHING',
        [bundle.hash, bundle.code, bundle.bytes, now],
      );
      await sql.query(
        'INSERT INTO blocklet_manifests (hash, manifest, created_at_ms) VALUES ($1, $2::jsonb, $3) ON CONFLICT (hash) DO NOTHING',
        [mHash, JSON.stringify(manifest), now],
      );
    });
    return { name: manifest.name, version: manifest.version, manifestHash: mHash, bundleHash: bundle.hash, bundleBytes: bundle.bytes };
  }

  /**
   * Submits a signed deployBlocklet transaction naming an upload, waits for it to commit and be indexed, warms
   * the version and (by default) moves `live` to it. Refuses early what the index would ignore.
   */
  async deploy(input: z.output<typeof DeployIn>) {
    const bytes = fromHex(input.tx);
    let tx: ReturnType<typeof decodeTx>;
    try {
      tx = decodeTx(bytes);
    } catch (error) {
      throw new NodeError('BAD_INPUT', `tx is not an encoded transaction: ${(error as Error).message}`);
    }
    if (tx.itx.type !== 'deployBlocklet') throw new NodeError('BAD_INPUT', 'tx must be a deployBlocklet transaction.');
    const { name, version } = tx.itx;
    const mHash = toHex(tx.itx.manifestHash);
    const bHash = toHex(tx.itx.bundleHash);
    const manifest = await this.#manifest(mHash);
    if (!manifest) throw new NodeError('NOT_FOUND', `No upload has manifest ${mHash}; call blocklet.upload first.`);
    const [bundle] = await this.deps.db.query<{ hash: string }>('SELECT hash FROM blocklet_bundles WHERE hash = $1', [bHash]);
    if (!bundle) throw new NodeError('NOT_FOUND', `No upload has bundle ${bHash}; call blocklet.upload first.`);
    if (manifest.name !== name || manifest.version !== version) {
      throw new NodeError(
        'BAD_INPUT',
        `The transaction deploys ${name}@${version} but the manifest is ${manifest.name}@${manifest.version}.`,
      );
    }
    if (manifest.author !== tx.from)
      throw new NodeError('PERMISSION_DENIED', `The manifest's author is ${manifest.author}; only the author deploys it.`);
    const owner = await this.registry.owner(name);
    if (owner !== null && owner !== tx.from) throw new NodeError('BLOCKLET_NAME_TAKEN', `The name ${name} belongs to ${owner}.`);
    if (await this.registry.version(name, version))
      throw new NodeError('BLOCKLET_VERSION_EXISTS', `${name}@${version} exists; versions are immutable, bump the version.`);

    const submitted = await this.deps.admission.submit(bytes);
    const startedMs = this.deps.now();
    const status = await waitForTx(this.deps.ledger, this.deps.queries, submitted.hash, RUNTIME_LIMITS.deployWaitMs);
    if (status.status === 'rejected')
      throw new NodeError((status.error?.code ?? 'CONFLICT') as never, status.error?.message ?? 'The ledger refused the deploy.');
    if (status.status !== 'committed' || status.height === null)
      throw new NodeError('UNAVAILABLE', 'The deploy did not commit in time; ask blocklet.get later.');
    await this.registry.waitIndexed(status.height, Math.max(1000, RUNTIME_LIMITS.deployWaitMs - (this.deps.now() - startedMs)));
    const deployed = await this.registry.version(name, version);
    if (!deployed || deployed.txHash !== submitted.hash)
      throw new NodeError('BLOCKLET_NAME_TAKEN', `Another deploy of ${name}@${version} came first.`);
    if (input.alias) await this.#switchAlias(name, input.alias, deployed, input.canaryShareBps);
    return { version: { ...deployed, bundleBytes: await this.#bundleBytes(bHash) }, aliases: await this.registry.aliases(name) };
  }

  /** Warms the version in the sandbox, then points the alias at it; versions left without an alias are evicted once idle. */
  async #switchAlias(name: string, alias: 'live' | 'canary', version: VersionRow, shareBps: number): Promise<void> {
    const loaded = await this.#load(version);
    await this.deps.sandbox.warm(loaded.code, loaded.manifest.limits);
    const before = await this.registry.aliases(name);
    await this.registry.setAlias(name, alias, version.version, shareBps, this.deps.now());
    this.#aliasCache.delete(name);
    if (alias === 'live') {
      // A canary of the version now live has nothing left to test.
      const canary = before.find((a) => a.alias === 'canary');
      if (canary?.version === version.version) await this.registry.setAlias(name, 'canary', null, 0, this.deps.now());
      this.#aliasCache.delete(name);
      this.events.emit('live', name);
    }
    void this.#evictUnaliased(name, before);
  }

  /**
   * Evicts the isolates of the versions that lost their alias, once idle. Runs after the switch returned, so it
   * never rejects: each step is retried with backoff (RUNTIME_LIMITS.evictAttemptsMax), and what still fails is
   * logged; isolates left behind are only memory, which the pool's LRU bound (isolatesPerWorkerMax) reclaims.
   */
  async #evictUnaliased(name: string, before: AliasRow[]): Promise<void> {
    const current = await this.#retrying(`blocklet ${name}: reading its aliases to evict old versions`, () => this.registry.aliases(name));
    if (!current) return;
    const now = new Set(current.map((a) => a.version));
    for (const old of before) {
      if (now.has(old.version)) continue;
      // Blue-green: calls already running on the old version finish there; then its isolates go.
      const deployment = deploymentOf(name, old.version);
      while ((this.#inFlight.get(deployment) ?? 0) > 0) await new Promise((resolve) => setTimeout(resolve, 50));
      await this.#retrying(`blocklet ${deployment}: evicting its isolates`, () => this.deps.sandbox.evict(deployment));
    }
  }

  /** Runs `step` until it succeeds, at most evictAttemptsMax times with doubling waits; logs and answers null after. */
  async #retrying<T>(what: string, step: () => Promise<T>): Promise<T | null> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await step();
      } catch (error) {
        if (attempt >= RUNTIME_LIMITS.evictAttemptsMax) {
          this.deps.log(`${what} failed ${attempt} times, giving up: ${(error as Error).message}`);
          return null;
        }
        await new Promise((resolve) => setTimeout(resolve, RUNTIME_LIMITS.evictRetryBaseMs * 2 ** attempt));
      }
    }
  }

  /**
   * An upload is signed by the manifest's author (who alone may deploy it), over the manifest and a digest of
   * the files; a name that exists belongs to its owner, so only the owner uploads versions of it.
   */
  async #authorizeUpload(manifest: BlockletManifest, input: z.output<typeof UploadIn>): Promise<void> {
    if (!input.auth) {
      throw new NodeError(
        'UNAUTHORIZED',
        "blocklet.upload needs `auth`: the manifest author's signature over the upload (signUpload from @arc/core).",
      );
    }
    const { auth } = input;
    const verified = verifyAdmin(
      { publicKey: fromHex(auth.publicKey), timeMs: auth.timeMs, signature: fromHex(auth.signature) },
      'upload',
      manifest.name,
      uploadParams({ manifest: input.manifest, files: input.files }),
      this.deps.now(),
    );
    if ('error' in verified) throw new NodeError('PERMISSION_DENIED', `Upload not authorized: ${verified.error}.`);
    if (verified.did !== manifest.author) {
      throw new NodeError(
        'PERMISSION_DENIED',
        `The manifest's author is ${manifest.author} but ${verified.did} signed the upload; the author signs it.`,
      );
    }
    const owner = await this.registry.owner(manifest.name);
    if (owner !== null && owner !== verified.did)
      throw new NodeError('BLOCKLET_NAME_TAKEN', `The name ${manifest.name} belongs to ${owner}.`);
    // Usable once, like every signed admin request (admin/replay-guard.ts); the guard holds no state of its own.
    const request = {
      did: verified.did,
      op: 'upload',
      name: manifest.name,
      params: uploadParams({ manifest: input.manifest, files: input.files }),
      timeMs: auth.timeMs,
    };
    if (!(await new ReplayGuard(this.deps.db, this.deps.now).claim(request))) throw new NodeError('REPLAYED', REPLAYED_MESSAGE);
  }

  // ---- management ----

  /** Checks a signed admin request and that its signer owns the blocklet. */
  async authorize(name: string, op: string, params: unknown, auth: z.output<typeof AdminAuthIn>): Promise<string> {
    const owner = await this.registry.owner(name);
    if (owner === null) throw new NodeError('BLOCKLET_NOT_FOUND', `There is no blocklet named ${name}.`);
    const verified = verifyAdmin(
      { publicKey: fromHex(auth.publicKey), timeMs: auth.timeMs, signature: fromHex(auth.signature) },
      op,
      name,
      params,
      this.deps.now(),
    );
    if ('error' in verified) throw new NodeError('PERMISSION_DENIED', `Not authorized: ${verified.error}.`);
    if (verified.did !== owner) throw new NodeError('PERMISSION_DENIED', `Only the owner (${owner}) may ${op} ${name}.`);
    // A copy of the request sent again (e.g. an old setAlias that would move live back) is refused: usable once.
    if (!(await new ReplayGuard(this.deps.db, this.deps.now).claim({ did: owner, op, name, params, timeMs: auth.timeMs })))
      throw new NodeError('REPLAYED', REPLAYED_MESSAGE);
    return owner;
  }

  async setAlias(name: string, alias: 'live' | 'canary', version: string | null, shareBps: number) {
    if (version === null) {
      if (alias === 'live') throw new NodeError('BAD_INPUT', 'live cannot be removed; point it at another version.');
      await this.registry.setAlias(name, alias, null, 0, this.deps.now());
      this.#aliasCache.delete(name);
      return this.registry.aliases(name);
    }
    const row = await this.registry.version(name, version);
    if (!row) throw new NodeError('NOT_FOUND', `${name} has no version ${version}.`);
    await this.#switchAlias(name, alias, row, shareBps);
    return this.registry.aliases(name);
  }

  setEnv(name: string, key: string, value: string | null, secure: boolean): Promise<void> {
    return this.environment.set(name, key, value, secure);
  }

  /** The environment as the API shows it: secure values never leave the node. */
  listEnv(name: string) {
    return this.environment.list(name);
  }

  // ---- invoke ----

  /** Which version serves a call: a version string, or an alias (live takes its canary's share of calls). */
  async resolve(name: string, target = 'live'): Promise<VersionRow> {
    let aliases = this.#aliasCache.get(name);
    if (!aliases) {
      aliases = await this.registry.aliases(name);
      if (aliases.length > 0) this.#aliasCache.set(name, aliases);
    }
    let version = target;
    if (target === 'live' || target === 'canary') {
      const live = aliases.find((a) => a.alias === 'live');
      const canary = aliases.find((a) => a.alias === 'canary');
      const chosen = target === 'canary' ? canary : canary && randomInt(10_000) < canary.shareBps ? canary : live;
      if (!chosen) {
        const owner = await this.registry.owner(name);
        throw new NodeError(
          owner ? 'NOT_FOUND' : 'BLOCKLET_NOT_FOUND',
          owner ? `${name} has no ${target} version.` : `There is no blocklet named ${name}.`,
        );
      }
      version = chosen.version;
    }
    const cached = this.#versionCache.get(`${name}@${version}`);
    if (cached) return cached;
    const row = await this.registry.version(name, version);
    if (!row) throw new NodeError('BLOCKLET_NOT_FOUND', `There is no version ${version} of ${name}.`);
    this.#versionCache.set(`${name}@${version}`, row);
    return row;
  }

  /** The manifest of the version a target resolves to now (for routing checks before an invocation). */
  async manifestOf(name: string, target = 'live'): Promise<{ version: VersionRow; manifest: BlockletManifest }> {
    const version = await this.resolve(name, target);
    const loaded = await this.#load(version);
    return { version, manifest: loaded.manifest };
  }

  /** The gateway's topic rules applied to blocklets, as their own DIDs (made on first use). */
  #topics(): BlockletTopicPermissions {
    this.#topicPermissions ??= BlockletTopicPermissions.fromDatabase(
      this.deps.db,
      this.deps.now,
      (n) => this.registry.owner(n),
      this.deps.blocklets?.trustedPublishers ?? [],
    );
    return this.#topicPermissions;
  }

  /** Whether a topic trigger of blocklet `name` may hear `topic`: the gateway's subscribe rule for the blocklet's DID. */
  mayHear(name: string, topic: string): Promise<boolean> {
    return this.#topics().mayHear(name, this.keys.blockletKey(name).did, topic);
  }

  /** Runs one handler of a blocklet in the sandbox; applies its effects only if it succeeds; meters it. */
  async invoke(name: string, options: InvokeOptions, pinned?: VersionRow): Promise<InvokeOutcome> {
    const version = pinned ?? (await this.resolve(name, options.target));
    const loaded = await this.#load(version);
    const env = await this.environment.forInvocation(name, loaded.manifest);
    const invocationId = randomUUID();
    const blockletDid = (n: string) => this.keys.blockletKey(n).did;
    const topicPermissions = this.#topics();
    const { host, effects, end } = createHost(
      {
        db: this.deps.db,
        ocap: this.deps.ocap,
        now: this.deps.now,
        blockletDid,
        signAsBlocklet: (n, itx) => this.#signAsBlocklet(n, invocationId, itx),
        mayPublish: (n, topic) => topicPermissions.mayPublish(n, blockletDid(n), topic),
        privateTargets: this.deps.blocklets?.privateTargets ?? 'none',
      },
      name,
      loaded.manifest,
    );
    const { deployment } = loaded.code;
    // The invocation's ledger session ends on every path below, exactly once.
    this.#ledgerSessions.open(invocationId, name, version.version);
    this.#inFlight.set(deployment, (this.#inFlight.get(deployment) ?? 0) + 1);
    let result: Awaited<ReturnType<SandboxPool['invoke']>>;
    try {
      result = await this.deps.sandbox.invoke({
        code: loaded.code,
        handler: options.handler,
        input: options.input ?? null,
        env,
        limits: loaded.manifest.limits,
        host,
        invocationId,
      });
    } catch (error) {
      await this.#endSession(name, invocationId, false);
      throw error;
    } finally {
      // Outstanding fetches are aborted; host calls still in flight are refused.
      end();
      const left = (this.#inFlight.get(deployment) ?? 1) - 1;
      if (left > 0) this.#inFlight.set(deployment, left);
      else this.#inFlight.delete(deployment);
    }
    const outcome: InvokeOutcome = {
      invocationId,
      version: version.version,
      ok: result.ok,
      output: result.ok ? result.output : null,
      error: result.ok ? null : result.error,
      usage: result.usage,
    };
    try {
      return await this.#record(name, version.version, options.trigger, outcome, effects);
    } finally {
      // #record ends the session; should it throw before, the session still ends (a no-op otherwise).
      await this.#endSession(name, invocationId, false);
    }
  }

  /**
   * Stores the outcome (group commit), then — only when it succeeded and its record committed whole — applies what
   * was held: publishes, ledger submissions, chain sends. A record the database refused is stored without its
   * effects and the caller gets EFFECTS_REJECTED.
   */
  async #record(name: string, version: string, trigger: TriggerKind, outcome: InvokeOutcome, effects: Effects): Promise<InvokeOutcome> {
    const now = this.deps.now();
    const period = Math.floor(now / RUNTIME_LIMITS.usagePeriodMs) * RUNTIME_LIMITS.usagePeriodMs;
    const { usage } = outcome;
    // The sandbox's error text can carry anything the blocklet threw: made storable, never refused.
    if (!outcome.ok)
      effects.logs.push({ level: 'error', message: storableText(`${outcome.error?.code}: ${outcome.error?.message}`), atMs: now });
    let written: WriteOutcome;
    try {
      written = await this.#committer.write({
        invocationId: outcome.invocationId,
        name,
        version,
        trigger,
        ok: outcome.ok,
        errorCode: outcome.error ? storableText(outcome.error.code) : null,
        cpuMs: usage.cpuMs,
        wallMs: usage.wallMs,
        memoryBytes: usage.memoryBytes,
        atMs: now,
        periodStartMs: period,
        kv: outcome.ok ? effects.kv : new Map(),
        logs: effects.logs,
      });
    } catch (error) {
      await this.#endSession(name, outcome.invocationId, false);
      throw error;
    }
    let recorded = outcome;
    let logs = effects.logs;
    if (written.stored === 'without-effects') {
      const message = `The node could not store this invocation's effects, so none were applied: ${written.reason}`;
      recorded = { ...outcome, ok: false, output: null, error: { code: EFFECTS_REJECTED, message } };
      logs = logs.map((line) => ({ ...line, message: storableText(line.message) }));
    }
    for (const line of logs) this.deps.topics.publish(`blocklet:${name}:logs`, { version, invocationId: outcome.invocationId, ...line });
    if (recorded.ok) for (const { topic, message } of effects.publishes) this.deps.topics.publish(topic, message, name);
    await this.#endSession(name, outcome.invocationId, recorded.ok);
    if (recorded.ok) await this.#broadcastHeld(name, version, outcome.invocationId, effects.chainSends);
    return recorded;
  }

  /**
   * Broadcasts the chain sends of a committed invocation, in order, each under the idempotency key
   * `<invocationId>:<index>` (a retry never sends twice). A chain that refuses one is noted in the blocklet's logs.
   */
  async #broadcastHeld(name: string, version: string, invocationId: string, sends: Effects['chainSends']): Promise<void> {
    for (const [index, send] of sends.entries()) {
      try {
        await this.deps.ocap.adapter(send.chain).broadcast(send.rawTx, { idempotencyKey: `${invocationId}:${index}` });
      } catch (error) {
        const message = storableText(`ocap.send on ${send.chain} failed after the invocation committed: ${(error as Error).message}`);
        this.deps.log(`blocklet ${name}: ${message}`);
        const line = { level: 'error' as const, message, atMs: this.deps.now() };
        await this.deps.db.query(
          'INSERT INTO blocklet_logs (name, version, invocation_id, level, message, at_ms) VALUES ($1, $2, $3, $4, $5, $6)',
          [name, version, invocationId, line.level, line.message, line.atMs],
        );
        this.deps.topics.publish(`blocklet:${name}:logs`, { version, invocationId, ...line });
      }
    }
  }

  /** Signs with the blocklet's own key in the invocation's ledger session (ledger-sessions.ts). */
  #signAsBlocklet(name: string, invocationId: string, itx: Itx): Promise<{ hash: string }> {
    return this.#ledgerSessions.sign(invocationId, name, itx);
  }

  /** Ends an invocation's ledger session (idempotent): submits its transactions in order, or gives their nonces back. */
  async #endSession(_name: string, invocationId: string, ok: boolean): Promise<void> {
    await this.#ledgerSessions.end(invocationId, ok);
  }

  /** How full each cache and map of this runtime is (each has a bound in RUNTIME_LIMITS; tests and /health read it). */
  cacheSizes() {
    return {
      code: this.#code.size,
      manifests: this.#manifests.size,
      aliases: this.#aliasCache.size,
      versions: this.#versionCache.size,
      env: this.environment.cacheSize,
      ledgerSessions: this.#ledgerSessions.size,
    };
  }

  // ---- reads ----

  async #load(version: VersionRow): Promise<Loaded> {
    const manifest = await this.#manifest(version.manifestHash);
    if (!manifest) throw new NodeError('BLOCKLET_NOT_FOUND', `This node does not hold the manifest of ${version.name}@${version.version}.`);
    let code = this.#code.get(version.bundleHash);
    if (!code) {
      const [row] = await this.deps.db.query<{ code: string }>('SELECT code FROM blocklet_bundles WHERE hash = $1', [version.bundleHash]);
      if (!row) throw new NodeError('BLOCKLET_NOT_FOUND', `This node does not hold the bundle of ${version.name}@${version.version}.`);
      code = { hash: version.bundleHash, source: row.code };
      this.#code.set(version.bundleHash, code);
    }
    return { version, manifest, code: { deployment: deploymentOf(version.name, version.version), ...code } };
  }

  async #manifest(hash: string): Promise<BlockletManifest | null> {
    const cached = this.#manifests.get(hash);
    if (cached) return cached;
    const [row] = await this.deps.db.query<{ manifest: BlockletManifest | string }>(
      'SELECT manifest FROM blocklet_manifests WHERE hash = $1',
      [hash],
    );
    if (!row) return null;
    const manifest = typeof row.manifest === 'string' ? (JSON.parse(row.manifest) as BlockletManifest) : row.manifest;
    this.#manifests.set(hash, manifest);
    return manifest;
  }

  async #bundleBytes(hash: string): Promise<number> {
    const [row] = await this.deps.db.query<{ bytes: number }>('SELECT bytes FROM blocklet_bundles WHERE hash = $1', [hash]);
    return row?.bytes ?? 0;
  }

  #parseManifest(text: string, file: string): BlockletManifest {
    try {
      return parseManifest(text, file);
    } catch (error) {
      throw new NodeError('MANIFEST_INVALID', (error as Error).message);
    }
  }

  /** A blocklet with its aliases and newest version. */
  async summary(name: string) {
    const [versions, aliases, owner] = await Promise.all([
      this.registry.versions(name),
      this.registry.aliases(name),
      this.registry.owner(name),
    ]);
    const latest = versions[0];
    if (!owner || !latest) throw new NodeError('BLOCKLET_NOT_FOUND', `There is no blocklet named ${name}.`);
    const live = aliases.find((a) => a.alias === 'live');
    const manifest = (await this.#manifest((versions.find((v) => v.version === live?.version) ?? latest).manifestHash)) as BlockletManifest;
    const withBytes = await Promise.all(versions.map(async (v) => ({ ...v, bundleBytes: await this.#bundleBytes(v.bundleHash) })));
    return {
      name,
      owner,
      did: this.keys.blockletKey(name).did,
      title: manifest.title,
      description: manifest.description,
      aliases,
      latest: withBytes[0] as VersionRow & { bundleBytes: number },
      versions: withBytes,
      manifest,
    };
  }
}
