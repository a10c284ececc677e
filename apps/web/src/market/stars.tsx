/** Five stars filled to the average (to a half star), with the number beside; the words are for screen readers. */
export function Stars({
  average,
  count,
  size = 'sm',
  single = false,
}: {
  average: number | null;
  count: number;
  size?: 'sm' | 'lg';
  /** One person's stars (a review), not an average: "4 of 5" without a count. */
  single?: boolean;
}) {
  const filled = average === null ? 0 : Math.round(average * 2) / 2;
  const label =
    average === null || count === 0
      ? 'No reviews yet'
      : single
        ? `${average} out of 5 stars`
        : `Rated ${average.toFixed(1)} out of 5 by ${count} reviewer${count === 1 ? '' : 's'}`;
  return (
    <span className="inline-flex items-center gap-1" role="img" aria-label={label}>
      <span aria-hidden="true" className={`tracking-tight ${size === 'lg' ? 'text-lg' : 'text-sm'}`}>
        {[1, 2, 3, 4, 5].map((star) => (
          <span
            key={star}
            className={
              star <= filled
                ? 'text-amber-500'
                : star - 0.5 === filled
                  ? 'bg-gradient-to-r from-amber-500 from-50% to-slate-300 to-50% bg-clip-text text-transparent dark:to-slate-600'
                  : 'text-slate-300 dark:text-slate-600'
            }
          >
            ★
          </span>
        ))}
      </span>
      <span aria-hidden="true" className="text-xs text-slate-600 dark:text-slate-400">
        {average === null || count === 0
          ? 'no reviews'
          : single
            ? `${average} of 5`
            : `${average.toFixed(1)} (${count.toLocaleString('en-US')})`}
      </span>
    </span>
  );
}

/**
 * The verified-publisher mark: a check in a badge, with its meaning in words. `compact` (cards, where the publisher's
 * name needs the room) shows the check alone; the words stay for screen readers and in the tooltip.
 */
export function VerifiedMark({ compact = false }: { compact?: boolean }) {
  return (
    <span
      title="Verified publisher: reputation above the marketplace's bar"
      className={`inline-flex shrink-0 items-center gap-0.5 rounded-full bg-sky-50 py-0.5 text-[11px] font-medium text-sky-800 ring-1 ring-sky-200 ring-inset dark:bg-sky-500/10 dark:text-sky-300 dark:ring-sky-500/30 ${compact ? 'px-1' : 'px-1.5'}`}
    >
      <span aria-hidden="true">✓</span>
      {compact ? <span className="sr-only">verified publisher</span> : ' verified'}
    </span>
  );
}
