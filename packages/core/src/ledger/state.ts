import { utf8 } from '../bytes.ts';
import { sha3 } from '../crypto/provider.ts';
import { CodecError, Reader, Writer } from '../encoding/codec.ts';
import { decodeApplication, decodeReceipt, decodeStake, encodeApplication, encodeReceipt, encodeStake } from './economy-state.ts';
import { COMPONENT_KINDS, PRICE_MODELS, TOKEN_POLICIES, TX_LIMITS } from './limits.ts';
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

const STATE_VERSION = 1;
const L = TX_LIMITS;

/** The canonical encoding of an account. Token balances are sorted by address. */
export function encodeAccount(a: AccountState): Uint8Array {
  const w = new Writer().u8(STATE_VERSION).string(a.did);
  if (a.publicKey === null) w.u8(0);
  else w.u8(1).fixed(a.publicKey, 32);
  w.string(a.moniker).uint(a.nonce).big(a.balance);
  const tokens = [...a.tokens.entries()].filter(([, v]) => v > 0n).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
  w.uint(tokens.length);
  for (const [token, amount] of tokens) w.string(token).big(amount);
  return w.finish();
}

/** Decodes an account written by encodeAccount. */
export function decodeAccount(bytes: Uint8Array): AccountState {
  const r = new Reader(bytes);
  r.u8();
  const did = r.string(L.didBytes);
  const publicKey = r.bool() ? r.fixed(32) : null;
  const moniker = r.string(L.monikerBytes);
  const nonce = r.uint();
  const balance = r.big();
  const tokens = new Map<string, bigint>();
  const n = r.count(1_000_000);
  for (let i = 0; i < n; i++) tokens.set(r.string(L.didBytes), r.big());
  r.end();
  return { did, publicKey, moniker, nonce, balance, tokens };
}

/** A fixed-supply token keeps the version 1 bytes (so existing state roots stand); a policy token writes version 2. */
const TOKEN_POLICY_VERSION = 2;

export function encodeToken(t: TokenState): Uint8Array {
  const fixed = t.policy === 'fixed';
  const w = new Writer()
    .u8(fixed ? STATE_VERSION : TOKEN_POLICY_VERSION)
    .string(t.address)
    .string(t.symbol)
    .string(t.name)
    .u8(t.decimals)
    .big(t.totalSupply)
    .string(t.owner)
    .uint(t.createdAtHeight);
  if (!fixed) w.u8(TOKEN_POLICIES.indexOf(t.policy)).big(t.cap);
  return w.finish();
}

export function decodeToken(bytes: Uint8Array): TokenState {
  const r = new Reader(bytes);
  const version = r.u8();
  const t: TokenState = {
    address: r.string(L.didBytes),
    symbol: r.string(L.symbolBytes),
    name: r.string(L.tokenNameBytes),
    decimals: r.u8(),
    totalSupply: r.big(),
    owner: r.string(L.didBytes),
    createdAtHeight: r.uint(),
    policy: 'fixed',
    cap: 0n,
  };
  if (version === TOKEN_POLICY_VERSION) {
    const policy = TOKEN_POLICIES[r.u8()];
    if (policy === undefined) throw new CodecError('unknown token policy');
    t.policy = policy;
    t.cap = r.big();
  }
  r.end();
  return t;
}

export function encodeAsset(a: AssetState): Uint8Array {
  return new Writer()
    .u8(STATE_VERSION)
    .string(a.address)
    .string(a.owner)
    .string(a.issuer)
    .string(a.moniker)
    .bytes(a.data)
    .bool(a.transferable)
    .bool(a.readonly)
    .bool(a.consumed)
    .uint(a.createdAtHeight)
    .uint(a.updatedAtHeight)
    .finish();
}

export function decodeAsset(bytes: Uint8Array): AssetState {
  const r = new Reader(bytes);
  r.u8();
  const a: AssetState = {
    address: r.string(L.didBytes),
    owner: r.string(L.didBytes),
    issuer: r.string(L.didBytes),
    moniker: r.string(L.monikerBytes),
    data: r.bytes(L.assetDataBytes),
    transferable: r.bool(),
    readonly: r.bool(),
    consumed: r.bool(),
    createdAtHeight: r.uint(),
    updatedAtHeight: r.uint(),
  };
  r.end();
  return a;
}

export function encodeGrant(g: GrantState): Uint8Array {
  return new Writer().u8(STATE_VERSION).string(g.payer).string(g.grantee).big(g.allowance).big(g.spent).uint(g.expiresAtMs).finish();
}

