/**
 * The canonical byte encoding of every kind of state entry: what a trie leaf commits to (its hash), what the node
 * stores in its state tables, and what a snapshot carries. Decoding refuses anything but the canonical bytes' shape.
 */
import { CodecError, Reader, Writer } from '../encoding/codec.ts';
import { decodeApplication, decodeReceipt, decodeStake, encodeApplication, encodeReceipt, encodeStake } from './economy-state.ts';
import { TOKEN_POLICIES, TX_LIMITS } from './limits.ts';
import {
  decodeComponent,
  decodeComponentVersion,
  decodeReport,
  decodeReview,
  decodeUsage,
  encodeComponent,
  encodeComponentVersion,
  encodeReport,
  encodeReview,
  encodeUsage,
} from './market-state-codec.ts';
import type { StateEntry, StateKind } from './state.ts';

export * from './market-state-codec.ts';

import type { AccountState, AssetState, GrantState, TokenState } from './types.ts';

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
