import { utf8 } from '../bytes.ts';
import { sha3 } from '../crypto/provider.ts';
import type {
  AccountState,
  ApplicationState,
  AssetState,
  ComponentState,
  ComponentVersionState,
  GrantState,
  ReceiptState,
  ReportState,
  ReviewState,
  StakeState,
  TokenState,
  UsageState,
} from './types.ts';

export * from './state-codec.ts';

/**
 * Ledger state as typed entries. Each entry has a key (what it is named in the state trie) and a
 * canonical encoding (what its leaf commits to and what the node stores).
 */
export type StateEntry =
  | { kind: 'account'; value: AccountState }
  | { kind: 'token'; value: TokenState }
  | { kind: 'asset'; value: AssetState }
  | { kind: 'grant'; value: GrantState }
  | { kind: 'component'; value: ComponentState }
  | { kind: 'componentVersion'; value: ComponentVersionState }
  | { kind: 'review'; value: ReviewState }
  | { kind: 'report'; value: ReportState }
  | { kind: 'usage'; value: UsageState }
  | { kind: 'stake'; value: StakeState }
  | { kind: 'application'; value: ApplicationState }
  | { kind: 'receipt'; value: ReceiptState };

export type StateKind = StateEntry['kind'];

/** Every kind of state entry (a kind missing here fails to type-check). */
export const STATE_KINDS = [
  'account',
  'token',
  'asset',
  'grant',
  'component',
  'componentVersion',
  'review',
  'report',
  'usage',
  'stake',
  'application',
  'receipt',
] as const satisfies readonly StateKind[];
type MissingKind = Exclude<StateKind, (typeof STATE_KINDS)[number]>;
const _everyKind: MissingKind extends never ? true : never = true;

/** A change to one entry; `value: null` removes it (a revoked grant). */
export type StateWrite = StateEntry | { kind: StateKind; key: string; value: null };

/** What the state machine reads. The node backs it with rows prefetched from the database. */
export interface StateView {
  account(did: string): AccountState | undefined;
  token(address: string): TokenState | undefined;
  asset(address: string): AssetState | undefined;
  grant(payer: string, grantee: string): GrantState | undefined;
  component(name: string): ComponentState | undefined;
  componentVersion(name: string, version: string): ComponentVersionState | undefined;
  review(component: string, reviewer: string): ReviewState | undefined;
  report(id: string): ReportState | undefined;
  usage(component: string, account: string): UsageState | undefined;
  stake(did: string): StakeState | undefined;
  application(did: string): ApplicationState | undefined;
  receipt(id: string): ReceiptState | undefined;
}

/** The name of an entry in the state trie. */
export function stateKey(kind: StateKind, id: string): string {
  return `${kind}:${id}`;
}

/** The id part of a grant's key. */
export function grantId(payer: string, grantee: string): string {
  return `${payer}/${grantee}`;
}

/** The id part of a component version's key: `name@version`. */
export function componentVersionId(name: string, version: string): string {
  return `${name}@${version}`;
}

/** The id part of a review's key: `component/reviewer`. */
export function reviewId(component: string, reviewer: string): string {
  return `${component}/${reviewer}`;
}

/** The id part of a usage entry's key: `component/account`. */
export function usageId(component: string, account: string): string {
  return `${component}/${account}`;
}

/** The trie key of an entry: SHA3-256 of its name. */
export function stateKeyHash(key: string): Uint8Array {
  return sha3(utf8(key));
}

/** The trie key name of an entry. */
export function entryKey(entry: StateEntry): string {
  switch (entry.kind) {
    case 'account':
      return stateKey('account', entry.value.did);
    case 'token':
      return stateKey('token', entry.value.address);
    case 'asset':
      return stateKey('asset', entry.value.address);
    case 'grant':
      return stateKey('grant', grantId(entry.value.payer, entry.value.grantee));
    case 'component':
      return stateKey('component', entry.value.name);
    case 'componentVersion':
      return stateKey('componentVersion', componentVersionId(entry.value.name, entry.value.version));
    case 'review':
      return stateKey('review', reviewId(entry.value.component, entry.value.reviewer));
    case 'report':
      return stateKey('report', entry.value.id);
    case 'usage':
      return stateKey('usage', usageId(entry.value.component, entry.value.account));
    case 'stake':
      return stateKey('stake', entry.value.did);
    case 'application':
      return stateKey('application', entry.value.did);
    case 'receipt':
      return stateKey('receipt', entry.value.id);
  }
}

/** The key of any write, present or removed. */
export function writeKey(write: StateWrite): string {
  return write.value === null ? (write as { key: string }).key : entryKey(write as StateEntry);
}

/** Copies an account so the state machine can change it without touching the view's object. */
export function cloneAccount(a: AccountState): AccountState {
  return { ...a, tokens: new Map(a.tokens) };
}

/**
 * A view with pending writes layered over a base view. Blocks apply transactions one after
 * another on an overlay; a failed transaction's scratch overlay is simply dropped.
 */
export class Overlay implements StateView {
  readonly writes = new Map<string, StateWrite>();

  constructor(private readonly base: StateView) {}

  private read<T>(key: string, fallback: () => T | undefined): T | undefined {
    const w = this.writes.get(key);
    if (w !== undefined) return (w.value ?? undefined) as T | undefined;
    return fallback();
  }

  account(did: string): AccountState | undefined {
    return this.read(stateKey('account', did), () => this.base.account(did));
  }
  token(address: string): TokenState | undefined {
    return this.read(stateKey('token', address), () => this.base.token(address));
  }
  asset(address: string): AssetState | undefined {
    return this.read(stateKey('asset', address), () => this.base.asset(address));
  }
  grant(payer: string, grantee: string): GrantState | undefined {
    return this.read(stateKey('grant', grantId(payer, grantee)), () => this.base.grant(payer, grantee));
  }
  component(name: string): ComponentState | undefined {
    return this.read(stateKey('component', name), () => this.base.component(name));
  }
  componentVersion(name: string, version: string): ComponentVersionState | undefined {
    return this.read(stateKey('componentVersion', componentVersionId(name, version)), () => this.base.componentVersion(name, version));
  }
  review(component: string, reviewer: string): ReviewState | undefined {
    return this.read(stateKey('review', reviewId(component, reviewer)), () => this.base.review(component, reviewer));
  }
  report(id: string): ReportState | undefined {
    return this.read(stateKey('report', id), () => this.base.report(id));
  }
  usage(component: string, account: string): UsageState | undefined {
    return this.read(stateKey('usage', usageId(component, account)), () => this.base.usage(component, account));
  }
  stake(did: string): StakeState | undefined {
    return this.read(stateKey('stake', did), () => this.base.stake(did));
  }
  application(did: string): ApplicationState | undefined {
    return this.read(stateKey('application', did), () => this.base.application(did));
  }
  receipt(id: string): ReceiptState | undefined {
    return this.read(stateKey('receipt', id), () => this.base.receipt(id));
  }

  put(entry: StateEntry): void {
    this.writes.set(entryKey(entry), entry);
  }

  remove(kind: StateKind, key: string): void {
    this.writes.set(key, { kind, key, value: null });
  }

  /** Moves this overlay's writes into another (commit of a transaction into its block). */
  mergeInto(target: Overlay): void {
    for (const [key, write] of this.writes) target.writes.set(key, write);
  }
}