export function decodeGrant(bytes: Uint8Array): GrantState {
  const r = new Reader(bytes);
  r.u8();
  const g: GrantState = {
    payer: r.string(L.didBytes),
    grantee: r.string(L.didBytes),
    allowance: r.big(),
    spent: r.big(),
    expiresAtMs: r.uint(),
  };
  r.end();
  return g;
}

function enumIndex(list: readonly string[], value: string): number {
  const i = list.indexOf(value);
  if (i < 0) throw new CodecError(`unknown value ${value}`);
  return i;
}

function enumAt<T>(list: readonly T[], index: number): T {
  const value = list[index];
  if (value === undefined) throw new CodecError(`unknown enum index ${index}`);
  return value;
}

const VERSION_STATUSES = ['active', 'deprecated', 'yanked'] as const;
const REPORT_STATUSES = ['open', 'upheld', 'dismissed'] as const;
const NAME = L.blockletNameBytes;

export function encodeComponent(c: ComponentState): Uint8Array {
  return new Writer()
    .u8(STATE_VERSION)
    .string(c.name)
    .u8(enumIndex(COMPONENT_KINDS, c.kind))
    .string(c.owner)
    .string(c.publisher)
    .big(c.stake)
    .string(c.latestVersion)
    .uint(c.versionCount)
    .uint(c.createdAtHeight)
    .uint(c.updatedAtHeight)
    .finish();
}

export function decodeComponent(bytes: Uint8Array): ComponentState {
  const r = new Reader(bytes);
  r.u8();
  const c: ComponentState = {
    name: r.string(NAME),
    kind: enumAt(COMPONENT_KINDS, r.u8()),
    owner: r.string(L.didBytes),
    publisher: r.string(L.didBytes),
    stake: r.big(),
    latestVersion: r.string(L.blockletVersionBytes),
    versionCount: r.uint(),
    createdAtHeight: r.uint(),
    updatedAtHeight: r.uint(),
  };
  r.end();
  return c;
}

export function encodeComponentVersion(v: ComponentVersionState): Uint8Array {
  const w = new Writer()
    .u8(STATE_VERSION)
    .string(v.name)
    .string(v.version)
    .u8(enumIndex(COMPONENT_KINDS, v.kind))
    .string(v.description)
    .fixed(v.manifestHash, 32)
    .fixed(v.bundleHash, 32)
    .fixed(v.readmeHash, 32)
    .string(v.releaseNotes)
    .uint(v.categories.length);
  for (const c of v.categories) w.string(c);
  w.uint(v.chains.length);
  for (const c of v.chains) w.string(c);
  w.u8(enumIndex(PRICE_MODELS, v.price.model)).big(v.price.amount).uint(v.beneficiaries.length);
  for (const b of v.beneficiaries) w.string(b.did).uint(b.shareBps);
  return w.string(v.publishedBy).uint(v.publishedAtHeight).u8(enumIndex(VERSION_STATUSES, v.status)).string(v.statusReason).finish();
}

export function decodeComponentVersion(bytes: Uint8Array): ComponentVersionState {
  const r = new Reader(bytes);
  r.u8();
  const name = r.string(NAME);
  const version = r.string(L.blockletVersionBytes);
  const kind = enumAt(COMPONENT_KINDS, r.u8());
  const description = r.string(L.componentDescriptionBytes);
  const manifestHash = r.fixed(32);
  const bundleHash = r.fixed(32);
  const readmeHash = r.fixed(32);
  const releaseNotes = r.string(L.releaseNotesBytes);
  const categories = Array.from({ length: r.count(L.componentCategoriesMax) }, () => r.string(L.categoryBytes));
  const chains = Array.from({ length: r.count(L.componentChainsMax) }, () => r.string(L.chainNameBytes));
  const price = { model: enumAt(PRICE_MODELS, r.u8()), amount: r.big() };
  const beneficiaries = Array.from({ length: r.count(L.beneficiariesMax) }, () => ({ did: r.string(L.didBytes), shareBps: r.uint() }));
  const v: ComponentVersionState = {
    name,
    version,
    kind,
    description,
    manifestHash,
    bundleHash,
    readmeHash,
    releaseNotes,
    categories,
    chains,
    price,
    beneficiaries,
    publishedBy: r.string(L.didBytes),
    publishedAtHeight: r.uint(),
    status: enumAt(VERSION_STATUSES, r.u8()),
    statusReason: r.string(L.reasonBytes),
  };
  r.end();
  return v;
}

