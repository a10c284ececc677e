'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { type KeyboardEvent, useEffect, useId, useState } from 'react';
import { useTRPC } from '../trpc/react.tsx';
import { kindLabels } from './format.ts';
import { componentHref, searchPath, searchQueryCharsMax } from './query.ts';
import type { Suggestion } from './types.ts';

/** Quiet time after the last keystroke before the node is asked for suggestions. */
const debounceMs = 150;

/**
 * The marketplace's search box: suggestions (market.suggest) as you type in an ARIA combobox (arrows move, Enter opens
 * the highlighted component or searches, Escape closes). A plain GET form to the search page underneath: it works
 * without JavaScript. `hidden` carries the current filters along when searching from the search page.
 */
export function MarketSearchBox({
  id,
  defaultValue = '',
  hidden = {},
  autoFocus = false,
}: {
  id: string;
  defaultValue?: string;
  hidden?: Record<string, string>;
  autoFocus?: boolean;
}) {
  const trpc = useTRPC();
  const router = useRouter();
  const listId = useId();
  const [value, setValue] = useState(defaultValue);
  const [debounced, setDebounced] = useState(defaultValue.trim());
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);

  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value.trim().slice(0, searchQueryCharsMax)), debounceMs);
    return () => clearTimeout(timer);
  }, [value]);

  const result = useQuery({
    ...trpc.market.suggest.queryOptions({ q: debounced }),
    enabled: open && debounced.length > 0,
    placeholderData: keepPreviousData,
    staleTime: 5_000,
  });
  const suggestions: Suggestion[] = debounced && !result.isPlaceholderData ? (result.data ?? []) : [];
  const expanded = open && suggestions.length > 0;

  // biome-ignore lint/correctness/useExhaustiveDependencies: new suggestions start with none highlighted
  useEffect(() => setActive(-1), [debounced]);

  const go = (s: Suggestion) => {
    setOpen(false);
    router.push(componentHref(s.name));
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
      } else setOpen(false);
    }
  };
  const optionId = (i: number) => `${listId}-option-${i}`;

  return (
    <search className="relative">
      <form
        action={searchPath}
        method="get"
        className="flex gap-2"
        onSubmit={(event) => {
          // A client-side navigation: the page (and an unlocked wallet) stays; without JavaScript the GET form does it.
          event.preventDefault();
          setOpen(false);
          const params = new URLSearchParams(hidden);
          if (value.trim() !== '') params.set('q', value.trim().slice(0, searchQueryCharsMax));
          const search = params.toString();
          router.push(search ? `${searchPath}?${search}` : searchPath);
        }}
      >
        {Object.entries(hidden).map(([name, v]) => (
          <input key={name} type="hidden" name={name} value={v} />
        ))}
        <label htmlFor={id} className="sr-only">
          Search components
        </label>
        <input
          id={id}
          name="q"
          type="search"
          maxLength={searchQueryCharsMax}
          autoComplete="off"
          spellCheck={false}
          // biome-ignore lint/a11y/noAutofocus: the search page's box, where typing is the thing to do
          autoFocus={autoFocus}
          placeholder="Search components, e.g. oracle"
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
          className="h-11 min-w-0 flex-1 rounded-lg border-0 bg-white px-3 text-sm text-slate-900 shadow-sm ring-1 ring-slate-300 ring-inset placeholder:text-slate-500 focus:ring-2 focus:ring-indigo-500 focus:outline-none dark:bg-slate-900 dark:text-slate-100 dark:ring-slate-700"
        />
        <button
          type="submit"
          className="h-11 shrink-0 rounded-lg bg-indigo-600 px-4 text-sm font-semibold text-white hover:bg-indigo-500 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600"
        >
          Search
        </button>
      </form>
      {expanded ? (
        <div
          id={listId}
          role="listbox"
          aria-label="Suggestions"
          className="absolute right-0 left-0 z-50 mt-1 max-h-80 overflow-y-auto rounded-lg bg-white py-1 text-slate-900 shadow-lg ring-1 ring-slate-200 dark:bg-slate-900 dark:text-slate-100 dark:ring-slate-700"
        >
          {suggestions.map((s, i) => (
            // biome-ignore lint/a11y/useKeyWithClickEvents: the keys are the input's (a combobox keeps focus in its input)
            <div
              key={s.name}
              id={optionId(i)}
              role="option"
              tabIndex={-1}
              aria-selected={i === active}
              onMouseDown={(event) => event.preventDefault()}
              onClick={() => go(s)}
              onMouseEnter={() => setActive(i)}
              className={`flex cursor-pointer items-baseline gap-2 px-3 py-2 text-sm ${i === active ? 'bg-indigo-50 dark:bg-indigo-500/15' : ''}`}
            >
              <span className="font-medium">{s.name}</span>
              <span className="shrink-0 text-xs text-slate-500 dark:text-slate-400">{kindLabels[s.kind].one}</span>
              <span className="ml-auto min-w-0 truncate text-xs text-slate-500 dark:text-slate-400">{s.description}</span>
            </div>
          ))}
        </div>
      ) : null}
    </search>
  );
}
