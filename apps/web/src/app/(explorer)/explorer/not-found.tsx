import Link from 'next/link';
import { ExplorerPage } from '../../../explorer/page-shell.tsx';
import { SearchSuggestions } from '../../../explorer/search-suggestions.tsx';

/** A block past the head, a hash the node has never seen, a DID that never held anything: said plainly. */
export default function ExplorerNotFound() {
  return (
    <ExplorerPage kicker="404" title="Not on this chain">
      <section className="space-y-3 rounded-xl bg-white p-5 text-sm shadow-sm ring-1 ring-slate-200 dark:bg-slate-900 dark:ring-slate-800">
        <p className="text-slate-700 dark:text-slate-300">
          This node knows nothing by that name: a block above the head, a transaction hash it has never seen (a transaction sent to another
          node may not have arrived yet), or a DID that has never held anything nor appeared in a transaction.
        </p>
        <SearchSuggestions id="not-found-q" variant="page" />
        <p>
          <Link href="/explorer" className="font-medium text-indigo-700 hover:underline dark:text-indigo-300">
            Back to the chain overview
          </Link>
        </p>
      </section>
    </ExplorerPage>
  );
}
