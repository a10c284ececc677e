import {
  componentVersionId,
  grantId,
  reviewId,
  type StateEntry,
  type StateKind,
  type StateView,
  type StateWrite,
  stateKey,
  usageId,
  writeKey,
} from '@arc/core';
import { emptyStateKeys, keysOfKind, type LedgerStore, STATE_TABLES, type StateKeys } from './store.ts';

const CACHE_MAX_ENTRIES = 200_000;
const EMPTY_LOADED: Map<string, StateEntry> = new Map();

interface Batch {
  keys: StateKeys;
  loaded: Promise<Map<string, StateEntry>>;
}

/** How many keys of any kind. */
function keyCount(keys: StateKeys): number {
  let count = 0;
  for (const kind of Object.keys(STATE_TABLES) as StateKind[]) count += keysOfKind(keys, kind).size;
  return count;
}

/**
 * Committed state entries recently read or written, in front of the database. Written through
 * only after a block commits, so it never holds anything the database does not. It also remembers
 * entries the database does not have (null): a fee payer's absent grant, an empty escrow account
 * would otherwise cost a query on every admission dry run.
 */
export class StateCache {
  private readonly entries = new Map<string, StateEntry | null>();
  /** The keys missed in this turn of the event loop, read together at its end (see fetch). */
  private batch: Batch | null = null;
  /** Advances at every commit; a load that raced a commit is not remembered. */
  version = 0;

  constructor(private readonly store: LedgerStore) {}

  /** Applies a committed block's writes. */
  apply(writes: Iterable<StateWrite>): void {
    this.version++;
    for (const w of writes) {
      const key = writeKey(w);
      this.remember(key, w.value === null ? null : (w as StateEntry));
    }
  }

  /** Forgets everything (the database moved without the cache, see Ledger.reload). */
  clear(): void {
    this.version++;
    this.entries.clear();
  }

  peek(key: string): StateEntry | undefined {
    return this.entries.get(key) ?? undefined;
  }

  /**
   * Loads the given keys (cache first, then one query per kind) into a synchronous view. An `overlay` (a block still
   * committing: its writes by state key, null where it deleted) goes before both.
   */
  async view(keys: StateKeys, overlay?: ReadonlyMap<string, StateEntry | null>): Promise<StateView> {
    const found = new Map<string, StateEntry>();
    const missing = emptyStateKeys();
    for (const kind of Object.keys(STATE_TABLES) as StateKind[]) {
      const into = keysOfKind(missing, kind);
      for (const id of keysOfKind(keys, kind)) {
        const key = stateKey(kind, id);
        const written = overlay?.get(key);
        if (written !== undefined) {
          if (written !== null) found.set(key, written);
          continue;
        }
        const hit = this.entries.get(key);
        if (hit) found.set(key, hit);
        else if (hit === undefined) into.add(id);
      }
    }
    const version = this.version;
    const loaded = await this.fetch(missing);
    const remember = this.version === version;
    for (const kind of Object.keys(STATE_TABLES) as StateKind[]) {
      for (const id of keysOfKind(missing, kind)) {
        const key = stateKey(kind, id);
        const entry = loaded.get(key);
        if (entry) found.set(key, entry);
        if (remember) this.remember(key, entry ?? null);
      }
    }
    return mapView(found);
  }

  /**
   * Reads entries the cache lacks. The views asked for in one turn of the event loop (a burst of admissions, each
   * reading its sender and recipient) share one query per kind: at a large state nearly every recipient is a miss,
   * and one query a transaction cost more than the rest of its admission.
   */
  private fetch(keys: StateKeys): Promise<Map<string, StateEntry>> {
    if (keyCount(keys) === 0) return Promise.resolve(EMPTY_LOADED);
    if (this.batch === null) {
      const batch: Batch = { keys: emptyStateKeys(), loaded: Promise.resolve(EMPTY_LOADED) };
      batch.loaded = new Promise((resolve) => setImmediate(resolve)).then(() => {
        this.batch = null;
        return this.store.fetchState(batch.keys);
      });
      this.batch = batch;
    }
    for (const kind of Object.keys(STATE_TABLES) as StateKind[]) {
      const into = keysOfKind(this.batch.keys, kind);
      for (const id of keysOfKind(keys, kind)) into.add(id);
    }
    return this.batch.loaded;
  }

  private remember(key: string, entry: StateEntry | null): void {
    if (this.entries.size >= CACHE_MAX_ENTRIES && !this.entries.has(key)) {
      // Drop the oldest insertion (Map keeps insertion order): a cheap approximation of LRU.
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    this.entries.set(key, entry);
  }
}

/** A read-only view over a map of entries by state key. */
export function mapView(entries: Map<string, StateEntry>): StateView {
  const get = (key: string) => entries.get(key)?.value;
  return {
    account: (did) => get(stateKey('account', did)) as never,
    token: (address) => get(stateKey('token', address)) as never,
    asset: (address) => get(stateKey('asset', address)) as never,
    grant: (payer, grantee) => get(stateKey('grant', grantId(payer, grantee))) as never,
    component: (name) => get(stateKey('component', name)) as never,
    componentVersion: (name, version) => get(stateKey('componentVersion', componentVersionId(name, version))) as never,
    review: (component, reviewer) => get(stateKey('review', reviewId(component, reviewer))) as never,
    report: (id) => get(stateKey('report', id)) as never,
    usage: (component, account) => get(stateKey('usage', usageId(component, account))) as never,
    stake: (did) => get(stateKey('stake', did)) as never,
    application: (did) => get(stateKey('application', did)) as never,
    receipt: (id) => get(stateKey('receipt', id)) as never,
  };
}
