'use client';

import { EmptyState, PlugOffIcon } from '@arc/ui';

/** A marketplace page that could not be rendered: usually the node did not answer the web server. */
export default function MarketError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <main className="mx-auto w-full max-w-6xl px-4 py-8 sm:px-6">
      <section role="alert" className="rounded-xl bg-white shadow-sm ring-1 ring-slate-200 dark:bg-slate-900 dark:ring-slate-800">
        <EmptyState
          tone="danger"
          icon={<PlugOffIcon />}
          title="This marketplace page could not be loaded"
          description={
            <span>
              The web server could not read it from the node, which may be down or restarting. Start it with{' '}
              <code className="font-mono">npm start</code>, then try again.
              {error.digest ? <span className="block pt-2 text-xs">Reference: {error.digest}</span> : null}
            </span>
          }
          action={
            <button
              type="button"
              onClick={reset}
              className="rounded-lg bg-slate-900 px-3.5 py-2 text-sm font-medium text-white hover:bg-slate-700 dark:bg-slate-100 dark:text-slate-900"
            >
              Try again
            </button>
          }
        />
      </section>
    </main>
  );
}
