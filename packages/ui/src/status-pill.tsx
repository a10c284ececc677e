export type StatusTone = 'live' | 'pending' | 'down';

const tones: Record<StatusTone, { dot: string; ping: boolean }> = {
  live: { dot: 'bg-emerald-400', ping: true },
  pending: { dot: 'bg-amber-400', ping: false },
  down: { dot: 'bg-red-500', ping: false },
};

/** A dot and a word for a connection's state, made for a dark background. */
export function StatusPill({ tone, label, title }: { tone: StatusTone; label: string; title?: string }) {
  const { dot, ping } = tones[tone];
  return (
    <span
      role="status"
      title={title}
      className="inline-flex items-center gap-2 rounded-full bg-white/5 px-2.5 py-1 text-xs font-medium whitespace-nowrap text-slate-200 ring-1 ring-white/10"
    >
      <span className="relative flex size-2">
        {ping ? <span className={`absolute inline-flex size-full motion-safe:animate-ping rounded-full opacity-60 ${dot}`} /> : null}
        <span className={`relative inline-flex size-2 rounded-full ${dot}`} />
      </span>
      {label}
    </span>
  );
}
