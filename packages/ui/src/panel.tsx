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
    <section aria-label={title} className={`overflow-hidden rounded-xl bg-white shadow-sm ring-1 ring-slate-200 ${className}`}>
      <header className="flex items-center justify-between gap-4 border-b border-slate-200 px-4 py-3">
        <h2 className="text-sm font-semibold text-slate-900">{title}</h2>
        {aside ? <div className="text-xs text-slate-500">{aside}</div> : null}
      </header>
      {children}
    </section>
  );
}
