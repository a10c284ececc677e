import { Badge, CopyButton, shortenDid } from '@arc/ui';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { formatDate } from './format.ts';
import { developerHref } from './query.ts';
import type { ComponentDetail } from './types.ts';

/** A titled block of the component page, with an anchor for the page's table of contents. */
export function Section({ id, title, children, aside }: { id: string; title: string; children: ReactNode; aside?: ReactNode }) {
  return (
    <section
      id={id}
      aria-labelledby={`${id}-title`}
      className="scroll-mt-20 rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200 sm:p-5 dark:bg-slate-900 dark:ring-slate-800"
    >
      <div className="mb-3 flex flex-wrap items-baseline justify-between gap-2">
        <h2 id={`${id}-title`} className="text-base font-semibold text-slate-900 dark:text-white">
          {title}
        </h2>
        {aside}
      </div>
      {children}
    </section>
  );
}

const statusTone = { active: 'emerald', deprecated: 'amber', yanked: 'red' } as const;

/** Every version, newest first, with its notes and, when deprecated or yanked, why. */
export function Versions({ versions }: { versions: ComponentDetail['versions'] }) {
  if (versions.length === 0) return <p className="text-sm text-slate-600 dark:text-slate-400">No version is published.</p>;
  return (
    <ol className="divide-y divide-slate-100 dark:divide-slate-800">
      {versions.map((v) => (
        <li key={v.version} className="py-3 first:pt-0 last:pb-0">
          <div className="flex flex-wrap items-center gap-2">
            <span className="font-mono text-sm font-semibold text-slate-900 dark:text-slate-100">v{v.version}</span>
            <Badge tone={statusTone[v.status]}>{v.status}</Badge>
            <span className="text-xs text-slate-500 dark:text-slate-400">
              {formatDate(v.publishedAtMs)} ·{' '}
              <Link href={`/explorer/tx/${v.txHash}`} className="underline underline-offset-2">
                block #{v.height.toLocaleString('en-US')}
              </Link>
            </span>
          </div>
          {v.status !== 'active' && v.statusReason ? (
            <p className="mt-1 text-sm text-amber-800 dark:text-amber-300">
              {v.status === 'yanked' ? 'Yanked' : 'Deprecated'}: {v.statusReason}
            </p>
          ) : null}
          <p className="mt-1 text-sm whitespace-pre-line text-slate-700 dark:text-slate-300">{v.releaseNotes || 'No release notes.'}</p>
        </li>
      ))}
    </ol>
  );
}

const riskTone = { low: 'emerald', medium: 'amber', high: 'red' } as const;

/** What the manifest asks for, in plain words, riskiest first. */
export function Permissions({ permissions }: { permissions: ComponentDetail['permissions'] }) {
  if (permissions.length === 0)
    return (
      <p className="text-sm text-slate-600 dark:text-slate-400">It asks for no permissions: it cannot send tokens, fetch or publish.</p>
    );
  const order = { high: 0, medium: 1, low: 2 };
  return (
    <ul className="space-y-2">
      {[...permissions]
        .sort((a, b) => order[a.risk] - order[b.risk])
        .map((p) => (
          <li key={p.capability} className="flex items-start gap-2 text-sm">
            <Badge tone={riskTone[p.risk]}>{p.risk} risk</Badge>
            <span className="min-w-0">
              <span className="text-slate-800 dark:text-slate-200">{p.words}</span>{' '}
              <code className="font-mono text-xs break-all text-slate-500 dark:text-slate-400">{p.capability}</code>
            </span>
          </li>
        ))}
    </ul>
  );
}

