import type { ReactNode } from 'react';
import { Skeleton } from './skeleton.tsx';

export interface StatCardProps {
  label: string;
  /** The figure itself; left out while `loading`. */
  value?: ReactNode;
  /** A line under the figure: its unit, a limit, where it comes from. */
  hint?: ReactNode;
  icon?: ReactNode;
  loading?: boolean;
  className?: string;
}

/** One figure with its label, as a card; a `group` named after the label for assistive tech and tests. */
export function StatCard({ label, value, hint, icon, loading = false, className = '' }: StatCardProps) {
  return (
    // biome-ignore lint/a11y/useSemanticElements: a label and its figure, not form controls, so not a <fieldset>
    <div
      role="group"
      aria-label={label}
      aria-busy={loading}
      className={`flex min-w-0 flex-col gap-2 rounded-xl bg-white dark:bg-slate-900 p-4 shadow-sm ring-1 ring-slate-200 dark:ring-slate-800 ${className}`}
    >
      <div className="flex items-center justify-between gap-2 text-xs font-medium tracking-wide text-slate-500 dark:text-slate-400 uppercase">
        <span className="truncate">{label}</span>
        {icon ? <span className="size-4 shrink-0 text-slate-400 dark:text-slate-500">{icon}</span> : null}
      </div>
      <div className="min-h-7 text-xl font-semibold text-slate-900 dark:text-slate-100 tabular-nums" data-stat-value="">
        {loading ? <Skeleton className="mt-1 h-5 w-28" /> : value}
      </div>
      {hint !== undefined ? (
        <div className="text-xs text-pretty text-slate-500 dark:text-slate-400">{loading ? <Skeleton className="h-3 w-20" /> : hint}</div>
      ) : null}
    </div>
  );
}
