import { EmptyState } from '@arc/ui';
import Link from 'next/link';
import { searchHref } from '../../market/query.ts';

/** A component or developer the node does not know. */
export default function MarketNotFound() {
  return (
    <main className="mx-auto w-full max-w-6xl px-4 py-8 sm:px-6">
      <section className="rounded-xl bg-white shadow-sm ring-1 ring-slate-200 dark:bg-slate-900 dark:ring-slate-800">
        <EmptyState
          title="Not found in the marketplace"
          description="No component or developer has that name on this chain. It may be spelled differently: search for it."
          action={
            <Link href={searchHref({})} className="text-sm font-medium text-indigo-600 underline underline-offset-2 dark:text-indigo-400">
              Search the marketplace
            </Link>
          }
        />
      </section>
    </main>
  );
}
