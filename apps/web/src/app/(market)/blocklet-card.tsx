import { Badge, shortenDid } from '@arc/ui';
import Link from 'next/link';
import type { RouterOutputs } from '../../trpc/types.ts';

export type BlockletSummary = RouterOutputs['blocklet']['list'][number];

/** One deployed blocklet: title, name, what it does, its live version, who owns it. */
export function BlockletCard({ blocklet }: { blocklet: BlockletSummary }) {
  const live = blocklet.aliases.find((alias) => alias.alias === 'live');
  const canary = blocklet.aliases.find((alias) => alias.alias === 'canary');
  return (
    <article
      aria-labelledby={`blocklet-${blocklet.name}`}
      className="flex w-full flex-col rounded-xl bg-white p-5 shadow-sm ring-1 ring-slate-200 dark:bg-slate-900 dark:ring-slate-800"
    >
      <div className="flex items-start gap-3">
        <span
          aria-hidden="true"
          className="flex size-10 shrink-0 items-center justify-center rounded-lg bg-indigo-50 text-base font-semibold text-indigo-700 uppercase ring-1 ring-indigo-100 dark:bg-indigo-500/10 dark:text-indigo-300 dark:ring-indigo-500/20"
        >
          {(blocklet.title || blocklet.name).charAt(0)}
        </span>
        <div className="min-w-0 flex-1">
          <h3 id={`blocklet-${blocklet.name}`} className="truncate font-semibold text-slate-900 dark:text-slate-100">
            {blocklet.title || blocklet.name}
          </h3>
          <p className="truncate font-mono text-xs text-slate-500 dark:text-slate-400">{blocklet.name}</p>
        </div>
      </div>
      <p className="mt-3 line-clamp-3 flex-1 text-sm text-slate-600 dark:text-slate-400">
        {blocklet.description || 'No description given.'}
      </p>
      <div className="mt-4 flex flex-wrap items-center gap-2">
        <Badge tone="emerald">v{live?.version ?? blocklet.latest.version}</Badge>
        {canary ? <Badge tone="amber">canary v{canary.version}</Badge> : null}
        <span className="truncate text-xs text-slate-500 dark:text-slate-400" title={blocklet.owner}>
          by <span className="font-mono">{shortenDid(blocklet.owner, 4, 4)}</span>
        </span>
      </div>
      <div className="mt-4 flex items-center justify-between border-t border-slate-100 pt-3 text-sm dark:border-slate-800">
        <Link
          prefetch={false}
          href={`/explorer/blocklets#${encodeURIComponent(blocklet.name)}`}
          className="font-medium text-indigo-600 hover:underline dark:text-indigo-400"
          aria-label={`${blocklet.title || blocklet.name} in the explorer`}
        >
          Details →
        </Link>
        <Link
          prefetch={false}
          href={`/explorer/blocks/${blocklet.latest.height}`}
          className="text-xs text-slate-500 hover:underline dark:text-slate-400"
        >
          deployed in block #{blocklet.latest.height.toLocaleString('en-US')}
        </Link>
      </div>
    </article>
  );
}
