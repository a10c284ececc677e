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
  readonly #cache: BoundedCache<string, StoredEnv>;

  constructor(
    readonly deps: { db: Database; keys: RuntimeKeys; now: () => number },
    cacheMax: number,
  ) {
    this.#cache = new BoundedCache(cacheMax);
  }

  get cacheSize(): number {
    return this.#cache.size;
  }

  /** Drops what is kept of a blocklet's environment (another process changed it). */
  forget(name: string | null): void {
    if (name === null) this.#cache.clear();
    else this.#cache.delete(name);
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
    const { values: set } = await this.#values(name);
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

  /**
   * The secret of a key the manifest lists under permissions.keys (`ctx.keys`): the variable of its name, which must
   * be stored secure (sealed at rest, never listed); null when it is not set.
   */
  async keySecret(name: string, key: string): Promise<string | null> {
    const { values, secure } = await this.#values(name);
    const value = values.get(key);
    if (value === undefined) return null;
    if (!secure.has(key)) {
      throw new NodeError(
        'BLOCKLET_KEY_MISSING',
        `${name}'s key ${key} is stored as a plain environment variable; set it again with secure: true (a key is sealed at rest).`,
      );
    }
    return value;
  }

  async #values(name: string): Promise<StoredEnv> {
    const cached = this.#cache.get(name);
    if (cached) return cached;
    const rows = await this.deps.db.query<{ key: string; value: string; secure: boolean }>(
      'SELECT key, value, secure FROM blocklet_env WHERE name = $1',
      [name],
    );
    const stored: StoredEnv = {
      values: new Map(rows.map((r) => [r.key, r.secure ? this.deps.keys.open(name, r.key, r.value) : r.value])),
      secure: new Set(rows.filter((r) => r.secure).map((r) => r.key)),
    };
    this.#cache.set(name, stored);
    return stored;
  }
}

/** One blocklet's variables, decrypted, and which of them are stored secure. */
interface StoredEnv {
  values: Map<string, string>;
  secure: Set<string>;
}
