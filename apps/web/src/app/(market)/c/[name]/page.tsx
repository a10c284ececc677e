import { Badge, shortenDid } from '@arc/ui';
import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { connection } from 'next/server';
import type { ReactNode } from 'react';
import { env } from '../../../../env.ts';
import { nodeApi, orNotFound } from '../../../../explorer/node-api.ts';
import {
  ChainsAndCapabilities,
  Permissions,
  RankExplanation,
  RatingDistribution,
  RevenueSplit,
  Section,
  Versions,
} from '../../../../market/component-sections.tsx';
import { formatCount, formatDate, formatPrice, kindLabels, kindTones } from '../../../../market/format.ts';
import { InstallDialog } from '../../../../market/install-dialog.tsx';
import { Markdown } from '../../../../market/markdown.ts';
import { developerHref, searchHref } from '../../../../market/query.ts';
import { ReviewForm } from '../../../../market/review-form.tsx';
import { ReportDialog, Reviews, reviewsPageSize } from '../../../../market/reviews.tsx';
import { Stars, VerifiedMark } from '../../../../market/stars.tsx';
import { UsageChart } from '../../../../market/usage-chart.tsx';

interface Props {
  params: Promise<{ name: string }>;
}

const namePattern = /^[a-z][a-z0-9-]{0,62}[a-z0-9]$/;

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { name } = await params;
  return { title: `${decodeURIComponent(name)} · Marketplace` };
}

const toc = [
  ['readme', 'README'],
  ['versions', 'Versions'],
  ['permissions', 'Permissions'],
  ['chains', 'Chains'],
  ['usage', 'Usage'],
  ['reviews', 'Reviews'],
  ['rank', 'Why this rank'],
] as const;

