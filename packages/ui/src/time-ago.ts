const secondMs = 1000;
const minuteMs = 60 * secondMs;
const hourMs = 60 * minuteMs;
const dayMs = 24 * hourMs;

/** "12s ago", "3m ago", "5h ago", "2d ago"; a time at or after `nowMs` (clock skew) is "just now". */
export function formatTimeAgo(timeMs: number, nowMs: number): string {
  const elapsedMs = nowMs - timeMs;
  if (elapsedMs < secondMs) return 'just now';
  if (elapsedMs < minuteMs) return `${Math.floor(elapsedMs / secondMs)}s ago`;
  if (elapsedMs < hourMs) return `${Math.floor(elapsedMs / minuteMs)}m ago`;
  if (elapsedMs < dayMs) return `${Math.floor(elapsedMs / hourMs)}h ago`;
  return `${Math.floor(elapsedMs / dayMs)}d ago`;
}
