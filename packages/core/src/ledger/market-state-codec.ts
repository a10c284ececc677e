/**
 * The canonical byte encoding of the marketplace's state entries: components, their versions, reviews, reports and
 * usage (state-codec.ts encodes the rest and dispatches on the kind).
 */
import { CodecError, Reader, Writer } from '../encoding/codec.ts';
import { COMPONENT_KINDS, PRICE_MODELS, TX_LIMITS } from './limits.ts';
import type { ComponentState, ComponentVersionState, ReportState, ReviewState, UsageState } from './types.ts';

const STATE_VERSION = 1;
const L = TX_LIMITS;

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
