import type { HTMLAttributes } from 'react';

/** A plain white (dark: slate) rounded surface; Panel is the titled one. */
export function Card({ className = '', ...props }: HTMLAttributes<HTMLDivElement>) {
  return (
    <div className={`rounded-xl bg-white shadow-sm ring-1 ring-slate-200 dark:bg-slate-900 dark:ring-slate-800 ${className}`} {...props} />
  );
}
