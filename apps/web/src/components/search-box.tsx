/**
 * One box for a hash, DID, height, token symbol or blocklet name; submits to the explorer's search page.
 * A plain GET form, so it works before (and without) JavaScript.
 */
export function SearchBox({ id, className = '' }: { id: string; className?: string }) {
  return (
    <search className={className}>
      <form action="/explorer/search" method="get" className="relative">
        <label htmlFor={id} className="sr-only">
          Search the chain
        </label>
        <svg
          viewBox="0 0 20 20"
          fill="currentColor"
          aria-hidden="true"
          className="pointer-events-none absolute top-1/2 left-3 size-4 -translate-y-1/2 text-slate-400"
        >
          <path
            fillRule="evenodd"
            d="M9 3.5a5.5 5.5 0 1 0 0 11 5.5 5.5 0 0 0 0-11ZM2 9a7 7 0 1 1 12.45 4.39l3.08 3.08a.75.75 0 1 1-1.06 1.06l-3.08-3.08A7 7 0 0 1 2 9Z"
            clipRule="evenodd"
          />
        </svg>
        <input
          id={id}
          name="q"
          type="search"
          required
          maxLength={200}
          autoComplete="off"
          spellCheck={false}
          placeholder="Search hash, DID, height, token, blocklet"
          className="h-9 w-full rounded-lg border-0 bg-white/10 pr-3 pl-9 text-sm text-white ring-1 ring-white/10 ring-inset placeholder:text-slate-400 focus:bg-white/15 focus:ring-2 focus:ring-indigo-400 focus:outline-none"
        />
      </form>
    </search>
  );
}
