import type { ReactNode } from 'react';

export interface KeyValueItem {
  label: ReactNode;
  value: ReactNode;
  /** A stable key when labels are not strings. */
  key?: string;
}

/** A list of labelled values (a block's header, an account's facts): two columns on wide screens, stacked on phones. */
export function KeyValueList({ items, className = '' }: { items: KeyValueItem[]; className?: string }) {
  return (
    <dl className={`divide-y divide-slate-100 dark:divide-slate-800 ${className}`}>
      {items.map((item, index) => (
        <div
          key={item.key ?? (typeof item.label === 'string' ? item.label : index)}
          className="grid gap-1 px-4 py-3 sm:grid-cols-[12rem_minmax(0,1fr)] sm:gap-4"
        >
          <dt className="text-sm text-slate-500 dark:text-slate-400">{item.label}</dt>
          <dd className="min-w-0 text-sm break-words text-slate-900 dark:text-slate-100">{item.value}</dd>
        </div>
      ))}
    </dl>
  );
}