/** A component's page, server-rendered whole: what it is, what it may do, who uses it and what they think, and its rank. */
export default async function ComponentPage({ params }: Props) {
  await connection();
  const name = decodeURIComponent((await params).name);
  if (!namePattern.test(name)) notFound();
  const api = nodeApi();
  const [c, reviews] = await Promise.all([
    orNotFound(api.market.component.query({ name })),
    api.market.reviews.query({ name, limit: reviewsPageSize }),
  ]);
  const latest = c.versions.find((v) => v.status === 'active') ?? c.versions[0];

  return (
    <main className="mx-auto w-full max-w-6xl space-y-5 px-4 py-6 sm:px-6 sm:py-8">
      <nav aria-label="Breadcrumb" className="text-sm text-slate-600 dark:text-slate-400">
        <Link href="/" className="hover:underline">
          Marketplace
        </Link>{' '}
        /{' '}
        <Link href={searchHref({ kind: c.kind })} className="hover:underline">
          {kindLabels[c.kind].many}
        </Link>{' '}
        / <span className="text-slate-900 dark:text-slate-200">{c.name}</span>
      </nav>

      <header className="rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200 sm:p-6 dark:bg-slate-900 dark:ring-slate-800">
        <div className="flex flex-col gap-4 md:flex-row md:items-start md:justify-between">
          <div className="min-w-0 space-y-2">
            <div className="flex flex-wrap items-center gap-2">
              <h1 className="text-2xl font-bold tracking-tight break-all text-slate-900 dark:text-white">{c.name}</h1>
              <Badge tone={kindTones[c.kind]}>{kindLabels[c.kind].one}</Badge>
              <span className="font-mono text-sm text-slate-600 dark:text-slate-400">v{c.latestVersion}</span>
              {c.deprecated ? <Badge tone="amber">deprecated</Badge> : null}
            </div>
            <p className="max-w-3xl text-sm text-slate-700 dark:text-slate-300">{c.description}</p>
            <p className="flex flex-wrap items-center gap-1.5 text-sm text-slate-600 dark:text-slate-400">
              by{' '}
              <Link
                href={developerHref(c.author.did)}
                className="font-medium text-indigo-600 underline underline-offset-2 dark:text-indigo-400"
              >
                {c.author.moniker || shortenDid(c.author.did)}
              </Link>
              {c.author.verifiedPublisher ? <VerifiedMark /> : null}
              {c.author.stake.serviceLevel === 'none' ? null : (
                <span
                  data-testid="service-level"
                  title="Bonded ABT the publisher puts at risk: slashing takes it if the service misbehaves"
                >
                  <Badge tone="violet">
                    {c.author.stake.serviceLevel === 'mission-critical' ? 'Mission-critical: 1,000+ ABT staked' : 'Staked: 100+ ABT'}
                  </Badge>
                </span>
              )}
              <span>
                · reputation {Math.round(c.author.reputation * 100)}/100 · {c.author.components} component
                {c.author.components === 1 ? '' : 's'}
              </span>
            </p>
          </div>
          <div className="flex shrink-0 flex-col gap-2 md:items-end">
            {c.installable && latest ? (
              <InstallDialog name={c.name} kind={c.kind} version={latest.version} nodeUrl={env.NODE_PUBLIC_URL} />
            ) : null}
            <ReportDialog name={c.name} reviewer="" label={`Report ${c.name}`} />
          </div>
        </div>
        <dl className="mt-4 grid grid-cols-2 gap-3 border-t border-slate-100 pt-4 text-sm sm:grid-cols-3 lg:grid-cols-6 dark:border-slate-800">
          <Fact label="Price" value={formatPrice(c.price)} />
          <Fact label="Rating" value={<Stars average={c.ratingAverage} count={c.ratingCount} />} />
          <Fact label="Installs" value={formatCount(c.installs)} />
          <Fact label="Calls, 30 days" value={formatCount(c.calls30d)} />
          <Fact label="Rank" value={`#${c.rank.position} of ${c.rank.of}`} />
          <Fact label="Updated" value={formatDate(c.updatedAtMs)} />
        </dl>
        {c.categories.length > 0 ? (
          <ul aria-label="Categories" className="mt-3 flex flex-wrap gap-1.5">
            {c.categories.map((category) => (
              <li key={category}>
                <Link
                  href={searchHref({ category })}
                  className="rounded-full bg-slate-100 px-2.5 py-0.5 text-xs text-slate-700 hover:bg-indigo-50 dark:bg-slate-800 dark:text-slate-300"
                >
                  {category}
                </Link>
              </li>
            ))}
          </ul>
        ) : null}
      </header>

      <nav aria-label="On this page" className="-mx-4 overflow-x-auto px-4 sm:mx-0 sm:px-0">
        <ul className="flex min-w-max gap-1 text-sm">
          {toc.map(([id, label]) => (
            <li key={id}>
              <a
                href={`#${id}`}
                className="inline-block rounded-md px-2.5 py-1 text-slate-700 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800"
              >
                {label}
              </a>
            </li>
          ))}
        </ul>
      </nav>

      <div className="grid gap-5 lg:grid-cols-[minmax(0,1fr)_20rem]">
        <div className="min-w-0 space-y-5">
          <Section id="readme" title="README">
            {c.readme === null ? (
              <p className="text-sm text-slate-600 dark:text-slate-400">
                This node does not hold the README's text (hash {c.readmeHash.slice(0, 16)}…).
              </p>
            ) : (
              <Markdown text={c.readme} nodeOrigin={env.NODE_PUBLIC_URL} />
            )}
          </Section>
          <Section id="usage" title="Usage over 30 days">
            <UsageChart days={c.usage30d} />
          </Section>
          <Section id="reviews" title="Reviews">
            <div className="space-y-6">
              <div className="rounded-lg bg-slate-50 p-3 ring-1 ring-slate-200 dark:bg-slate-800/50 dark:ring-slate-700">
                <h3 className="mb-2 text-sm font-semibold text-slate-900 dark:text-white">Your review</h3>
                <ReviewForm name={c.name} />
              </div>
              <Reviews name={c.name} owner={c.owner} initial={reviews} />
            </div>
          </Section>
          <Section id="versions" title="Versions">
            <Versions versions={c.versions} />
          </Section>
        </div>
        <div className="min-w-0 space-y-5">
          <Section id="rank" title="Why this rank">
            <RankExplanation rank={c.rank} />
          </Section>
          <Section id="ratings" title="Ratings">
            <div className="mb-3">
              <Stars average={c.ratingAverage} count={c.ratingCount} size="lg" />
            </div>
            <RatingDistribution counts={c.ratingDistribution} />
          </Section>
          <Section id="permissions" title="Permissions">
            <Permissions permissions={c.permissions} />
          </Section>
          <Section id="chains" title="Chains and capabilities">
            <ChainsAndCapabilities component={c} />
          </Section>
          <Section id="revenue" title="Revenue split">
            <RevenueSplit beneficiaries={c.beneficiaries} />
          </Section>
        </div>
      </div>
    </main>
  );
}

function Fact({ label, value }: { label: string; value: ReactNode }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs text-slate-500 dark:text-slate-400">{label}</dt>
      <dd className="mt-0.5 truncate font-medium text-slate-900 dark:text-slate-100">{value}</dd>
    </div>
  );
}
