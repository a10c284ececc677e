import type { CheckedTx } from './check.ts';
import { type LedgerError, ledgerError } from './errors.ts';
import { bondOneMoreName, releaseOneName } from './name-bond.ts';
import { compareSemver } from './semver.ts';
import type { Overlay } from './state.ts';
import type {
  BlockContext,
  ComponentKind,
  ComponentState,
  DeprecateVersionTx,
  PublishComponentTx,
  RecordUsageTx,
  ReportAbuseTx,
  ResolveReportTx,
  ReviewComponentTx,
  UsageRecord,
} from './types.ts';

/** What a committed marketplace transaction did (the market service indexes from these). */
export type MarketEvent =
  | { type: 'componentPublished'; name: string; version: string; kind: ComponentKind; owner: string; firstVersion: boolean; stake: bigint }
  | { type: 'componentTransferred'; name: string; from: string; to: string }
  | { type: 'versionDeprecated'; name: string; version: string; yanked: boolean; reason: string }
  | { type: 'reviewed'; name: string; reviewer: string; stars: number; revision: number }
  | { type: 'reviewReplied'; name: string; reviewer: string }
  | { type: 'abuseReported'; id: string; name: string; reviewer: string; reporter: string }
  | { type: 'reportResolved'; id: string; name: string; reviewer: string; upheld: boolean; resolver: string }
  | { type: 'usageRecorded'; period: number; records: UsageRecord[] };

type MarketItx = Extract<
  CheckedTx['tx']['itx'],
  {
    type:
      | 'publishComponent'
      | 'transferComponent'
      | 'deprecateVersion'
      | 'reviewComponent'
      | 'replyReview'
      | 'reportAbuse'
      | 'resolveReport'
      | 'recordUsage';
  }
>;

/** Applies one marketplace transaction (its fee is charged already); the state machine of issue 19. */
export function applyMarketItx(
  s: Overlay,
  itx: MarketItx,
  checked: CheckedTx,
  ctx: BlockContext,
  events: MarketEvent[],
  accounts: Set<string>,
): LedgerError | null {
  const from = checked.tx.from;
  switch (itx.type) {
    case 'publishComponent':
      return publish(s, itx, from, ctx, events);
    case 'transferComponent': {
      const component = owned(s, itx.name, from);
      if (!isComponent(component)) return component;
      if (itx.to === from) return ledgerError('INVALID_TX', `${from} owns ${itx.name} already; transfer it to another account`);
      // A name published under the old rule is backed by its own locked stake; a newer one by its owner's bond.
      if (component.stake === 0n) {
        const doing = `receiving ${itx.name}`;
        const bonded = bondOneMoreName(s, itx.to, ctx.params.economy.publishStake, doing, `${itx.to} has`);
        if (bonded) return bonded;
        releaseOneName(s, from);
      }
      s.put({ kind: 'component', value: { ...component, owner: itx.to, updatedAtHeight: ctx.height } });
      events.push({ type: 'componentTransferred', name: itx.name, from, to: itx.to });
      accounts.add(itx.to);
      return null;
    }
    case 'deprecateVersion':
      return deprecate(s, itx, from, ctx, events);
    case 'reviewComponent':
      return review(s, itx, from, ctx, events);
    case 'replyReview': {
      const component = owned(s, itx.name, from);
      if (!isComponent(component)) return component;
      const existing = s.review(itx.name, itx.reviewer);
      if (!existing) return ledgerError('REVIEW_NOT_FOUND', `${itx.reviewer} has not reviewed ${itx.name}`);
      if (existing.reply) return ledgerError('REPLY_EXISTS', `you have replied to ${itx.reviewer}'s review of ${itx.name} already`);
      s.put({ kind: 'review', value: { ...existing, reply: { textHash: itx.textHash, atHeight: ctx.height } } });
      events.push({ type: 'reviewReplied', name: itx.name, reviewer: itx.reviewer });
      accounts.add(itx.reviewer);
      return null;
    }
    case 'reportAbuse':
      return report(s, itx, from, checked.hashHex, ctx, events);
    case 'resolveReport':
      return resolve(s, itx, from, ctx, events);
    case 'recordUsage':
      return recordUsage(s, itx, from, ctx, events);
  }
}

function isComponent(value: ComponentState | LedgerError): value is ComponentState {
  return !(value instanceof Error);
}

function existingComponent(s: Overlay, name: string): ComponentState | LedgerError {
  return s.component(name) ?? ledgerError('UNKNOWN_COMPONENT', `no component is named ${name}`);
}

