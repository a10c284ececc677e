import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { type BlockletManifest, fromHex, type Itx, verifyAdmin } from '@arc/core';
import type { z } from 'zod';
import { REPLAYED_MESSAGE, ReplayGuard } from '../admin/replay-guard.ts';
import { NodeError } from '../errors.ts';
import { BlockletAliases } from './aliases.ts';
import type { AdminAuthIn, DeployIn, UploadIn } from './api-schemas.ts';
import { BlockletBundles } from './bundles.ts';
import { BlockletDeploys } from './deploy.ts';
import { BlockletEnvironment } from './environment.ts';
import { createHost, HOST_LIMITS } from './host.ts';
import { LedgerSessions } from './ledger-sessions.ts';
import { InvocationRecords } from './record.ts';
import { BlockletRegistry, type VersionRow } from './registry.ts';
import { type InvokeOptions, type InvokeOutcome, RUNTIME_LIMITS, type RuntimeDeps } from './runtime-types.ts';
import { HostCallError, type SandboxPool } from './sandbox/types.ts';
import { RuntimeKeys } from './secrets.ts';
import { BlockletTopicPermissions } from './topic-permissions.ts';

export {
  type BlockletPolicy,
  type InvokeOptions,
  type InvokeOutcome,
  RUNTIME_LIMITS,
  type RuntimeDeps,
  type TriggerKind,
} from './runtime-types.ts';

/**
 * The blocklet runtime: uploads (bundle + manifest by content hash), deployments (ledger transactions, indexed
 * back from the chain), aliases with canary shares and blue-green switches, environment and secrets, and
 * invocations: a sandbox run whose kv writes, publishes and ledger submissions are applied only on success,
 * metered into usage records, with logs stored and published on `blocklet:<name>:logs`. Each part lives in its
 * own file (deploy.ts, aliases.ts, bundles.ts, record.ts); this class wires them and runs invocations.
 */
export class BlockletRuntime {
  readonly registry: BlockletRegistry;
  readonly keys: RuntimeKeys;
  /** Environment variables and secrets of every blocklet (environment.ts). */
  readonly environment: BlockletEnvironment;
  /** 'live' (name) whenever a blocklet's live version changes. */
  /** `live`: a blocklet's live version changed here or elsewhere; `changed`: this process changed its aliases or environment. */
  readonly events = new EventEmitter<{ live: [string]; changed: [string] }>();
  readonly #bundles: BlockletBundles;
  readonly #aliases: BlockletAliases;
  readonly #deploys: BlockletDeploys;
  readonly #records: InvocationRecords;
  #topicPermissions: BlockletTopicPermissions | null = null;
  readonly #ledgerSessions: LedgerSessions;

  constructor(readonly deps: RuntimeDeps) {
    this.keys = new RuntimeKeys(deps.ledger.options.nodeKey);
    this.environment = new BlockletEnvironment({ db: deps.db, keys: this.keys, now: deps.now }, RUNTIME_LIMITS.envCacheMax);
    this.registry = new BlockletRegistry(deps.db, deps.ledger, deps.log);
    this.#bundles = new BlockletBundles(deps.db);
    this.#aliases = new BlockletAliases({ ...deps, registry: this.registry, bundles: this.#bundles, events: this.events });
    this.#deploys = new BlockletDeploys(deps, this.registry, this.#bundles, this.#aliases);
    this.#ledgerSessions = new LedgerSessions({ ...deps, keys: this.keys });
    this.#records = new InvocationRecords(deps, (invocationId, ok) => this.#endSession(invocationId, ok));
  }

  async start(): Promise<void> {
    await this.registry.start();
  }

  async close(): Promise<void> {
    this.registry.stop();
  }

  // ---- deploy (deploy.ts) ----

  /** Parses the manifest, bundles the sources, compiles the bundle in the sandbox, and stores both by hash. */
  upload(input: z.output<typeof UploadIn>) {
    return this.#deploys.upload(input);
  }

