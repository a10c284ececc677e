/**
 * The committed key-value state of the channel, per chaincode namespace, with Fabric's versions (the block and the
 * transaction that last wrote a key) and each key's history. Keys sort by UTF-8 bytes, as in Fabric's LevelDB, so
 * composite keys (U+0000 … U+10FFFF) and range queries order exactly as on a real peer.
 */

/** Where a value was written: Fabric's `kvrwset.Version`. */
export interface Version {
  blockNum: number;
  txNum: number;
}

export interface VersionedValue {
  value: Uint8Array;
  version: Version;
}

/** One change of a key, as GetHistoryForKey reports it. */
export interface KeyChange {
  txId: string;
  value: Uint8Array;
  isDelete: boolean;
  /** The transaction's timestamp (its channel header's), in seconds and nanoseconds. */
  timestamp: { seconds: number; nanos: number };
}

/** History entries kept per key; older ones are dropped first. */
export const KEY_HISTORY_ENTRIES_MAX = 10_000;

interface Namespace {
  values: Map<string, VersionedValue>;
  /** The keys of `values`, sorted by code point (= UTF-8 byte order). */
  sortedKeys: string[];
}

/** Orders strings by Unicode code point, which is the order of their UTF-8 bytes (unlike `<` on UTF-16 units). */
export function compareKeys(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const ca = a.codePointAt(i) as number;
    const cb = b.codePointAt(j) as number;
    if (ca !== cb) return ca < cb ? -1 : 1;
    i += ca > 0xffff ? 2 : 1;
    j += cb > 0xffff ? 2 : 1;
  }
  if (i < a.length) return 1;
  if (j < b.length) return -1;
  return 0;
}

export const sameVersion = (a: Version | undefined, b: Version | undefined): boolean =>
  a === undefined || b === undefined ? a === b : a.blockNum === b.blockNum && a.txNum === b.txNum;

export class WorldState {
  readonly #namespaces = new Map<string, Namespace>();
  readonly #history = new Map<string, KeyChange[]>();

  get(namespace: string, key: string): VersionedValue | undefined {
    return this.#namespaces.get(namespace)?.values.get(key);
  }

  /**
   * The entries with startKey <= key < endKey (no upper bound when endKey is empty), at most `limit` of them: a
   * snapshot, so a caller paging through it sees one consistent state.
   */
  range(namespace: string, startKey: string, endKey: string, limit: number): Array<[string, VersionedValue]> {
    const space = this.#namespaces.get(namespace);
    if (!space) return [];
    const result: Array<[string, VersionedValue]> = [];
    for (let index = lowerBound(space.sortedKeys, startKey); index < space.sortedKeys.length && result.length < limit; index += 1) {
      const key = space.sortedKeys[index] as string;
      if (endKey !== '' && compareKeys(key, endKey) >= 0) break;
      result.push([key, space.values.get(key) as VersionedValue]);
    }
    return result;
  }

  put(namespace: string, key: string, value: Uint8Array, version: Version): void {
    const space = this.#space(namespace);
    if (!space.values.has(key)) space.sortedKeys.splice(lowerBound(space.sortedKeys, key), 0, key);
    space.values.set(key, { value, version });
  }

  delete(namespace: string, key: string): void {
    const space = this.#namespaces.get(namespace);
    if (!space?.values.delete(key)) return;
    space.sortedKeys.splice(lowerBound(space.sortedKeys, key), 1);
  }

  recordChange(namespace: string, key: string, change: KeyChange): void {
    const historyKey = `${namespace}\u0000${key}`;
    const changes = this.#history.get(historyKey) ?? [];
    changes.push(change);
    if (changes.length > KEY_HISTORY_ENTRIES_MAX) changes.shift();
    this.#history.set(historyKey, changes);
  }

  /** The key's changes, newest first (Fabric 2.x's order). */
  history(namespace: string, key: string): KeyChange[] {
    return [...(this.#history.get(`${namespace}\u0000${key}`) ?? [])].reverse();
  }

  #space(namespace: string): Namespace {
    let space = this.#namespaces.get(namespace);
    if (!space) {
      space = { values: new Map(), sortedKeys: [] };
      this.#namespaces.set(namespace, space);
    }
    return space;
  }
}

/** The first index whose key is >= `key`. */
function lowerBound(sortedKeys: string[], key: string): number {
  let low = 0;
  let high = sortedKeys.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compareKeys(sortedKeys[middle] as string, key) < 0) low = middle + 1;
    else high = middle;
  }
  return low;
}
