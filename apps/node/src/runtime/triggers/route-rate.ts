import { KeyedBuckets } from '../../gateway/rate-limit.ts';

/** Routes with a rate limit of their own that one server tracks at once; the least recently used is forgotten. */
export const ROUTE_RATE_TABLES_MAX = 1_000;
/** Callers tracked per such route (each route's table is bounded like the operator's). */
export const ROUTE_RATE_KEYS_MAX = 10_000;

/**
 * The per-route limits of manifests (`interfaces.http[].rateLimit`): one table of per-caller buckets per
 * (blocklet, version, route, limit), so two routes, or two versions with different limits, never share a budget.
 */
export class RouteBuckets {
  readonly #tables = new Map<string, KeyedBuckets>();

  /** Takes a token for `caller` on `route`; false means over the route's own rate (RATE_LIMITED). */
  take(route: string, limit: { perSec: number; burst: number }, caller: string, nowMs: number): boolean {
    const key = `${route}\u0000${limit.perSec}/${limit.burst}`;
    let table = this.#tables.get(key);
    if (table) {
      this.#tables.delete(key); // re-inserted below: the map's order is least recently used first
    } else {
      if (this.#tables.size >= ROUTE_RATE_TABLES_MAX) {
        const oldest = this.#tables.keys().next().value as string;
        this.#tables.delete(oldest);
      }
      table = new KeyedBuckets(limit.perSec, limit.burst, ROUTE_RATE_KEYS_MAX);
    }
    this.#tables.set(key, table);
    return table.take(caller, nowMs);
  }
}