function owned(s: Overlay, name: string, from: string): ComponentState | LedgerError {
  const component = existingComponent(s, name);
  if (!isComponent(component)) return component;
  if (component.owner !== from)
    return ledgerError('NOT_COMPONENT_OWNER', `${name} belongs to ${component.owner}; only its owner may do this`);
  return component;
}

function publish(s: Overlay, itx: PublishComponentTx, from: string, ctx: BlockContext, events: MarketEvent[]): LedgerError | null {
  const existing = s.component(itx.name);
  if (existing && existing.owner !== from) {
    return ledgerError('COMPONENT_NAME_TAKEN', `the name ${itx.name} belongs to ${existing.owner}; publish under another name`);
  }
  if (existing && existing.kind !== itx.kind) {
    return ledgerError(
      'INVALID_TX',
      `${itx.name} is a component of kind ${existing.kind}; a later version cannot change it to ${itx.kind}`,
    );
  }
  if (s.componentVersion(itx.name, itx.version)) {
    return ledgerError(
      'VERSION_EXISTS',
      `${itx.name}@${itx.version} is published and versions are immutable; publish ${nextPatch(itx.version)}`,
    );
  }
  const h = ctx.height;
  let component: ComponentState;
  if (existing) {
    const latest = compareSemver(itx.version, existing.latestVersion) > 0 ? itx.version : existing.latestVersion;
    component = { ...existing, latestVersion: latest, versionCount: existing.versionCount + 1, updatedAtHeight: h };
  } else {
    const bonded = bondOneMoreName(s, from, ctx.params.economy.publishStake, 'publishing a new name', 'you have');
    if (bonded) return bonded;
    component = {
      name: itx.name,
      kind: itx.kind,
      owner: from,
      publisher: from,
      stake: 0n,
      latestVersion: itx.version,
      versionCount: 1,
      createdAtHeight: h,
      updatedAtHeight: h,
    };
  }
  s.put({ kind: 'component', value: component });
  const { type: _type, ...fields } = itx;
  s.put({
    kind: 'componentVersion',
    value: { ...fields, publishedBy: from, publishedAtHeight: h, status: 'active', statusReason: '' },
  });
  events.push({
    type: 'componentPublished',
    name: itx.name,
    version: itx.version,
    kind: component.kind,
    owner: component.owner,
    firstVersion: !existing,
    stake: component.stake,
  });
  return null;
}

/** The version after `version` by patch, for the sentence that says what to publish instead. */
function nextPatch(version: string): string {
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (!m) return 'a higher version';
  return `${m[1]}.${m[2]}.${(BigInt(m[3] as string) + 1n).toString()}`;
}

function deprecate(s: Overlay, itx: DeprecateVersionTx, from: string, ctx: BlockContext, events: MarketEvent[]): LedgerError | null {
  const component = owned(s, itx.name, from);
  if (!isComponent(component)) return component;
  const version = s.componentVersion(itx.name, itx.version);
  if (!version) return ledgerError('UNKNOWN_VERSION', `${itx.name} has no version ${itx.version}`);
  if (version.status === 'yanked') {
    return ledgerError('VERSION_YANKED', `${itx.name}@${itx.version} is yanked, which is final; publish a new version instead`);
  }
  s.put({ kind: 'componentVersion', value: { ...version, status: itx.yank ? 'yanked' : 'deprecated', statusReason: itx.reason } });
  s.put({ kind: 'component', value: { ...component, updatedAtHeight: ctx.height } });
  events.push({ type: 'versionDeprecated', name: itx.name, version: itx.version, yanked: itx.yank, reason: itx.reason });
  return null;
}