  /** Submits a signed deployBlocklet transaction naming an upload, waits for it to be indexed, and (by default) moves live. */
  deploy(input: z.output<typeof DeployIn>) {
    return this.#deploys.deploy(input);
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

  /** Points live or canary at a version (warmed first), or removes canary (aliases.ts). */
  setAlias(name: string, alias: 'live' | 'canary', version: string | null, shareBps: number) {
    return this.#aliases.set(name, alias, version, shareBps);
  }

  async setEnv(name: string, key: string, value: string | null, secure: boolean): Promise<void> {
    await this.environment.set(name, key, value, secure);
    this.events.emit('changed', name);
  }

  /**
   * Another process of a cloud node changed a blocklet's aliases or environment: what this one kept of them goes,
   * and its triggers are armed again from the database (cloud/cloud-node.ts). null: every blocklet's.
   */
  forget(name: string | null): void {
    this.#aliases.forget(name);
    this.environment.forget(name);
    if (name !== null) this.events.emit('live', name);
  }

  /** The environment as the API shows it: secure values never leave the node. */
  listEnv(name: string) {
    return this.environment.list(name);
  }

  // ---- invoke ----

  /** Which version serves a call: a version string, or an alias (live takes its canary's share of calls). */
  resolve(name: string, target = 'live'): Promise<VersionRow> {
    return this.#aliases.resolve(name, target);
  }

  /** The manifest of the version a target resolves to now (for routing checks before an invocation). */
  async manifestOf(name: string, target = 'live'): Promise<{ version: VersionRow; manifest: BlockletManifest }> {
    const version = await this.resolve(name, target);
    const loaded = await this.#bundles.load(version);
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
    await this.deps.gate?.(name);
    const version = pinned ?? (await this.resolve(name, options.target));
    const loaded = await this.#bundles.load(version);
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
        chainId: this.deps.ledger.chainId,
        keySecret: (n, key) => this.environment.keySecret(n, key),
        callBlocklet: (callee, input) => this.#call([...(options.callers ?? []), name], callee, input),
      },
      name,
      loaded.manifest,
    );
    // The invocation's ledger session ends on every path below, exactly once.
    this.#ledgerSessions.open(invocationId, name, version.version);
    const leave = this.#aliases.enter(loaded.code.deployment);
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
      await this.#endSession(invocationId, false);
      throw error;
    } finally {
      // Outstanding fetches are aborted; host calls still in flight are refused.
      end();
      leave();
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
      return await this.#records.record(name, version.version, options.trigger, outcome, effects);
    } finally {
      // record ends the session; should it throw before, the session still ends (a no-op otherwise).
      await this.#endSession(invocationId, false);
    }
  }

  /** ctx.blocklets.call of the last of `chain`: the callee's `call` handler, as an invocation of its own. */
  async #call(chain: string[], callee: string, input: unknown): Promise<unknown> {
    if (chain.includes(callee)) {
      throw new HostCallError('BAD_INPUT', `${chain.join(' → ')} → ${callee}: a chain of blocklet calls may not loop back`);
    }
    if (chain.length >= HOST_LIMITS.blockletCallDepthMax) {
      throw new HostCallError(
        'LIMIT_EXCEEDED',
        `blocklet calls nest at most ${HOST_LIMITS.blockletCallDepthMax} deep (${chain.join(' → ')} → ${callee})`,
      );
    }
    const outcome = await this.invoke(callee, { handler: 'call', input, trigger: 'call', callers: chain }).catch((error: unknown) => {
      const { code, message } = error as { code?: unknown; message?: string };
      throw new HostCallError(typeof code === 'string' ? code : 'UNAVAILABLE', `${callee}: ${message ?? String(error)}`);
    });
    if (!outcome.ok)
      throw new HostCallError(outcome.error?.code ?? 'BLOCKLET_FAILED', `${callee} failed: ${outcome.error?.message ?? 'no reason given'}`);
    return outcome.output;
  }

  /** Signs with the blocklet's own key in the invocation's ledger session (ledger-sessions.ts). */
  #signAsBlocklet(name: string, invocationId: string, itx: Itx): Promise<{ hash: string }> {
    return this.#ledgerSessions.sign(invocationId, name, itx);
  }

  /** Ends an invocation's ledger session (idempotent): submits its transactions in order, or gives their nonces back. */
  async #endSession(invocationId: string, ok: boolean): Promise<void> {
    await this.#ledgerSessions.end(invocationId, ok);
  }

  /** How full each cache and map of this runtime is (each has a bound in RUNTIME_LIMITS; tests and /health read it). */
  cacheSizes() {
    return {
      ...this.#bundles.sizes,
      ...this.#aliases.sizes,
      env: this.environment.cacheSize,
      ledgerSessions: this.#ledgerSessions.size,
    };
  }

  // ---- reads ----

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
    const liveOrLatest = versions.find((v) => v.version === live?.version) ?? latest;
    const manifest = (await this.#bundles.manifest(liveOrLatest.manifestHash)) as BlockletManifest;
    const withBytes = await Promise.all(versions.map(async (v) => ({ ...v, bundleBytes: await this.#bundles.bundleBytes(v.bundleHash) })));
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
