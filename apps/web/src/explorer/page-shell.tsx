import type { ReactNode } from 'react';

/** The frame of every explorer page: a width, a heading with an optional line under it, and the content. */
export function ExplorerPage({
  title,
  kicker,
  subtitle,
  aside,
  children,
}: {
  title: ReactNode;
  /** A word above the title ("Block", "Transaction"). */
  kicker?: string;
  subtitle?: ReactNode;
  aside?: ReactNode;
  children: ReactNode;
}) {
  return (
    <main className="mx-auto w-full max-w-6xl min-w-0 space-y-6 px-4 py-8 sm:px-6">
      <div className="flex flex-wrap items-end justify-between gap-x-4 gap-y-2">
        <div className="min-w-0">
          {kicker ? <p className="text-xs font-medium tracking-wide text-slate-500 uppercase dark:text-slate-400">{kicker}</p> : null}
          <h1 className="text-2xl font-semibold tracking-tight break-all text-slate-900 dark:text-slate-100">{title}</h1>
          {subtitle ? <div className="mt-1 text-sm text-slate-500 dark:text-slate-400">{subtitle}</div> : null}
        </div>
        {aside ? <div className="text-xs text-slate-500 dark:text-slate-400">{aside}</div> : null}
      </div>
      {children}
    </main>
  );
}

/** In place of a page when the address itself is wrong: what was given, what is wrong, what it should look like. */
export function MalformedInput({ what, value, problem, example }: { what: string; value: string; problem: string; example: string }) {
  return (
    <ExplorerPage kicker="Not a valid address" title={`That is not a ${what}`}>
      <section
        role="alert"
        className="space-y-2 rounded-xl bg-white p-5 text-sm shadow-sm ring-1 ring-amber-200 dark:bg-slate-900 dark:ring-amber-500/30"
      >
        <p className="font-mono break-all text-slate-900 dark:text-slate-100">{value}</p>
        <p className="text-slate-700 dark:text-slate-300">{problem}</p>
        <p className="text-slate-500 dark:text-slate-400">
          A {what} looks like <span className="font-mono break-all">{example}</span>. Paste it whole, or search for it with the search box.
        </p>
      </section>
    </ExplorerPage>
  );
}

/** A white card with a title, for the sections of a detail page. */
export function Section({ title, aside, children, id }: { title: string; aside?: ReactNode; children: ReactNode; id?: string }) {
  return (
    <section
      aria-label={title}
      id={id}
      className="overflow-hidden rounded-xl bg-white shadow-sm ring-1 ring-slate-200 dark:bg-slate-900 dark:ring-slate-800"
    >
      <header className="flex flex-wrap items-center justify-between gap-x-4 gap-y-1 border-b border-slate-200 px-4 py-3 dark:border-slate-800">
        <h2 className="text-sm font-semibold text-slate-900 dark:text-slate-100">{title}</h2>
        {aside ? <div className="text-xs text-slate-500 dark:text-slate-400">{aside}</div> : null}
      </header>
      {children}
    </section>
  );
}