function review(s: Overlay, itx: ReviewComponentTx, from: string, ctx: BlockContext, events: MarketEvent[]): LedgerError | null {
  const component = existingComponent(s, itx.name);
  if (!isComponent(component)) return component;
  if (component.owner === from) return ledgerError('INVALID_TX', 'you cannot review your own component');
  const use = s.usage(itx.name, from);
  if (!use || (use.calls === 0 && use.paid === 0n)) {
    return ledgerError(
      'USE_NOT_VERIFIED',
      `only an account that has used ${itx.name} may review it: install it into one of your applications and call it, or pay for it`,
    );
  }
  const existing = s.review(itx.name, from);
  if (existing && !itx.edit) {
    return ledgerError('REVIEW_EXISTS', `you have reviewed ${itx.name}; send it again with edit to change it`);
  }
  if (!existing && itx.edit) {
    return ledgerError('REVIEW_NOT_FOUND', `you have not reviewed ${itx.name} yet; send the first review without edit`);
  }
  const h = ctx.height;
  const value = existing
    ? { ...existing, stars: itx.stars, textHash: itx.textHash, revision: existing.revision + 1, updatedAtHeight: h }
    : {
        component: itx.name,
        reviewer: from,
        stars: itx.stars,
        textHash: itx.textHash,
        revision: 1,
        createdAtHeight: h,
        updatedAtHeight: h,
        reply: null,
        hidden: false,
      };
  s.put({ kind: 'review', value });
  events.push({ type: 'reviewed', name: itx.name, reviewer: from, stars: itx.stars, revision: value.revision });
  return null;
}

function report(s: Overlay, itx: ReportAbuseTx, from: string, id: string, ctx: BlockContext, events: MarketEvent[]): LedgerError | null {
  const component = existingComponent(s, itx.name);
  if (!isComponent(component)) return component;
  if (itx.reviewer !== '' && !s.review(itx.name, itx.reviewer)) {
    return ledgerError('REVIEW_NOT_FOUND', `${itx.reviewer} has not reviewed ${itx.name}; report the component with an empty reviewer`);
  }
  s.put({
    kind: 'report',
    value: {
      id,
      reporter: from,
      component: itx.name,
      reviewer: itx.reviewer,
      reason: itx.reason,
      status: 'open',
      resolver: '',
      note: '',
      createdAtHeight: ctx.height,
      resolvedAtHeight: 0,
    },
  });
  events.push({ type: 'abuseReported', id, name: itx.name, reviewer: itx.reviewer, reporter: from });
  return null;
}

function resolve(s: Overlay, itx: ResolveReportTx, from: string, ctx: BlockContext, events: MarketEvent[]): LedgerError | null {
  if (!ctx.params.market.moderators.includes(from)) {
    return ledgerError('NOT_MODERATOR', `${from} is not a market moderator of this chain; only a moderator may resolve reports`);
  }
  const existing = s.report(itx.report);
  if (!existing) return ledgerError('REPORT_NOT_FOUND', `no abuse report has id ${itx.report}`);
  if (existing.status !== 'open') return ledgerError('REPORT_RESOLVED', `report ${itx.report} was ${existing.status} already`);
  s.put({
    kind: 'report',
    value: { ...existing, status: itx.upheld ? 'upheld' : 'dismissed', resolver: from, note: itx.note, resolvedAtHeight: ctx.height },
  });
  if (itx.upheld && existing.reviewer !== '') {
    const reported = s.review(existing.component, existing.reviewer);
    if (reported) s.put({ kind: 'review', value: { ...reported, hidden: true, updatedAtHeight: ctx.height } });
  }
  events.push({
    type: 'reportResolved',
    id: itx.report,
    name: existing.component,
    reviewer: existing.reviewer,
    upheld: itx.upheld,
    resolver: from,
  });
  return null;
}

function recordUsage(s: Overlay, itx: RecordUsageTx, from: string, ctx: BlockContext, events: MarketEvent[]): LedgerError | null {
  if (!ctx.params.market.usageReporters.includes(from)) {
    return ledgerError('NOT_USAGE_REPORTER', `${from} is not a usage reporter of this chain; only the metering nodes may record usage`);
  }
  for (const r of itx.records) {
    if (!s.component(r.component)) return ledgerError('UNKNOWN_COMPONENT', `no component is named ${r.component}`);
    const before = s.usage(r.component, r.account);
    const installs = (before?.installs ?? 0) + r.installs;
    const calls = (before?.calls ?? 0) + r.calls;
    if (!Number.isSafeInteger(installs) || !Number.isSafeInteger(calls)) {
      return ledgerError('INVALID_TX', `the usage of ${r.component} by ${r.account} would pass 2^53; record smaller counts`);
    }
    s.put({
      kind: 'usage',
      value: {
        component: r.component,
        account: r.account,
        installs,
        calls,
        paid: (before?.paid ?? 0n) + r.paid,
        firstPeriod: before ? Math.min(before.firstPeriod, itx.period) : itx.period,
        lastPeriod: before ? Math.max(before.lastPeriod, itx.period) : itx.period,
      },
    });
  }
  events.push({ type: 'usageRecorded', period: itx.period, records: itx.records });
  return null;
}
