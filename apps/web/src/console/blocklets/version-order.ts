/** A deployed version as the node lists it: what ordering needs. */
export interface OrderedVersion {
  version: string;
  height: number;
  deployedAtMs: number;
}

/** The versions newest first (by the height of their deploy), whatever order the node listed them in. */
export function newestFirst<V extends OrderedVersion>(versions: readonly V[]): V[] {
  return [...versions].sort((a, b) => b.height - a.height || b.deployedAtMs - a.deployedAtMs);
}

/** The version a rollback returns live to: the newest one deployed before the live one (null: none). */
export function rollbackTarget(versions: readonly OrderedVersion[], liveVersion: string | null): string | null {
  if (liveVersion === null) return null;
  const order = newestFirst(versions);
  const at = order.findIndex((v) => v.version === liveVersion);
  return at < 0 ? null : (order[at + 1]?.version ?? null);
}
