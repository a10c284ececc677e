import { Badge, shortenDid } from '@arc/ui';
import Link from 'next/link';
import { formatCount, formatPrice, kindLabels, kindTones } from './format.ts';
import { componentHref } from './query.ts';
import { Stars, VerifiedMark } from './stars.tsx';
import type { ComponentCard as Card } from './types.ts';

/** One component in a grid: name, kind, what it does, rating, use, price and its publisher. */
export function ComponentCard({ component, headingLevel = 3 }: { component: Card; headingLevel?: 2 | 3 }) {
  const Heading = headingLevel === 2 ? 'h2' : 'h3';
  const id = `card-${component.name}`;
  return (
    <article
      aria-labelledby={id}
      className="relative flex w-full flex-col rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200 transition focus-within:ring-2 focus-within:ring-indigo-500 hover:ring-indigo-300 dark:bg-slate-900 dark:ring-slate-800 dark:hover:ring-indigo-500/50"
    >
      <div className="flex items-start gap-3">
        <span
          aria-hidden="true"
          className="flex size-10 shrink-0 items-center justify-center rounded-lg bg-indigo-50 text-base font-semibold text-indigo-700 uppercase ring-1 ring-indigo-100 dark:bg-indigo-500/10 dark:text-indigo-300 dark:ring-indigo-500/20"
        >
          {component.name.charAt(0)}
        </span>
        <div className="min-w-0 flex-1">
          <Heading id={id} className="truncate font-semibold text-slate-900 dark:text-slate-100">
            <Link href={componentHref(component.name)} className="after:absolute after:inset-0 focus-visible:outline-none">
              {component.name}
            </Link>
          </Heading>
          <p className="flex flex-wrap items-center gap-1.5 text-xs text-slate-500 dark:text-slate-400">
            <Badge tone={kindTones[component.kind]}>{kindLabels[component.kind].one}</Badge>
            <span className="font-mono">v{component.latestVersion}</span>
            {component.deprecated ? <Badge tone="amber">deprecated</Badge> : null}
          </p>
        </div>
      </div>
      {/* The clamp sits in a growing box, not on it: stretched by a taller neighbour, it would show a third line. */}
      <div className="mt-3 flex-1">
        <p className="line-clamp-2 text-sm text-slate-600 dark:text-slate-400">{component.description || 'No description given.'}</p>
      </div>
      <div className="mt-3 flex flex-wrap items-center gap-x-3 gap-y-1">
        <Stars average={component.ratingAverage} count={component.ratingCount} />
        <span className="text-xs text-slate-600 dark:text-slate-400">
          {formatCount(component.calls30d)} {component.calls30d === 1 ? 'call' : 'calls'} / 30 d
        </span>
      </div>
      <div className="mt-3 flex flex-wrap items-center justify-between gap-x-2 gap-y-1 border-t border-slate-100 pt-3 text-xs dark:border-slate-800">
        <span className="flex min-w-0 max-w-full items-center gap-1.5 text-slate-600 dark:text-slate-400">
          <span className="truncate">by {component.ownerMoniker || shortenDid(component.owner, 4, 4)}</span>
          {component.verifiedPublisher ? <VerifiedMark compact /> : null}
        </span>
        <span
          className={`ml-auto shrink-0 font-medium ${component.price.model === 'free' ? 'text-emerald-700 dark:text-emerald-400' : 'text-slate-800 dark:text-slate-200'}`}
        >
          {formatPrice(component.price)}
        </span>
      </div>
    </article>
  );
}

/** Cards in a responsive grid, or what to do when there are none. */
export function ComponentGrid({
  items,
  empty,
  label,
  className = '',
}: {
  items: Card[];
  empty: string;
  label: string;
  className?: string;
}) {
  if (items.length === 0)
    return (
      <p className="rounded-xl bg-white p-6 text-sm text-slate-600 ring-1 ring-slate-200 dark:bg-slate-900 dark:text-slate-400 dark:ring-slate-800">
        {empty}
      </p>
    );
  return (
    <ul aria-label={label} className={`grid gap-4 sm:grid-cols-2 lg:grid-cols-3 ${className}`}>
      {items.map((component) => (
        <li key={component.name} className="flex">
          <ComponentCard component={component} />
        </li>
      ))}
    </ul>
  );
}
