import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { nodeApi } from '../../../../explorer/node-api.ts';
import { singleExactMatch, suggestionHref } from '../../../../explorer/search-links.ts';
import { SearchView } from '../../../../explorer/search-view.tsx';

export const metadata: Metadata = { title: 'Search · Explorer' };

interface Props {
  searchParams: Promise<{ q?: string | string[] }>;
}

/** The node refuses longer queries. */
const queryCharsMax = 100;

export default async function SearchPage({ searchParams }: Props) {
  const raw = (await searchParams).q;
  const q = (Array.isArray(raw) ? raw[0] : raw)?.trim() ?? '';
  if (q === '') return <SearchView q="" suggestions={[]} problem={null} />;
  if (q.length > queryCharsMax) {
    return (
      <SearchView q={q.slice(0, 40)} suggestions={[]} problem={`That is ${q.length} characters; a search is at most ${queryCharsMax}.`} />
    );
  }
  const result = await nodeApi().search.query.query({ q });
  // One exact match: go straight to it, as people expect from a hash or a height.
  const exact = singleExactMatch(result.suggestions);
  if (exact) redirect(suggestionHref(exact));
  return <SearchView q={q} suggestions={result.suggestions} problem={result.problem} />;
}
