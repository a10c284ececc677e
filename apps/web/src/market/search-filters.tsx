import { kindLabels } from './format.ts';
import { type MarketQuery, searchPath, searchSorts } from './query.ts';
import { SubmitOnChange } from './submit-on-change.tsx';
import type { Facets } from './types.ts';

const sortLabels: Record<(typeof searchSorts)[number], string> = {
  relevance: 'Best match',
  rank: 'Rank',
  used: 'Most used',
  newest: 'Newest',
  rated: 'Best rated',
};

const selectClass =
  'mt-1 block h-9 w-full rounded-lg border-0 bg-white px-2 text-sm font-normal text-slate-900 ring-1 ring-slate-300 ring-inset focus:ring-2 focus:ring-indigo-500 dark:bg-slate-900 dark:text-slate-100 dark:ring-slate-700';
const labelClass = 'block text-xs font-semibold text-slate-700 dark:text-slate-300';

/**
 * The search's filters as one GET form: the URL it submits is the whole query. With JavaScript a change submits at once
 * (SubmitOnChange); without, the Apply button does. On a phone the panel folds away (a details element).
 */
export function SearchFilters({ query, facets }: { query: MarketQuery; facets: Facets | null }) {
  const active = [query.kind, query.category, query.chain, query.price, query.minRating, query.verified, query.sort].filter(
    (v) => v !== undefined,
  ).length;
  return (
    <>
      <details className="group rounded-xl bg-white shadow-sm ring-1 ring-slate-200 lg:hidden dark:bg-slate-900 dark:ring-slate-800">
        <summary className="cursor-pointer px-4 py-3 text-sm font-semibold text-slate-900 dark:text-white">
          Filters and sort{active > 0 ? ` (${active} set)` : ''}
        </summary>
        <FilterForm query={query} facets={facets} />
      </details>
      <div className="hidden rounded-xl bg-white pt-4 shadow-sm ring-1 ring-slate-200 lg:block dark:bg-slate-900 dark:ring-slate-800">
        <FilterForm query={query} facets={facets} />
      </div>
    </>
  );
}

function FilterForm({ query, facets }: { query: MarketQuery; facets: Facets | null }) {
  return (
    <form action={searchPath} method="get" aria-label="Filters" className="space-y-4 px-4 pb-4">
      <SubmitOnChange />
      {query.q ? <input type="hidden" name="q" value={query.q} /> : null}
      <label className={labelClass}>
        Kind
        <select name="kind" defaultValue={query.kind ?? ''} className={selectClass}>
          <option value="">Any kind</option>
          {(['adapter', 'blocklet', 'component', 'application'] as const).map((k) => (
            <option key={k} value={k}>
              {kindLabels[k].one}
              {facets ? ` (${facets.kinds.find((f) => f.kind === k)?.count ?? 0})` : ''}
            </option>
          ))}
        </select>
      </label>
      <label className={labelClass}>
        Category
        <select name="category" defaultValue={query.category ?? ''} className={selectClass}>
          <option value="">Any category</option>
          {query.category && !facets?.categories.some((c) => c.category === query.category) ? (
            <option value={query.category}>{query.category}</option>
          ) : null}
          {(facets?.categories ?? []).map((c) => (
            <option key={c.category} value={c.category}>
              {c.category} ({c.count})
            </option>
          ))}
        </select>
      </label>
      <label className={labelClass}>
        Chain
        <select name="chain" defaultValue={query.chain ?? ''} className={selectClass}>
          <option value="">Any chain</option>
          {query.chain && !facets?.chains.some((c) => c.chain === query.chain) ? <option value={query.chain}>{query.chain}</option> : null}
          {(facets?.chains ?? []).map((c) => (
            <option key={c.chain} value={c.chain}>
              {c.chain} ({c.count})
            </option>
          ))}
        </select>
      </label>
      <fieldset>
        <legend className={labelClass}>Price</legend>
        <div className="mt-1 flex gap-3 text-sm text-slate-700 dark:text-slate-300">
          {(
            [
              ['', 'Any'],
              ['free', 'Free'],
              ['paid', 'Paid'],
            ] as const
          ).map(([value, label]) => (
            <label key={value} className="inline-flex items-center gap-1.5">
              <input type="radio" name="price" value={value} defaultChecked={(query.price ?? '') === value} className="accent-indigo-600" />
              {label}
            </label>
          ))}
        </div>
      </fieldset>
      <label className={labelClass}>
        Minimum rating
        <select name="minRating" defaultValue={query.minRating?.toString() ?? ''} className={selectClass}>
          <option value="">Any rating</option>
          {[4, 3, 2, 1].map((n) => (
            <option key={n} value={n}>
              {n} stars and up
            </option>
          ))}
        </select>
      </label>
      <label className="flex items-center gap-2 text-sm text-slate-700 dark:text-slate-300">
        <input type="checkbox" name="verified" value="1" defaultChecked={query.verified === true} className="accent-indigo-600" />
        Verified publishers only
      </label>
      <label className={labelClass}>
        Sort by
        <select name="sort" defaultValue={query.sort ?? ''} className={selectClass}>
          <option value="">{query.q ? 'Best match' : 'Rank'} (default)</option>
          {searchSorts.map((s) => (
            <option key={s} value={s}>
              {sortLabels[s]}
            </option>
          ))}
        </select>
      </label>
      <div className="flex items-center justify-between gap-2">
        <button
          type="submit"
          className="rounded-lg bg-slate-900 px-3 py-1.5 text-sm font-medium text-white hover:bg-slate-700 dark:bg-slate-100 dark:text-slate-900"
        >
          Apply
        </button>
        <a
          href={query.q ? `${searchPath}?q=${encodeURIComponent(query.q)}` : searchPath}
          className="text-sm text-indigo-600 hover:underline dark:text-indigo-400"
        >
          Clear filters
        </a>
      </div>
    </form>
  );
}
