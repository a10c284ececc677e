import { randomInt } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import { NodeError } from '../errors.ts';
import { BoundedCache } from './bounded-cache.ts';
import type { BlockletBundles } from './bundles.ts';
import type { AliasRow, BlockletRegistry, VersionRow } from './registry.ts';
import { deploymentOf, RUNTIME_LIMITS } from './runtime-types.ts';
import type { SandboxPool } from './sandbox/types.ts';

export interface AliasDeps {
  registry: BlockletRegistry;
  bundles: BlockletBundles;
  sandbox: SandboxPool;
  /** 'live' (name) whenever a blocklet's live version changes. */
  events: EventEmitter<{ live: [string]; changed: [string] }>;
  now: () => number;
  log: (line: string) => void;
}

/**
 * Which version serves a call: aliases (live with its canary's share, canary) kept in memory and dropped on
 * every change made here; blue-green switches, which evict the isolates of versions left without an alias once
 * the calls running on them (counted here) have finished.
 */
export class BlockletAliases {
  /** Routing state read on every call, kept in memory and dropped on every change this runtime makes. */
  readonly #aliasCache = new BoundedCache<string, AliasRow[]>(RUNTIME_LIMITS.aliasCacheMax);
  readonly #versionCache = new BoundedCache<string, VersionRow>(RUNTIME_LIMITS.versionCacheMax);
  readonly #inFlight = new Map<string, number>();

  constructor(readonly deps: AliasDeps) {}

  /** Which version serves a call: a version string, or an alias (live takes its canary's share of calls). */
  async resolve(name: string, target = 'live'): Promise<VersionRow> {
    const { registry } = this.deps;
    let aliases = this.#aliasCache.get(name);
    if (!aliases) {
      aliases = await registry.aliases(name);
      if (aliases.length > 0) this.#aliasCache.set(name, aliases);
    }
    let version = target;
    if (target === 'live' || target === 'canary') {
      const live = aliases.find((a) => a.alias === 'live');
      const canary = aliases.find((a) => a.alias === 'canary');
      const chosen = target === 'canary' ? canary : canary && randomInt(10_000) < canary.shareBps ? canary : live;
      if (!chosen) {
        const owner = await registry.owner(name);
        throw new NodeError(
          owner ? 'NOT_FOUND' : 'BLOCKLET_NOT_FOUND',
          owner ? `${name} has no ${target} version.` : `There is no blocklet named ${name}.`,
        );
      }
      version = chosen.version;
    }
    const cached = this.#versionCache.get(`${name}@${version}`);
    if (cached) return cached;
    const row = await registry.version(name, version);
    if (!row) throw new NodeError('BLOCKLET_NOT_FOUND', `There is no version ${version} of ${name}.`);
    this.#versionCache.set(`${name}@${version}`, row);
    return row;
  }

  /** Points an alias at a version (warmed first), or removes canary (version null). */
  async set(name: string, alias: 'live' | 'canary', version: string | null, shareBps: number) {
    const { registry } = this.deps;
    if (version === null) {
      if (alias === 'live') throw new NodeError('BAD_INPUT', 'live cannot be removed; point it at another version.');
      await registry.setAlias(name, alias, null, 0, this.deps.now());
      this.#aliasCache.delete(name);
      this.deps.events.emit('changed', name);
      return registry.aliases(name);
    }
    const row = await registry.version(name, version);
    if (!row) throw new NodeError('NOT_FOUND', `${name} has no version ${version}.`);
    await this.switch(name, alias, row, shareBps);
    return registry.aliases(name);
  }

  /** Warms the version in the sandbox, then points the alias at it; versions left without an alias are evicted once idle. */
  async switch(name: string, alias: 'live' | 'canary', version: VersionRow, shareBps: number): Promise<void> {
    const { registry, now } = this.deps;
    const loaded = await this.deps.bundles.load(version);
    await this.deps.sandbox.warm(loaded.code, loaded.manifest.limits);
    const before = await registry.aliases(name);
    await registry.setAlias(name, alias, version.version, shareBps, now());
    this.#aliasCache.delete(name);
    if (alias === 'live') {
      // A canary of the version now live has nothing left to test.
      const canary = before.find((a) => a.alias === 'canary');
      if (canary?.version === version.version) await registry.setAlias(name, 'canary', null, 0, now());
      this.#aliasCache.delete(name);
      this.deps.events.emit('live', name);
    }
    this.deps.events.emit('changed', name);
    void this.#evictUnaliased(name, before);
  }

  /** Drops what is kept of a blocklet's aliases (another process changed them). */
  forget(name: string | null): void {
    if (name === null) this.#aliasCache.clear();
    else this.#aliasCache.delete(name);
  }

  /** Counts a call running on a deployment until the returned function is called (blue-green waits for it). */
  enter(deployment: string): () => void {
    this.#inFlight.set(deployment, (this.#inFlight.get(deployment) ?? 0) + 1);
    return () => {
      const left = (this.#inFlight.get(deployment) ?? 1) - 1;
      if (left > 0) this.#inFlight.set(deployment, left);
      else this.#inFlight.delete(deployment);
    };
  }

  /** How full the caches are (bounds in RUNTIME_LIMITS). */
  get sizes(): { aliases: number; versions: number } {
    return { aliases: this.#aliasCache.size, versions: this.#versionCache.size };
  }

  /**
   * Evicts the isolates of the versions that lost their alias, once idle. Runs after the switch returned, so it
   * never rejects: each step is retried with backoff (RUNTIME_LIMITS.evictAttemptsMax), and what still fails is
   * logged; isolates left behind are only memory, which the pool's LRU bound (isolatesPerWorkerMax) reclaims.
   */
  async #evictUnaliased(name: string, before: AliasRow[]): Promise<void> {
    const current = await this.#retrying(`blocklet ${name}: reading its aliases to evict old versions`, () =>
      this.deps.registry.aliases(name),
    );
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
}
