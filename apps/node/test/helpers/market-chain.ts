import {
  decodeAccount,
  decodeComponent,
  decodeComponentVersion,
  decodeReport,
  decodeReview,
  decodeStake,
  decodeTx,
  decodeUsage,
} from '@arc/core';
import type { Database } from '../../src/db/client.ts';
import { dayOf } from '../../src/market/indexer.ts';
import { type RankReview, type RankUsage, REVIEWER_FUNDED_MIN } from '../../src/market/rank.ts';
import type { RankInputs } from '../../src/market/recompute.ts';

/**
 * The rank's inputs read from the chain alone, without the market's read model: the ledger's state entries
 * (components, versions, reviews, reports, per-account usage, accounts), block times, and the recordUsage
 * transactions for the 30-day usage. What the market index builds must give the same ranks.
 */
export async function rankInputsFromChain(db: Database, nowMs: number): Promise<RankInputs> {
  const rows = async (table: string) => (await db.query<{ value: Uint8Array }>(`SELECT value FROM ${table}`)).map((r) => r.value);
  const components = (await rows('components')).map(decodeComponent);
  const versions = (await rows('component_versions')).map(decodeComponentVersion);
  const reviews = (await rows('reviews')).map(decodeReview);
  const reports = (await rows('abuse_reports')).map(decodeReport);
  const usage = (await rows('component_usage')).map(decodeUsage);
  const accounts = new Map((await rows('accounts')).map(decodeAccount).map((a) => [a.did, a]));
  const bonded = new Map((await rows('stakes')).map(decodeStake).map((s) => [s.did, s.bonded]));
  const times = new Map(
    (await db.query<{ height: number; time_ms: number }>('SELECT height::float8 AS height, time_ms::float8 AS time_ms FROM blocks')).map(
      (b) => [b.height, b.time_ms],
    ),
  );
  const msAt = (height: number) => times.get(height) ?? 0;
  const useOf = new Map(usage.map((u) => [`${u.component}\u0000${u.account}`, u]));

  // Usage by (component, application, day) over the last 30 days, from the recordUsage transactions themselves.
  const since = dayOf(nowMs) - 29;
  const daily = new Map<string, { component: string; application: string; calls: number; paid: bigint }>();
  const usageTxs = await db.query<{ bytes: Uint8Array }>(`SELECT bytes FROM txs WHERE type = 'recordUsage' ORDER BY height, idx`);
  for (const { bytes } of usageTxs) {
    const itx = decodeTx(bytes).itx;
    if (itx.type !== 'recordUsage' || itx.period < since) continue;
    for (const r of itx.records) {
      const key = `${r.component}\u0000${r.application}\u0000${itx.period}`;
      const row = daily.get(key) ?? { component: r.component, application: r.application, calls: 0, paid: 0n };
      row.calls += r.calls;
      row.paid += r.paid;
      daily.set(key, row);
    }
  }
  const usageByComponent = new Map<string, RankUsage & { apps: Set<string>; paying: Set<string> }>();
  for (const row of daily.values()) {
    const u = usageByComponent.get(row.component) ?? {
      calls30d: 0,
      paidCalls30d: 0,
      applications: 0,
      payingApplications: 0,
      installs: 0,
      apps: new Set<string>(),
      paying: new Set<string>(),
    };
    u.calls30d += row.calls;
    u.apps.add(row.application);
    if (row.paid > 0n) {
      u.paidCalls30d += row.calls;
      u.paying.add(row.application);
    }
    usageByComponent.set(row.component, u);
  }
  const usageOut = new Map<string, RankUsage>();
  for (const [name, { apps, paying, ...u }] of usageByComponent) {
    usageOut.set(name, { ...u, applications: apps.size, payingApplications: paying.size });
  }

  const reviewsOut = new Map<string, RankReview[]>();
  for (const r of reviews) {
    const use = useOf.get(`${r.component}\u0000${r.reviewer}`);
    const list = reviewsOut.get(r.component) ?? [];
    list.push({
      stars: r.stars,
      hidden: r.hidden,
      reviewerCalls: use?.calls ?? 0,
      reviewerPaid: use?.paid ?? 0n,
      reviewerFunded: (accounts.get(r.reviewer)?.balance ?? 0n) >= REVIEWER_FUNDED_MIN,
    });
    reviewsOut.set(r.component, list);
  }

  return {
    components: components.map((c) => {
      const own = versions.filter((v) => v.name === c.name);
      const latest = own.find((v) => v.version === c.latestVersion);
      return {
        name: c.name,
        owner: c.owner,
        updatedAtMs: msAt(latest?.publishedAtHeight ?? c.updatedAtHeight),
        publishedAtMs: Math.min(...own.map((v) => msAt(v.publishedAtHeight))),
        installs: usage.filter((u) => u.component === c.name).reduce((sum, u) => sum + u.installs, 0),
        upheldReports: reports.filter((r) => r.component === c.name && r.reviewer === '' && r.status === 'upheld').length,
        stake: c.stake.toString(),
      };
    }),
    reviews: reviewsOut,
    usage: usageOut,
    bonded,
  };
}
