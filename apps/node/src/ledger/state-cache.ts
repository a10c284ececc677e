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

/**
 * Committed state entries recently read or written, in front of the database. Written through
 * only after a block commits, so it never holds anything the database does not. It also remembers
 * entries the database does not have (null): a fee payer's absent grant, an empty escrow account
 * would otherwise cost a query on every admission dry run.
 */
export class StateCache {
  private readonly entries = new Map<string, StateEntry | null>();
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

  /** Loads the given keys (cache first, then one query per kind) into a synchronous view. */
  async view(keys: StateKeys): Promise<StateView> {
    const found = new Map<string, StateEntry>();
    const missing = emptyStateKeys();
    for (const kind of Object.keys(STATE_TABLES) as StateKind[]) {
      const into = keysOfKind(missing, kind);
      for (const id of keysOfKind(keys, kind)) {
        const key = stateKey(kind, id);
        const hit = this.entries.get(key);
        if (hit) found.set(key, hit);
        else if (hit === undefined) into.add(id);
      }
    }
    const version = this.version;
    const loaded = await this.store.fetchState(missing);
    for (const [key, entry] of loaded) {
      found.set(key, entry);
      if (this.version === version) this.remember(key, entry);
    }
    if (this.version === version) {
      for (const kind of Object.keys(STATE_TABLES) as StateKind[]) {
        for (const id of keysOfKind(missing, kind)) {
          const key = stateKey(kind, id);
          if (!loaded.has(key)) this.remember(key, null);
        }
      }
    }
    return mapView(found);
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