export function encodeReview(v: ReviewState): Uint8Array {
  const w = new Writer()
    .u8(STATE_VERSION)
    .string(v.component)
    .string(v.reviewer)
    .u8(v.stars)
    .fixed(v.textHash, 32)
    .uint(v.revision)
    .uint(v.createdAtHeight)
    .uint(v.updatedAtHeight);
  if (v.reply === null) w.u8(0);
  else w.u8(1).fixed(v.reply.textHash, 32).uint(v.reply.atHeight);
  return w.bool(v.hidden).finish();
}

export function decodeReview(bytes: Uint8Array): ReviewState {
  const r = new Reader(bytes);
  r.u8();
  const v: ReviewState = {
    component: r.string(NAME),
    reviewer: r.string(L.didBytes),
    stars: r.u8(),
    textHash: r.fixed(32),
    revision: r.uint(),
    createdAtHeight: r.uint(),
    updatedAtHeight: r.uint(),
    reply: r.bool() ? { textHash: r.fixed(32), atHeight: r.uint() } : null,
    hidden: r.bool(),
  };
  r.end();
  return v;
}

export function encodeReport(v: ReportState): Uint8Array {
  return new Writer()
    .u8(STATE_VERSION)
    .string(v.id)
    .string(v.reporter)
    .string(v.component)
    .string(v.reviewer)
    .string(v.reason)
    .u8(enumIndex(REPORT_STATUSES, v.status))
    .string(v.resolver)
    .string(v.note)
    .uint(v.createdAtHeight)
    .uint(v.resolvedAtHeight)
    .finish();
}

export function decodeReport(bytes: Uint8Array): ReportState {
  const r = new Reader(bytes);
  r.u8();
  const v: ReportState = {
    id: r.string(L.reportIdBytes),
    reporter: r.string(L.didBytes),
    component: r.string(NAME),
    reviewer: r.string(L.didBytes),
    reason: r.string(L.reasonBytes),
    status: enumAt(REPORT_STATUSES, r.u8()),
    resolver: r.string(L.didBytes),
    note: r.string(L.reasonBytes),
    createdAtHeight: r.uint(),
    resolvedAtHeight: r.uint(),
  };
  r.end();
  return v;
}

export function encodeUsage(v: UsageState): Uint8Array {
  return new Writer()
    .u8(STATE_VERSION)
    .string(v.component)
    .string(v.account)
    .uint(v.installs)
    .uint(v.calls)
    .big(v.paid)
    .uint(v.firstPeriod)
    .uint(v.lastPeriod)
    .finish();
}

export function decodeUsage(bytes: Uint8Array): UsageState {
  const r = new Reader(bytes);
  r.u8();
  const v: UsageState = {
    component: r.string(NAME),
    account: r.string(L.didBytes),
    installs: r.uint(),
    calls: r.uint(),
    paid: r.big(),
    firstPeriod: r.uint(),
    lastPeriod: r.uint(),
  };
  r.end();
  return v;
}

/** The canonical encoding of any entry. */
export function encodeEntry(entry: StateEntry): Uint8Array {
  switch (entry.kind) {
    case 'account':
      return encodeAccount(entry.value);
    case 'token':
      return encodeToken(entry.value);
    case 'asset':
      return encodeAsset(entry.value);
    case 'grant':
      return encodeGrant(entry.value);
    case 'component':
      return encodeComponent(entry.value);
    case 'componentVersion':
      return encodeComponentVersion(entry.value);
    case 'review':
      return encodeReview(entry.value);
    case 'report':
      return encodeReport(entry.value);
    case 'usage':
      return encodeUsage(entry.value);
    case 'stake':
      return encodeStake(entry.value);
    case 'application':
      return encodeApplication(entry.value);
    case 'receipt':
      return encodeReceipt(entry.value);
  }
}

/** Decodes the stored bytes of an entry of the given kind. */
export function decodeEntry(kind: StateKind, bytes: Uint8Array): StateEntry {
  switch (kind) {
    case 'account':
      return { kind, value: decodeAccount(bytes) };
    case 'token':
      return { kind, value: decodeToken(bytes) };
    case 'asset':
      return { kind, value: decodeAsset(bytes) };
    case 'grant':
      return { kind, value: decodeGrant(bytes) };
    case 'component':
      return { kind, value: decodeComponent(bytes) };
    case 'componentVersion':
      return { kind, value: decodeComponentVersion(bytes) };
    case 'review':
      return { kind, value: decodeReview(bytes) };
    case 'report':
      return { kind, value: decodeReport(bytes) };
    case 'usage':
      return { kind, value: decodeUsage(bytes) };
    case 'stake':
      return { kind, value: decodeStake(bytes) };
    case 'application':
      return { kind, value: decodeApplication(bytes) };
    case 'receipt':
      return { kind, value: decodeReceipt(bytes) };
  }
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
