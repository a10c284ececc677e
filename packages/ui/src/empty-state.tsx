import type { ReactNode } from 'react';

export interface EmptyStateProps {
  title: string;
  description?: ReactNode;
  icon?: ReactNode;
  /** A button or link that gets the person out of this state. */
  action?: ReactNode;
  tone?: 'neutral' | 'danger';
}

const tones = {
  neutral: { icon: 'bg-slate-100 dark:bg-slate-800 text-slate-500 dark:text-slate-400', title: 'text-slate-900 dark:text-slate-100' },
  danger: {
    icon: 'bg-red-50 text-red-600 ring-1 ring-red-100 dark:bg-red-500/10 dark:text-red-400 dark:ring-red-500/20',
    title: 'text-slate-900 dark:text-slate-100',
  },
} as const;

/** A centered message for "nothing here yet" and "something is wrong", with an optional way out. */
export function EmptyState({ title, description, icon, action, tone = 'neutral' }: EmptyStateProps) {
  const colors = tones[tone];
  return (
    <div className="flex flex-col items-center gap-3 px-6 py-10 text-center">
      {icon ? <span className={`flex size-11 items-center justify-center rounded-full [&>svg]:size-5 ${colors.icon}`}>{icon}</span> : null}
      <div className="space-y-1">
        <p className={`max-w-lg text-sm font-semibold text-balance ${colors.title}`}>{title}</p>
        {description ? <div className="max-w-md text-sm text-pretty text-slate-500 dark:text-slate-400">{description}</div> : null}
      </div>
      {action ? <div className="pt-1">{action}</div> : null}
    </div>
  );
}
