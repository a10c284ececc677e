'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { type KeyboardEvent, useEffect, useId, useState } from 'react';
import { useTRPC } from '../trpc/react.tsx';
import { describeSuggestion, type Suggestion, suggestionHref } from './search-links.ts';

/** Quiet time after the last keystroke before the node is asked. */
const debounceMs = 150;
/** The node refuses longer queries. */
const queryCharsMax = 100;
/** The header's box is narrow: its hint is short enough to show whole (the label says the rest). */
const placeholders = { header: 'Search hash, DID, height…', page: 'Search hash, DID, height, token, blocklet' } as const;

export interface SearchSuggestionsProps {
  /** The input's id (a page may hold two boxes: the header's and the search page's). */
  id: string;
  /** 'header': light text on the dark header; 'page': dark text on a light page. */
  variant?: 'header' | 'page';
  defaultValue?: string;
  className?: string;
  autoFocus?: boolean;
}

/**
 * The explorer's search box with suggestions as you type: an ARIA combobox (arrow keys move through the
 * suggestions, Enter opens the highlighted one or searches, Escape closes). It is a plain GET form to
 * /explorer/search underneath, so it also works without JavaScript.
 */
export function SearchSuggestions({
  id,
  variant = 'header',
  defaultValue = '',
  className = '',
  autoFocus = false,
}: SearchSuggestionsProps) {
  const trpc = useTRPC();
  const router = useRouter();
  const listId = useId();
  const [value, setValue] = useState(defaultValue);
  const [debounced, setDebounced] = useState(defaultValue.trim());
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);

  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value.trim().slice(0, queryCharsMax)), debounceMs);
    return () => clearTimeout(timer);
  }, [value]);

  const result = useQuery({
    ...trpc.search.query.queryOptions({ q: debounced }),
    enabled: open && debounced.length > 0,
    placeholderData: keepPreviousData,
    staleTime: 5_000,
  });
  const suggestions: Suggestion[] = debounced && result.data?.q === debounced ? result.data.suggestions : [];
  const problem = debounced && result.data?.q === debounced ? result.data.problem : null;
  const nothing = suggestions.length === 0 && problem === null && result.isFetched && !result.isPlaceholderData;
  // The popup shows suggestions, or says what is wrong, or that nothing matches; only suggestions expand the combobox.
  const popup = open && debounced.length > 0 && (suggestions.length > 0 || problem !== null || nothing);
  const expanded = popup && suggestions.length > 0;

  // biome-ignore lint/correctness/useExhaustiveDependencies: new suggestions start with none highlighted
  useEffect(() => setActive(-1), [debounced]);

  const go = (s: Suggestion) => {
    setOpen(false);
    router.push(suggestionHref(s));
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'ArrowDown') {
      event.preventDefault();
      setOpen(true);
      setActive((i) => (suggestions.length ? (i + 1) % suggestions.length : -1));
    } else if (event.key === 'ArrowUp') {
      event.preventDefault();
      setActive((i) => (suggestions.length ? (i <= 0 ? suggestions.length - 1 : i - 1) : -1));
    } else if (event.key === 'Escape') {
      if (open) event.preventDefault();
      setOpen(false);
      setActive(-1);
    } else if (event.key === 'Enter') {
      const chosen = active >= 0 ? suggestions[active] : undefined;
      if (chosen && expanded) {
        event.preventDefault();
        go(chosen);
      } else {
        setOpen(false);
      }
    }
  };

  const header = variant === 'header';
  const inputClass = header
    ? 'h-9 w-full rounded-lg border-0 bg-white/10 pr-3 pl-9 text-sm text-white ring-1 ring-white/10 ring-inset placeholder:text-slate-400 focus:bg-white/15 focus:ring-2 focus:ring-indigo-400 focus:outline-none'
    : 'h-11 w-full rounded-lg border-0 bg-white pr-3 pl-9 text-sm text-slate-900 shadow-sm ring-1 ring-slate-300 ring-inset placeholder:text-slate-500 focus:ring-2 focus:ring-indigo-500 focus:outline-none dark:bg-slate-900 dark:text-slate-100 dark:ring-slate-700';
  const optionId = (i: number) => `${listId}-option-${i}`;

  return (
    <search className={`relative ${className}`}>
      <form action="/explorer/search" method="get" className="relative" onSubmit={() => setOpen(false)}>
        <label htmlFor={id} className="sr-only">
          Search the chain
        </label>
        <svg
          viewBox="0 0 20 20"
          fill="currentColor"
          aria-hidden="true"
          className={`pointer-events-none absolute top-1/2 left-3 size-4 -translate-y-1/2 ${header ? 'text-slate-400' : 'text-slate-500'}`}
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
          maxLength={queryCharsMax}
          autoComplete="off"
          spellCheck={false}
          // biome-ignore lint/a11y/noAutofocus: the search page's own box, where typing is the only thing to do
          autoFocus={autoFocus}
          placeholder={placeholders[variant]}
          role="combobox"
          aria-autocomplete="list"
          aria-expanded={expanded}
          aria-controls={expanded ? listId : undefined}
          aria-activedescendant={expanded && active >= 0 ? optionId(active) : undefined}
          value={value}
          onChange={(event) => {
            setValue(event.target.value);
            setOpen(true);
          }}
          onFocus={() => setOpen(true)}
          onBlur={() => setOpen(false)}
          onKeyDown={onKeyDown}
          className={inputClass}
        />
      </form>
      <div
        className={`absolute right-0 left-0 z-50 mt-1 overflow-hidden rounded-lg bg-white text-slate-900 shadow-lg ring-1 ring-slate-200 dark:bg-slate-900 dark:text-slate-100 dark:ring-slate-700 ${
          popup ? '' : 'hidden'
        }`}
      >
        {problem ? (
          <p role="alert" className="border-b border-slate-100 px-3 py-2 text-sm text-amber-800 dark:border-slate-800 dark:text-amber-300">
            {problem}
          </p>
        ) : null}
        {expanded ? (
          <div id={listId} role="listbox" aria-label="Suggestions" className="max-h-80 overflow-y-auto py-1">
            {suggestions.map((s, i) => {
              const d = describeSuggestion(s);
              return (
                // biome-ignore lint/a11y/useKeyWithClickEvents: the keys are the input's (a combobox keeps focus in its input)
                <div
                  key={`${s.kind}:${suggestionHref(s)}`}
                  id={optionId(i)}
                  role="option"
                  tabIndex={-1}
                  aria-selected={i === active}
                  // A mousedown would blur the input (closing the list) before the click lands.
                  onMouseDown={(event) => event.preventDefault()}
                  onClick={() => go(s)}
                  onMouseEnter={() => setActive(i)}
                  className={`flex cursor-pointer items-baseline gap-2 px-3 py-2 text-sm ${
                    i === active ? 'bg-indigo-50 dark:bg-indigo-500/15' : ''
                  }`}
                >
                  <span className="w-20 shrink-0 text-xs font-medium text-slate-500 dark:text-slate-400">{d.kind}</span>
                  <span className="min-w-0 truncate font-mono">{d.label}</span>
                  {d.detail ? (
                    <span className="ml-auto shrink-0 truncate text-xs text-slate-500 dark:text-slate-400">{d.detail}</span>
                  ) : null}
                </div>
              );
            })}
          </div>
        ) : null}
        {nothing ? (
          <p role="status" className="px-3 py-2 text-sm text-slate-500 dark:text-slate-400">
            Nothing matches “{debounced}”. Try a block height, a transaction hash, a DID, a token symbol or a blocklet name.
          </p>
        ) : null}
      </div>
    </search>
  );
}
