/** A grey pulsing bar that holds the place of text while it loads; size it with `className`. */
export function Skeleton({ className = 'h-4 w-24' }: { className?: string }) {
  return <span aria-hidden="true" className={`block motion-safe:animate-pulse rounded bg-slate-200 dark:bg-slate-700/70 ${className}`} />;
}
