import type { ReactNode } from 'react';

export interface PanelProps {
  title: string;
  /** Shown at the right of the title: a count, a link, a control. */
  aside?: ReactNode;
  children: ReactNode;
  className?: string;
}

/** A titled white card that holds a table or a list; a `region` named after its title. */
export function Panel({ title, aside, children, className = '' }: PanelProps) {
  return (
    <section
      aria-label={title}
      className={`overflow-hidden rounded-xl bg-white dark:bg-slate-900 shadow-sm ring-1 ring-slate-200 dark:ring-slate-800 ${className}`}
    >
      <header className="flex items-center justify-between gap-4 border-b border-slate-200 dark:border-slate-800 px-4 py-3">
        <h2 className="text-sm font-semibold text-slate-900 dark:text-slate-100">{title}</h2>
        {aside ? <div className="text-xs text-slate-500 dark:text-slate-400">{aside}</div> : null}
      </header>
      {children}
    </section>
  );
}
