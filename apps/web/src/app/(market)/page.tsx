import type { Metadata } from 'next';
import Link from 'next/link';
import { connection } from 'next/server';
import { nodeApi } from '../../explorer/node-api.ts';
import { ComponentGrid } from '../../market/component-card.tsx';
import { kindLabels } from '../../market/format.ts';
import { MarketSearchBox } from '../../market/market-search-box.tsx';
import { type ComponentKind, componentKinds, searchHref } from '../../market/query.ts';
import type { ComponentCard, Facets } from '../../market/types.ts';
import { MarketUnavailable, reasonOf } from '../../market/unavailable.tsx';

export const metadata: Metadata = {
  title: { absolute: 'Arc Marketplace: adapters, blocklets and applications, ranked by use' },
  description: 'Find, evaluate and install components for Arc: reviews from verified users, usage, and an explained rank.',
};

/** Cards per home section. */
const sectionSize = 6;
/** Category chips on the home page (the most used first). */
const chipsMax = 12;

const areas = [
  { href: '/explorer', title: 'Explorer', body: 'Blocks, transactions, accounts' },
  { href: '/console', title: 'Console', body: 'Deploy and run your blocklets' },
  { href: '/wallet', title: 'Wallet', body: 'Keys kept in this browser' },
] as const;

interface Home {
  top: ComponentCard[];
  used: ComponentCard[];
  newest: ComponentCard[];
  facets: Facets;
}

async function load(kind: ComponentKind | undefined): Promise<Home | { error: string }> {
  const api = nodeApi();
  const base = { q: '', limit: sectionSize, ...(kind ? { kind } : {}) };
  try {
    const [top, used, newest, facets] = await Promise.all([
      api.market.search.query({ ...base, sort: 'rank' }),
      api.market.search.query({ ...base, sort: 'used' }),
      api.market.search.query({ ...base, sort: 'newest' }),
      api.market.facets.query(),
    ]);
    return { top: top.items, used: used.items, newest: newest.items, facets };
  } catch (error) {
    return { error: reasonOf(error) };
  }
}

interface Props {
  searchParams: Promise<{ kind?: string | string[] }>;
}

/** The marketplace home: search, categories, kinds, and the top-ranked, most-used and newest components. */
export default async function MarketHome({ searchParams }: Props) {
  await connection();
  const rawKind = (await searchParams).kind;
  const kind = componentKinds.find((k) => k === (Array.isArray(rawKind) ? rawKind[0] : rawKind));
  const home = await load(kind);
  const kindCount = (k: ComponentKind) => ('facets' in home ? home.facets.kinds.find((f) => f.kind === k)?.count : undefined);
  return (
    <main className="mx-auto w-full max-w-6xl space-y-8 px-4 py-6 sm:px-6 sm:py-10">
      <section aria-labelledby="hero-title" className="space-y-4">
        <div className="flex flex-col gap-3 lg:flex-row lg:items-end lg:justify-between">
          <div>
            <h1 id="hero-title" className="text-2xl font-bold tracking-tight text-slate-900 sm:text-3xl dark:text-white">
              Marketplace
            </h1>
            <p className="mt-1 max-w-2xl text-sm text-slate-600 dark:text-slate-400">
              Chain adapters, blocklets, components and applications, published on the ledger, rated by people who used them and ranked by a
              score you can check.
            </p>
          </div>
          <nav aria-label="Other areas" className="flex flex-wrap gap-2">
            {areas.map((area) => (
              <Link
                key={area.href}
                href={area.href}
                title={area.body}
                className="rounded-lg bg-white px-3 py-1.5 text-sm font-medium text-slate-700 shadow-sm ring-1 ring-slate-200 hover:ring-indigo-300 dark:bg-slate-900 dark:text-slate-200 dark:ring-slate-800"
              >
                {area.title} <span aria-hidden="true">→</span>
              </Link>
            ))}
          </nav>
        </div>
        <MarketSearchBox id="market-search" />
        {'facets' in home && home.facets.categories.length > 0 ? (
          <ul aria-label="Categories" className="flex flex-wrap gap-2">
            {home.facets.categories.slice(0, chipsMax).map((c) => (
              <li key={c.category}>
                <Link
                  href={searchHref({ category: c.category, ...(kind ? { kind } : {}) })}
                  className="inline-flex items-center gap-1 rounded-full bg-slate-100 px-3 py-1 text-xs font-medium text-slate-700 hover:bg-indigo-50 hover:text-indigo-700 dark:bg-slate-800 dark:text-slate-300 dark:hover:bg-indigo-500/15"
                >
                  {c.category} <span className="text-slate-500 dark:text-slate-400">{c.count}</span>
                </Link>
              </li>
            ))}
          </ul>
        ) : null}
      </section>

      <nav aria-label="Kinds" className="-mx-4 overflow-x-auto px-4 sm:mx-0 sm:px-0">
        <ul className="flex min-w-max gap-1 border-b border-slate-200 dark:border-slate-800">
          {[undefined, ...componentKinds].map((k) => {
            const current = k === kind;
            const count = k ? kindCount(k) : undefined;
            return (
              <li key={k ?? 'all'}>
                <Link
                  href={k ? `/?kind=${k}` : '/'}
                  aria-current={current ? 'page' : undefined}
                  className={`-mb-px inline-block border-b-2 px-3 py-2 text-sm font-medium ${
                    current
                      ? 'border-indigo-600 text-indigo-700 dark:border-indigo-400 dark:text-indigo-300'
                      : 'border-transparent text-slate-600 hover:text-slate-900 dark:text-slate-400 dark:hover:text-white'
                  }`}
                >
                  {k ? kindLabels[k].many : 'All'}
                  {count !== undefined ? <span className="ml-1 text-xs text-slate-500 dark:text-slate-400">{count}</span> : null}
                </Link>
              </li>
            );
          })}
        </ul>
      </nav>

      {'error' in home ? (
        <MarketUnavailable message={home.error} />
      ) : (
        <>
          <HomeSection id="top" title="Top ranked" more={searchHref({ sort: 'rank', ...(kind ? { kind } : {}) })} items={home.top} />
          <HomeSection id="used" title="Most used" more={searchHref({ sort: 'used', ...(kind ? { kind } : {}) })} items={home.used} />
          <HomeSection id="newest" title="Newest" more={searchHref({ sort: 'newest', ...(kind ? { kind } : {}) })} items={home.newest} />
        </>
      )}
    </main>
  );
}

function HomeSection({ id, title, more, items }: { id: string; title: string; more: string; items: ComponentCard[] }) {
  return (
    <section aria-labelledby={`${id}-title`} className="space-y-3">
      <div className="flex items-baseline justify-between gap-3">
        <h2 id={`${id}-title`} className="text-lg font-semibold text-slate-900 dark:text-white">
          {title}
        </h2>
        <Link href={more} className="text-sm font-medium text-indigo-600 hover:underline dark:text-indigo-400">
          See all<span className="sr-only"> {title.toLowerCase()}</span> →
        </Link>
      </div>
      <ComponentGrid
        items={items}
        label={title}
        // A phone shows three of each section; "See all" has the rest.
        className="max-sm:[&>li:nth-child(n+4)]:hidden"
        empty="Nothing is published here yet. Publish a blocklet from its folder with npx arc publish, or from the console."
      />
    </section>
  );
}
