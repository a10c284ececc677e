/** A Map-backed ledger state for tests: typed entries for the state machine plus the state trie. */
import {
  type AccountState,
  type ApplicationState,
  type AssetState,
  applyWritesToTrie,
  type ComponentState,
  type ComponentVersionState,
  componentVersionId,
  EMPTY_ROOT,
  encodeEntry,
  entryKey,
  type GenesisConfig,
  type GrantState,
  genesisEntries,
  grantId,
  type ReceiptState,
  type ReportState,
  type ReviewState,
  reviewId,
  type StakeState,
  type StateEntry,
  type StateView,
  type StateWrite,
  stateKey,
  type TokenState,
  type TrieNode,
  type TrieNodeReader,
  toHex,
  type UsageState,
  usageId,
  writeKey,
} from '../src/index.ts';

/** Every trie node ever created, keyed by hex hash (what a node's database holds). */
export class MemoryTrie implements TrieNodeReader {
  readonly nodes = new Map<string, TrieNode>();
  root: Uint8Array = EMPTY_ROOT.slice();

  get(hashHex: string): TrieNode | undefined {
    return this.nodes.get(hashHex);
  }

  /** Folds writes into the trie and returns the new root. */
  fold(writes: Iterable<StateWrite>): Uint8Array {
    const { root, created } = applyWritesToTrie(this, this.root, writes);
    for (const [hex, node] of created) this.nodes.set(hex, node);
    this.root = root;
    return root;
  }
}

/** The ledger's state as a StateView over a Map of entries, with an optional trie beside it. */
export class MemoryState implements StateView {
  readonly entries = new Map<string, StateEntry>();
  readonly trie = new MemoryTrie();

  static fromGenesis(config: GenesisConfig, withTrie = true): MemoryState {
    const state = new MemoryState();
    state.commit(genesisEntries(config), withTrie);
    return state;
  }

  private value<T>(key: string): T | undefined {
    return this.entries.get(key)?.value as T | undefined;
  }

  account(did: string): AccountState | undefined {
    return this.value(stateKey('account', did));
  }
  token(address: string): TokenState | undefined {
    return this.value(stateKey('token', address));
  }
  asset(address: string): AssetState | undefined {
    return this.value(stateKey('asset', address));
  }
  grant(payer: string, grantee: string): GrantState | undefined {
    return this.value(stateKey('grant', grantId(payer, grantee)));
  }
  component(name: string): ComponentState | undefined {
    return this.value(stateKey('component', name));
  }
  componentVersion(name: string, version: string): ComponentVersionState | undefined {
    return this.value(stateKey('componentVersion', componentVersionId(name, version)));
  }
  review(component: string, reviewer: string): ReviewState | undefined {
    return this.value(stateKey('review', reviewId(component, reviewer)));
  }
  report(id: string): ReportState | undefined {
    return this.value(stateKey('report', id));
  }
  usage(component: string, account: string): UsageState | undefined {
    return this.value(stateKey('usage', usageId(component, account)));
  }
  stake(did: string): StakeState | undefined {
    return this.value(stateKey('stake', did));
  }
  application(did: string): ApplicationState | undefined {
    return this.value(stateKey('application', did));
  }
  receipt(id: string): ReceiptState | undefined {
    return this.value(stateKey('receipt', id));
  }

  /** Applies writes to the entries (and, unless told otherwise, to the trie); returns the trie root. */
  commit(writes: Iterable<StateWrite>, withTrie = true): Uint8Array {
    const list = [...writes];
    for (const write of list) {
      if (write.value === null) this.entries.delete(writeKey(write));
      else this.entries.set(entryKey(write as StateEntry), write as StateEntry);
    }
    return withTrie ? this.trie.fold(list) : this.trie.root;
  }

  accounts(): AccountState[] {
    return [...this.entries.values()].flatMap((e) => (e.kind === 'account' ? [e.value] : []));
  }
  stakes(): StakeState[] {
    return [...this.entries.values()].flatMap((e) => (e.kind === 'stake' ? [e.value] : []));
  }
  applications(): ApplicationState[] {
    return [...this.entries.values()].flatMap((e) => (e.kind === 'application' ? [e.value] : []));
  }
  components(): ComponentState[] {
    return [...this.entries.values()].flatMap((e) => (e.kind === 'component' ? [e.value] : []));
  }
  tokens(): TokenState[] {
    return [...this.entries.values()].flatMap((e) => (e.kind === 'token' ? [e.value] : []));
  }

  /** Every entry's canonical encoding by key: a snapshot to prove nothing was mutated in place. */
  snapshot(): Map<string, string> {
    return new Map([...this.entries].map(([key, entry]) => [key, toHex(encodeEntry(entry))]));
  }
}
