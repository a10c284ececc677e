import { EmptyState } from '@arc/ui';
import Link from 'next/link';
import { ExplorerPage, Section } from './page-shell.tsx';
import { describeSuggestion, type Suggestion, suggestionHref } from './search-links.ts';
import { SearchSuggestions } from './search-suggestions.tsx';

/** The search page: the box again, what is wrong with the input if something is, and every match. */
export function SearchView({ q, suggestions, problem }: { q: string; suggestions: Suggestion[]; problem: string | null }) {
  return (
    <ExplorerPage kicker="Search" title={q ? `Results for “${q}”` : 'Search the chain'}>
      <SearchSuggestions id="search-page-q" variant="page" defaultValue={q} autoFocus={!q} />
      {problem ? (
        <p
          role="alert"
          className="rounded-xl bg-amber-50 px-4 py-3 text-sm text-amber-900 ring-1 ring-amber-200 ring-inset dark:bg-amber-500/10 dark:text-amber-200 dark:ring-amber-500/30"
        >
          {problem}
        </p>
      ) : null}
      {q ? (
        <Section title="Matches" aside={`${suggestions.length} found`}>
          {suggestions.length ? (
            <ul className="divide-y divide-slate-100 dark:divide-slate-800">
              {suggestions.map((s) => {
                const d = describeSuggestion(s);
                return (
                  <li key={`${s.kind}:${suggestionHref(s)}`}>
                    <Link
                      href={suggestionHref(s)}
                      className="flex flex-wrap items-baseline gap-x-3 gap-y-1 px-4 py-3 text-sm hover:bg-slate-50 dark:hover:bg-slate-800/50"
                    >
                      <span className="w-24 shrink-0 text-xs font-medium text-slate-500 dark:text-slate-400">{d.kind}</span>
                      <span className="min-w-0 font-mono font-medium break-all text-indigo-700 dark:text-indigo-300">{d.label}</span>
                      {d.detail ? <span className="text-xs text-slate-500 dark:text-slate-400">{d.detail}</span> : null}
                      {s.exact ? <span className="ml-auto text-xs text-emerald-700 dark:text-emerald-300">exact match</span> : null}
                    </Link>
                  </li>
                );
              })}
            </ul>
          ) : (
            <EmptyState
              title={problem ? 'Nothing to look up' : `Nothing on this chain matches “${q}”`}
              description="Search by block height (42), transaction or block hash (64 hex characters, or the first 4 or more), DID (did:abt:z…), token symbol (DEMO) or blocklet name (oracle)."
            />
          )}
        </Section>
      ) : (
        <p className="text-sm text-slate-500 dark:text-slate-400">
          Search by block height, transaction or block hash (or its first hex digits), DID, token symbol or blocklet name.
        </p>
      )}
    </ExplorerPage>
  );
}
