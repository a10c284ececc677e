import { CodecError, Reader, Writer } from '../encoding/codec.ts';
import type { ApplicationState, ApplicationStatus, ReceiptState, StakeState } from './economy-types.ts';
import { ECONOMY_LIMITS, TX_LIMITS } from './limits.ts';

/** Canonical encodings of the economy's state entries (each leaf of the state trie commits to these bytes). */

const ECONOMY_STATE_VERSION = 1;
const L = TX_LIMITS;

function sortedEntries(map: Map<string, bigint>): [string, bigint][] {
  return [...map.entries()].filter(([, v]) => v > 0n).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
}

function writeAmounts(w: Writer, map: Map<string, bigint>): void {
  const entries = sortedEntries(map);
  w.uint(entries.length);
  for (const [did, amount] of entries) w.string(did).big(amount);
}

function readAmounts(r: Reader, max: number): Map<string, bigint> {
  const map = new Map<string, bigint>();
  const n = r.count(max);
  for (let i = 0; i < n; i++) map.set(r.string(L.didBytes), r.big());
  return map;
}

/** A stake that backs no component name keeps the version 1 bytes (so existing state roots stand); one that does writes version 2. */
const STAKE_NAMES_VERSION = 2;

export function encodeStake(s: StakeState): Uint8Array {
  const w = new Writer()
    .u8(s.names === 0 ? ECONOMY_STATE_VERSION : STAKE_NAMES_VERSION)
    .string(s.did)
    .big(s.bonded)
    .uint(s.unbonding.length);
  for (const u of s.unbonding) w.big(u.amount).uint(u.releaseAtMs);
  w.big(s.slashed);
  if (s.names !== 0) w.uint(s.names);
  return w.finish();
}

export function decodeStake(bytes: Uint8Array): StakeState {
  const r = new Reader(bytes);
  const version = r.u8();
  if (version !== ECONOMY_STATE_VERSION && version !== STAKE_NAMES_VERSION) throw new CodecError(`unknown stake encoding ${version}`);
  const did = r.string(L.didBytes);
  const bonded = r.big();
  const unbonding = Array.from({ length: r.count(ECONOMY_LIMITS.unbondingEntriesMax) }, () => ({ amount: r.big(), releaseAtMs: r.uint() }));
  const slashed = r.big();
  const names = version === STAKE_NAMES_VERSION ? r.uint() : 0;
  r.end();
  return { did, bonded, unbonding, slashed, names };
}

export function encodeApplication(a: ApplicationState): Uint8Array {
  const w = new Writer().u8(ECONOMY_STATE_VERSION).string(a.did).string(a.owner).big(a.deposit);
  writeAmounts(w, a.feesOwed);
  writeAmounts(w, a.unpaid);
  return w.uint(a.arrearsSinceMs).uint(a.nextPeriod).uint(a.createdAtHeight).finish();
}

export function decodeApplication(bytes: Uint8Array): ApplicationState {
  const r = new Reader(bytes);
  r.u8();
  const did = r.string(L.didBytes);
  const owner = r.string(L.didBytes);
  const deposit = r.big();
  const feesOwed = readAmounts(r, ECONOMY_LIMITS.feePayeesMax);
  const unpaid = readAmounts(r, ECONOMY_LIMITS.unpaidPayeesMax);
  const a: ApplicationState = {
    did,
    owner,
    deposit,
    feesOwed,
    unpaid,
    arrearsSinceMs: r.uint(),
    nextPeriod: r.uint(),
    createdAtHeight: r.uint(),
  };
  r.end();
  return a;
}

export function encodeReceipt(v: ReceiptState): Uint8Array {
  return new Writer().u8(ECONOMY_STATE_VERSION).string(v.id).string(v.txHash).uint(v.height).finish();
}

export function decodeReceipt(bytes: Uint8Array): ReceiptState {
  const r = new Reader(bytes);
  r.u8();
  const v: ReceiptState = { id: r.string(ECONOMY_LIMITS.receiptIdBytes), txHash: r.string(L.reportIdBytes), height: r.uint() };
  r.end();
  return v;
}

export function cloneApplication(a: ApplicationState): ApplicationState {
  return { ...a, feesOwed: new Map(a.feesOwed), unpaid: new Map(a.unpaid) };
}

/** The stake of an account that has never staked. */
export function emptyStake(did: string): StakeState {
  return { did, bonded: 0n, unbonding: [], slashed: 0n, names: 0 };
}

export function cloneStake(s: StakeState): StakeState {
  return { ...s, unbonding: s.unbonding.map((u) => ({ ...u })) };
}

/** Everything an application owes: settled payouts not yet paid plus fees not yet settled. */
export function applicationOwes(a: ApplicationState): bigint {
  let sum = 0n;
  for (const v of a.unpaid.values()) sum += v;
  for (const v of a.feesOwed.values()) sum += v;
  return sum;
}

/** Active (nothing unpaid), in grace (unpaid, within graceMs of falling behind) or suspended. */
export function applicationStatus(a: ApplicationState, timeMs: number, graceMs: number): ApplicationStatus {
  if (a.unpaid.size === 0) return 'active';
  return timeMs < a.arrearsSinceMs + graceMs ? 'grace' : 'suspended';
}

/** The bonded stake an account owning `names` component names needs under the chain's publishStake. */
export function nameBondRequired(names: number, publishStake: bigint): bigint {
  return BigInt(names) * publishStake;
}

/** Bonded plus unbonding: what slashing can take. */
export function stakeTotal(s: StakeState): bigint {
  return s.unbonding.reduce((sum, u) => sum + u.amount, s.bonded);
}