/** Chains it supports, and for an adapter the conformance suite's results and its configuration snippet. */
export function ChainsAndCapabilities({ component }: { component: ComponentDetail }) {
  const c = component.conformance;
  return (
    <div className="space-y-4 text-sm">
      <p className="text-slate-700 dark:text-slate-300">
        {component.chains.length > 0 ? (
          <>
            Chains:{' '}
            {component.chains.map((chain) => (
              <span key={chain} className="mr-1">
                <Badge tone="sky">{chain}</Badge>
              </span>
            ))}
          </>
        ) : (
          'Works with any chain the node reaches (no chain named).'
        )}
      </p>
      {c ? (
        <div className="space-y-2">
          <p className="text-slate-700 dark:text-slate-300">
            Conformance suite on <strong>{c.chain}</strong>: {c.passed} passed, {c.failed} failed, {c.skipped} skipped (
            {formatDate(c.checkedAtMs)}).
          </p>
          <div className="overflow-x-auto">
            <table className="min-w-full text-left text-sm">
              <caption className="sr-only">Capabilities the conformance suite checked</caption>
              <thead>
                <tr className="border-b border-slate-200 text-xs text-slate-500 dark:border-slate-800 dark:text-slate-400">
                  <th scope="col" className="py-1.5 pr-4 font-medium">
                    Capability
                  </th>
                  <th scope="col" className="py-1.5 font-medium">
                    Result
                  </th>
                </tr>
              </thead>
              <tbody>
                {Object.entries(c.capabilities).map(([capability, ok]) => (
                  <tr key={capability} className="border-b border-slate-100 last:border-0 dark:border-slate-800">
                    <td className="py-1.5 pr-4 font-mono text-xs">{capability}</td>
                    <td className="py-1.5">{ok ? <Badge tone="emerald">passed</Badge> : <Badge tone="red">failed</Badge>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      ) : null}
      {component.configSnippet ? (
        <div>
          <div className="mb-1 flex items-center justify-between">
            <p className="font-medium text-slate-800 dark:text-slate-200">Node configuration</p>
            <CopyButton value={component.configSnippet} label="Copy configuration" />
          </div>
          {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard (axe scrollable-region-focusable) */}
          <pre tabIndex={0} className="overflow-x-auto rounded-lg bg-slate-900 p-3 text-xs text-slate-100 dark:bg-black/40">
            {component.configSnippet}
          </pre>
        </div>
      ) : null}
    </div>
  );
}

/** How many verified reviews gave each number of stars, five first, as bars. */
export function RatingDistribution({ counts }: { counts: number[] }) {
  const total = counts.reduce((s, n) => s + n, 0);
  return (
    <ul className="space-y-1.5" aria-label="Rating distribution">
      {[5, 4, 3, 2, 1].map((stars) => {
        const n = counts[stars - 1] ?? 0;
        const pct = total === 0 ? 0 : Math.round((n / total) * 100);
        return (
          <li key={stars} className="flex items-center gap-2 text-xs text-slate-700 dark:text-slate-300">
            <span className="w-12 shrink-0">
              {stars} star{stars === 1 ? '' : 's'}
            </span>
            <span className="h-2 flex-1 overflow-hidden rounded-full bg-slate-100 dark:bg-slate-800" aria-hidden="true">
              <span className="block h-full rounded-full bg-amber-500" style={{ width: `${pct}%` }} />
            </span>
            <span className="w-16 shrink-0 text-right">
              {n} <span className="text-slate-500 dark:text-slate-400">({pct}%)</span>
            </span>
          </li>
        );
      })}
    </ul>
  );
}

/** Who is paid when the component is paid for, and their shares. */
export function RevenueSplit({ beneficiaries }: { beneficiaries: ComponentDetail['beneficiaries'] }) {
  return (
    <ul className="space-y-2 text-sm">
      {beneficiaries.map((b) => (
        <li key={b.did} className="flex items-center gap-3">
          <span className="w-14 shrink-0 text-right font-semibold text-slate-900 tabular-nums dark:text-slate-100">
            {(b.shareBps / 100).toFixed(b.shareBps % 100 === 0 ? 0 : 2)}%
          </span>
          <span className="h-2 w-24 shrink-0 overflow-hidden rounded-full bg-slate-100 dark:bg-slate-800" aria-hidden="true">
            <span className="block h-full bg-indigo-500" style={{ width: `${b.shareBps / 100}%` }} />
          </span>
          <Link href={developerHref(b.did)} className="min-w-0 truncate text-indigo-600 hover:underline dark:text-indigo-400">
            {b.moniker || shortenDid(b.did)}
          </Link>
        </li>
      ))}
    </ul>
  );
}

const partLabels = {
  rating: 'Rating',
  usage: 'Usage',
  recency: 'Recency',
  reputation: 'Author reputation',
  reports: 'Upheld reports',
} as const;

/** "Why this rank": the position, then each part's points and the sentence that explains it, so anyone can redo the sum. */
export function RankExplanation({ rank }: { rank: ComponentDetail['rank'] }) {
  return (
    <div className="space-y-3 text-sm">
      <p className="text-slate-800 dark:text-slate-200" data-testid="rank-position">
        <span className="text-2xl font-bold text-slate-900 dark:text-white">#{rank.position}</span> of {rank.of.toLocaleString('en-US')} ·
        score <strong>{rank.score.toFixed(2)}</strong>
      </p>
      <ul className="divide-y divide-slate-100 dark:divide-slate-800" aria-label="The parts of the rank score">
        {rank.parts.map((p) => (
          <li key={p.part} className="py-2" data-testid={`rank-part-${p.part}`}>
            <div className="flex items-baseline justify-between gap-2">
              <span className="font-medium text-slate-800 dark:text-slate-200">
                {partLabels[p.part]} <span className="text-xs font-normal text-slate-500 dark:text-slate-400">× {p.weight}</span>
              </span>
              <span
                className={`tabular-nums font-semibold ${p.points < 0 ? 'text-red-700 dark:text-red-400' : 'text-slate-900 dark:text-slate-100'}`}
              >
                {p.points >= 0 ? '+' : ''}
                {p.points.toFixed(2)}
              </span>
            </div>
            <p className="mt-0.5 text-xs text-slate-600 dark:text-slate-400">{p.explanation}</p>
          </li>
        ))}
      </ul>
      <p className="text-xs text-slate-500 dark:text-slate-400">
        Computed {new Date(rank.computedAtMs).toISOString().replace('T', ' ').slice(0, 16)} UTC from the ledger and recorded usage.
      </p>
    </div>
  );
}
