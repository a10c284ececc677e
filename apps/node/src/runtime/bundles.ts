import type { BlockletManifest } from '@arc/core';
import type { Database } from '../db/client.ts';
import { NodeError } from '../errors.ts';
import { BoundedCache } from './bounded-cache.ts';
import type { VersionRow } from './registry.ts';
import { deploymentOf, type Loaded, RUNTIME_LIMITS } from './runtime-types.ts';

/**
 * Uploaded bundles and manifests, stored by content hash and read back (through bounded caches) when a version
 * runs: the runtime's storage of what was uploaded, apart from what was deployed (registry.ts).
 */
export class BlockletBundles {
  readonly #code = new BoundedCache<string, { hash: string; source: string }>(RUNTIME_LIMITS.codeCacheMax);
  readonly #manifests = new BoundedCache<string, BlockletManifest>(RUNTIME_LIMITS.manifestCacheMax);

  constructor(readonly db: Database) {}

  /** Stores a bundle and its manifest, each once by hash, in one transaction. */
  async store(bundle: { hash: string; code: string; bytes: number }, manifest: BlockletManifest, manifestHash: string, nowMs: number) {
    await this.db.transaction(async (sql) => {
      await sql.query(
        'INSERT INTO blocklet_bundles (hash, code, bytes, created_at_ms) VALUES ($1, $2, $3, $4) ON CONFLICT (hash) DO NOTHING',
        [bundle.hash, bundle.code, bundle.bytes, nowMs],
      );
      await sql.query(
        'INSERT INTO blocklet_manifests (hash, manifest, created_at_ms) VALUES ($1, $2::jsonb, $3) ON CONFLICT (hash) DO NOTHING',
        [manifestHash, JSON.stringify(manifest), nowMs],
      );
    });
  }

  /** Whether an upload holds this bundle. */
  async hasBundle(hash: string): Promise<boolean> {
    const [bundle] = await this.db.query<{ hash: string }>('SELECT hash FROM blocklet_bundles WHERE hash = $1', [hash]);
    return bundle !== undefined;
  }

  /** The manifest and code of a deployed version. */
  async load(version: VersionRow): Promise<Loaded> {
    const manifest = await this.manifest(version.manifestHash);
    if (!manifest) throw new NodeError('BLOCKLET_NOT_FOUND', `This node does not hold the manifest of ${version.name}@${version.version}.`);
    let code = this.#code.get(version.bundleHash);
    if (!code) {
      const [row] = await this.db.query<{ code: string }>('SELECT code FROM blocklet_bundles WHERE hash = $1', [version.bundleHash]);
      if (!row) throw new NodeError('BLOCKLET_NOT_FOUND', `This node does not hold the bundle of ${version.name}@${version.version}.`);
      code = { hash: version.bundleHash, source: row.code };
      this.#code.set(version.bundleHash, code);
    }
    return { version, manifest, code: { deployment: deploymentOf(version.name, version.version), ...code } };
  }

  async manifest(hash: string): Promise<BlockletManifest | null> {
    const cached = this.#manifests.get(hash);
    if (cached) return cached;
    const [row] = await this.db.query<{ manifest: BlockletManifest | string }>('SELECT manifest FROM blocklet_manifests WHERE hash = $1', [
      hash,
    ]);
    if (!row) return null;
    const manifest = typeof row.manifest === 'string' ? (JSON.parse(row.manifest) as BlockletManifest) : row.manifest;
    this.#manifests.set(hash, manifest);
    return manifest;
  }

  async bundleBytes(hash: string): Promise<number> {
    const [row] = await this.db.query<{ bytes: number }>('SELECT bytes FROM blocklet_bundles WHERE hash = $1', [hash]);
    return row?.bytes ?? 0;
  }

  /** How full the caches are (bounds in RUNTIME_LIMITS). */
  get sizes(): { code: number; manifests: number } {
    return { code: this.#code.size, manifests: this.#manifests.size };
  }
}
