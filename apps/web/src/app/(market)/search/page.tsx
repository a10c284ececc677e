import type { Metadata } from 'next';
import Link from 'next/link';
import { connection } from 'next/server';
import { nodeApi } from '../../../explorer/node-api.ts';
import { ComponentGrid } from '../../../market/component-card.tsx';
import { kindLabels } from '../../../market/format.ts';
import { MarketSearchBox } from '../../../market/market-search-box.tsx';
import { parseMarketQuery, type RawSearchParams, searchHref, serializeMarketQuery, withQuery } from '../../../market/query.ts';
import { SearchFilters } from '../../../market/search-filters.tsx';
import type { Facets, SearchResult } from '../../../market/types.ts';
import { MarketUnavailable, reasonOf } from '../../../market/unavailable.tsx';

/** Results per page. */
const pageSize = 24;

interface Props {
  searchParams: Promise<RawSearchParams>;
}

export async function generateMetadata({ searchParams }: Props): Promise<Metadata> {
  const query = parseMarketQuery(await searchParams);
  return { title: query.q ? `“${query.q}” · Marketplace search` : 'Marketplace search' };
}

/** Search results, server-rendered from the URL alone: a link to this page is the search. */
export default async function SearchPage({ searchParams }: Props) {
  await connection();
  const query = parseMarketQuery(await searchParams);
  const api = nodeApi();
  let result: SearchResult | null = null;
  let facets: Facets | null = null;
  let problem: string | null = null;
  try {
    [result, facets] = await Promise.all([
      api.market.search.query({ ...query, limit: pageSize }),
      api.market.facets.query().catch(() => null),
    ]);
  } catch (error) {
    problem = reasonOf(error);
  }
  const hidden: Record<string, string> = Object.fromEntries(
    new URLSearchParams(serializeMarketQuery({ ...withQuery(query, {}), q: '' })).entries(),
  );
  const filtersSet = serializeMarketQuery({ ...withQuery(query, { sort: undefined }), q: '' }) !== '';
  const heading = query.q ? `Results for “${query.q}”` : query.kind ? kindLabels[query.kind].many : 'All components';

  return (
    <main className="mx-auto w-full max-w-6xl space-y-5 px-4 py-6 sm:px-6 sm:py-8">
      <nav aria-label="Breadcrumb" className="text-sm text-slate-600 dark:text-slate-400">
        <Link href="/" className="hover:underline">
          Marketplace
        </Link>{' '}
        / Search
      </nav>
      <MarketSearchBox id="market-search-page" defaultValue={query.q} hidden={hidden} />
      <div className="grid gap-5 lg:grid-cols-[16rem_minmax(0,1fr)]">
        <aside aria-label="Filters and sort">
          <SearchFilters query={query} facets={facets} />
        </aside>
        <section aria-labelledby="results-title" className="min-w-0 space-y-4">
          <div className="flex flex-wrap items-baseline justify-between gap-2">
            <h1 id="results-title" className="text-xl font-semibold text-slate-900 dark:text-white">
              {heading}
            </h1>
            {result ? (
              <p role="status" className="text-sm text-slate-600 dark:text-slate-400">
                {result.total.toLocaleString('en-US')} {result.total === 1 ? 'component' : 'components'}
                {query.cursor ? ' (a later page)' : ''}
              </p>
            ) : null}
          </div>
          {result?.correctedQuery ? (
            <p className="text-sm text-slate-700 dark:text-slate-300">
              Nothing matches “{query.q}” as typed. Showing results for{' '}
              <Link
                href={searchHref(withQuery(query, { q: result.correctedQuery, cursor: undefined }))}
                className="font-semibold text-indigo-600 underline underline-offset-2 dark:text-indigo-400"
              >
                {result.correctedQuery}
              </Link>
              .
            </p>
          ) : null}
          {problem !== null || result === null ? (
            <MarketUnavailable message={problem ?? 'The node did not answer.'} />
          ) : result.items.length === 0 ? (
            <NoMatch q={query.q} didYouMean={result.didYouMean} filtersSet={filtersSet} query={query} />
          ) : (
            <>
              <ComponentGrid items={result.items} label="Results" empty="" />
              <div className="flex flex-wrap items-center justify-between gap-3">
                {query.cursor ? (
                  <Link
                    href={searchHref(withQuery(query, { cursor: undefined }))}
                    className="text-sm text-indigo-600 underline underline-offset-2 dark:text-indigo-400"
                  >
                    ← First page
                  </Link>
                ) : (
                  <span />
                )}
                {result.nextCursor ? (
                  <Link
                    href={searchHref(withQuery(query, { cursor: result.nextCursor }))}
                    className="rounded-lg bg-white px-4 py-2 text-sm font-medium text-slate-800 shadow-sm ring-1 ring-slate-300 hover:ring-indigo-400 dark:bg-slate-900 dark:text-slate-100 dark:ring-slate-700"
                  >
                    Next page →
                  </Link>
                ) : null}
              </div>
            </>
          )}
        </section>
      </div>
    </main>
  );
}

function NoMatch({
  q,
  didYouMean,
  filtersSet,
  query,
}: {
  q: string;
  didYouMean: string[];
  filtersSet: boolean;
  query: ReturnType<typeof parseMarketQuery>;
}) {
  return (
    <div className="space-y-2 rounded-xl bg-white p-6 text-sm text-slate-700 shadow-sm ring-1 ring-slate-200 dark:bg-slate-900 dark:text-slate-300 dark:ring-slate-800">
      <p className="font-semibold text-slate-900 dark:text-white">
        {q ? `No components match “${q}”.` : 'No components match these filters.'}
      </p>
      {didYouMean.length > 0 ? (
        <p>
          Did you mean{' '}
          {didYouMean.map((name, i) => (
            <span key={name}>
              {i > 0 ? (i === didYouMean.length - 1 ? ' or ' : ', ') : ''}
              <Link
                href={searchHref(withQuery(query, { q: name }))}
                className="font-medium text-indigo-600 underline underline-offset-2 dark:text-indigo-400"
              >
                {name}
              </Link>
            </span>
          ))}
          ?
        </p>
      ) : null}
      {filtersSet ? (
        <p>
          <Link href={searchHref({ q })} className="text-indigo-600 underline underline-offset-2 dark:text-indigo-400">
            Search again without filters
          </Link>
        </p>
      ) : (
        <p>Try fewer or other words.</p>
      )}
    </div>
  );
}
