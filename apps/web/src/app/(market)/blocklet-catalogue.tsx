'use client';

import { EmptyState, Input, Skeleton } from '@arc/ui';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ErrorNotice } from '../../components/error-notice.tsx';
import { useTopic } from '../../realtime/provider.tsx';
import { useTRPC } from '../../trpc/react.tsx';
import { BlockletCard } from './blocklet-card.tsx';

/** How many blocklets the home page lists (the node's page limit is 100). */
const catalogueLimit = 100;

/** The blocklets deployed on this chain, newest deploys reflected as their blocks commit, with a filter. */
export function BlockletCatalogue() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const listOptions = trpc.blocklet.list.queryOptions({ limit: catalogueLimit });
  const blocklets = useQuery(listOptions);
  const [filter, setFilter] = useState('');
  // A block with transactions may hold a deploy: read the list again (no polling).
  useTopic('chain:blocks', (event) => {
    if (event.payload.txCount > 0) void queryClient.invalidateQueries({ queryKey: listOptions.queryKey });
  });

  const needle = filter.trim().toLowerCase();
  const shown = (blocklets.data ?? []).filter(
    (blocklet) =>
      needle === '' || [blocklet.name, blocklet.title, blocklet.description].some((text) => text.toLowerCase().includes(needle)),
  );

  return (
    <section id="catalogue" aria-labelledby="catalogue-title" className="scroll-mt-6 space-y-4">
      <div className="flex flex-col gap-3 sm:flex-row sm:items-end sm:justify-between">
        <div>
          <h2 id="catalogue-title" className="text-xl font-semibold text-slate-900 dark:text-white">
            Blocklets on this chain
          </h2>
          <p className="text-sm text-slate-600 dark:text-slate-400">
            {blocklets.data ? `${blocklets.data.length} deployed` : 'Deployed programs anyone can call'}
          </p>
        </div>
        <div className="sm:w-72">
          <label htmlFor="catalogue-filter" className="sr-only">
            Filter blocklets
          </label>
          <Input
            id="catalogue-filter"
            type="search"
            placeholder="Filter by name or description"
            value={filter}
            onChange={(event) => setFilter(event.target.value)}
          />
        </div>
      </div>
      {blocklets.isError ? (
        <ErrorNotice error={blocklets.error} onRetry={() => void blocklets.refetch()} />
      ) : blocklets.isPending ? (
        <ul aria-busy="true" aria-label="Loading blocklets" className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
          {[0, 1, 2].map((key) => (
            <li
              key={key}
              className="h-48 space-y-3 rounded-xl bg-white p-5 shadow-sm ring-1 ring-slate-200 dark:bg-slate-900 dark:ring-slate-800"
            >
              <Skeleton className="h-5 w-32" />
              <Skeleton className="h-4 w-full" />
              <Skeleton className="h-4 w-2/3" />
            </li>
          ))}
        </ul>
      ) : shown.length === 0 ? (
        <div className="rounded-xl bg-white shadow-sm ring-1 ring-slate-200 dark:bg-slate-900 dark:ring-slate-800">
          {needle ? (
            <EmptyState title={`No blocklet matches “${filter.trim()}”`} description="Try another word, or clear the filter." />
          ) : (
            <EmptyState
              title="No blocklet is deployed yet"
              description="Be the first: write one from a template in the console and deploy it with your wallet."
              action={
                <a href="/console/blocklets/new" className="text-sm font-medium text-indigo-600 hover:underline dark:text-indigo-400">
                  Create a blocklet →
                </a>
              }
            />
          )}
        </div>
      ) : (
        <ul className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
          {shown.map((blocklet) => (
            <li key={blocklet.name} className="flex">
              <BlockletCard blocklet={blocklet} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
