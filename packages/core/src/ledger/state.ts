import { utf8 } from '../bytes.ts';
import { sha3 } from '../crypto/provider.ts';
import { Reader, Writer } from '../encoding/codec.ts';
import { TX_LIMITS } from './limits.ts';
import type { AccountState, AssetState, GrantState, TokenState } from './types.ts';

/**
 * Ledger state as typed entries. Each entry has a key (what it is named in the state trie) and a
 * canonical encoding (what its leaf commits to and what the node stores).
 */
export type StateEntry =
  | { kind: 'account'; value: AccountState }
  | { kind: 'token'; value: TokenState }
  | { kind: 'asset'; value: AssetState }
  | { kind: 'grant'; value: GrantState };

export type StateKind = StateEntry['kind'];

/** A change to one entry; `value: null` removes it (a revoked grant). */
export type StateWrite = StateEntry | { kind: StateKind; key: string; value: null };

/** What the state machine reads. The node backs it with rows prefetched from the database. */
export interface StateView {
  account(did: string): AccountState | undefined;
  token(address: string): TokenState | undefined;
  asset(address: string): AssetState | undefined;
  grant(payer: string, grantee: string): GrantState | undefined;
}

/** The name of an entry in the state trie. */
export function stateKey(kind: StateKind, id: string): string {
  return `${kind}:${id}`;
}

/** The id part of a grant's key. */
export function grantId(payer: string, grantee: string): string {
  return `${payer}/${grantee}`;
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

export function encodeToken(t: TokenState): Uint8Array {
  return new Writer()
    .u8(STATE_VERSION)
    .string(t.address)
    .string(t.symbol)
    .string(t.name)
    .u8(t.decimals)
    .big(t.totalSupply)
    .string(t.owner)
    .uint(t.createdAtHeight)
    .finish();
}

export function decodeToken(bytes: Uint8Array): TokenState {
  const r = new Reader(bytes);
  r.u8();
  const t: TokenState = {
    address: r.string(L.didBytes),
    symbol: r.string(L.symbolBytes),
    name: r.string(L.tokenNameBytes),
    decimals: r.u8(),
    totalSupply: r.big(),
    owner: r.string(L.didBytes),
    createdAtHeight: r.uint(),
  };
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
