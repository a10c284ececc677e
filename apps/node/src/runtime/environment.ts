import type { BlockletManifest } from '@arc/core';
import type { Database } from '../db/client.ts';
import { NodeError } from '../errors.ts';
import { BoundedCache } from './bounded-cache.ts';
import type { RuntimeKeys } from './secrets.ts';

/**
 * Blocklets' environment variables: stored per blocklet (secure values sealed with a key derived from the node
 * key), listed without secure values, and handed to an invocation as its manifest declares them (decrypted,
 * defaults applied, a missing required one refused). Values read for invocations are cached, bounded.
 */
export class BlockletEnvironment {
  readonly #cache: BoundedCache<string, Map<string, string>>;

  constructor(
    readonly deps: { db: Database; keys: RuntimeKeys; now: () => number },
    cacheMax: number,
  ) {
    this.#cache = new BoundedCache(cacheMax);
  }

  get cacheSize(): number {
    return this.#cache.size;
  }

  /** Sets (or with null removes) one variable of a blocklet. */
  async set(name: string, key: string, value: string | null, secure: boolean): Promise<void> {
    this.#cache.delete(name);
    if (value === null) {
      await this.deps.db.query('DELETE FROM blocklet_env WHERE name = $1 AND key = $2', [name, key]);
      return;
    }
    const stored = secure ? this.deps.keys.seal(name, key, value) : value;
    await this.deps.db.query(
      `INSERT INTO blocklet_env (name, key, value, secure, updated_at_ms) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (name, key) DO UPDATE SET value = $3, secure = $4, updated_at_ms = $5`,
      [name, key, stored, secure, this.deps.now()],
    );
  }

  /** The environment as the API shows it: secure values never leave the node. */
  async list(name: string) {
    const rows = await this.deps.db.query<{ key: string; value: string; secure: boolean; updated_at_ms: number }>(
      'SELECT key, value, secure, updated_at_ms::float8 AS updated_at_ms FROM blocklet_env WHERE name = $1 ORDER BY key',
      [name],
    );
    return rows.map((r) => ({ key: r.key, secure: r.secure, value: r.secure ? null : r.value, updatedAtMs: r.updated_at_ms }));
  }

  /** What `ctx.env` holds for one invocation: the declared variables only; BLOCKLET_ENV_MISSING for a missing required one. */
  async forInvocation(name: string, manifest: BlockletManifest): Promise<Record<string, string>> {
    const set = await this.#values(name);
    const env: Record<string, string> = {};
    for (const declared of manifest.environment) {
      const value = set.get(declared.name) ?? declared.default;
      if (value === undefined) {
        if (declared.required) {
          throw new NodeError(
            'BLOCKLET_ENV_MISSING',
            `${name} needs the environment variable ${declared.name}; set it with blocklet.setEnv.`,
          );
        }
        continue;
      }
      env[declared.name] = value;
    }
    return env;
  }

  async #values(name: string): Promise<Map<string, string>> {
    const cached = this.#cache.get(name);
    if (cached) return cached;
    const rows = await this.deps.db.query<{ key: string; value: string; secure: boolean }>(
      'SELECT key, value, secure FROM blocklet_env WHERE name = $1',
      [name],
    );
    const values = new Map(rows.map((r) => [r.key, r.secure ? this.deps.keys.open(name, r.key, r.value) : r.value]));
    this.#cache.set(name, values);
    return values;
  }
}
