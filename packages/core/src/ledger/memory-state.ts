/**
 * A Map-backed ledger state: typed entries for the state machine plus the state trie, all in memory. Tests use it as
 * a replica; ChainReplica (replica.ts) replays a whole chain in it.
 */
import { toHex } from '../bytes.ts';
import { EMPTY_ROOT, nodeKey, type TrieNode } from '../merkle/node.ts';
import type { TrieNodeReader, TrieUpdateResult } from '../merkle/trie.ts';
import type { ApplicationState, ReceiptState, StakeState } from './economy-types.ts';
import { type GenesisConfig, genesisEntries } from './genesis.ts';
import type { ComponentState, ComponentVersionState, ReportState, ReviewState, UsageState } from './market-types.ts';
import {
  componentVersionId,
  encodeEntry,
  entryKey,
  grantId,
  reviewId,
  type StateEntry,
  type StateView,
  type StateWrite,
  stateKey,
  usageId,
  writeKey,
} from './state.ts';
import { applyWritesToTrie } from './state-root.ts';
import type { AccountState, AssetState, GrantState, TokenState } from './types.ts';

/** Every trie node ever created, keyed by hex hash (what a node's database holds). */
export class MemoryTrie implements TrieNodeReader {
  readonly nodes = new Map<string, TrieNode>();
  root: Uint8Array = EMPTY_ROOT.slice();

  get(hashHex: string): TrieNode | undefined {
    return this.nodes.get(hashHex);
  }

  /** Folds writes into the trie and returns the new root. */
  fold(writes: Iterable<StateWrite>): Uint8Array {
    return this.adopt(applyWritesToTrie(this, this.root, writes));
  }

  /** Makes an update computed elsewhere on this trie's root (validateBlock's) current; returns its root. */
  adopt(update: TrieUpdateResult): Uint8Array {
    for (const [hex, node] of update.created) this.nodes.set(hex, node);
    this.root = update.root;
    return update.root;
  }

  /** Drops every node the current root does not reach. */
  sweep(): void {
    const live = new Map<string, TrieNode>();
    const stack = [nodeKey(this.root)];
    while (stack.length > 0) {
      const hex = stack.pop() as string;
      const node = this.nodes.get(hex);
      if (node === undefined || live.has(hex)) continue; // the empty subtree, or seen
      live.set(hex, node);
      if (node.kind === 'internal') stack.push(nodeKey(node.left), nodeKey(node.right));
    }
    this.nodes.clear();
    for (const [hex, node] of live) this.nodes.set(hex, node);
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

  /**
   * Applies writes to the entries and to the trie (folding them, or adopting the update already folded from them);
   * returns the trie root. `withTrie` false leaves the trie as it is.
   */
  commit(writes: Iterable<StateWrite>, withTrie: boolean | TrieUpdateResult = true): Uint8Array {
    const list = [...writes];
    for (const write of list) {
      if (write.value === null) this.entries.delete(writeKey(write));
      else this.entries.set(entryKey(write as StateEntry), write as StateEntry);
    }
    if (withTrie === false) return this.trie.root;
    return withTrie === true ? this.trie.fold(list) : this.trie.adopt(withTrie);
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
