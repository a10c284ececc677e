const secondMs = 1000;
const minuteMs = 60 * secondMs;
const hourMs = 60 * minuteMs;
const dayMs = 24 * hourMs;

const units = [
  { ms: dayMs, one: 'day', short: 'd' },
  { ms: hourMs, one: 'hour', short: 'h' },
  { ms: minuteMs, one: 'minute', short: 'min' },
  { ms: secondMs, one: 'second', short: 's' },
] as const;

/**
 * A length of time in words, in its largest whole unit and the next one when it adds something: "30 days",
 * "20 seconds", "1 day 12 hours", "90 minutes" is "1 hour 30 minutes". Under a second is "less than a second".
 */
export function formatDuration(ms: number): string {
  if (ms < secondMs) return 'less than a second';
  const index = units.findIndex((u) => ms >= u.ms);
  const unit = units[index] ?? units[3];
  const whole = Math.floor(ms / unit.ms);
  const words = [`${whole} ${unit.one}${whole === 1 ? '' : 's'}`];
  const next = units[index + 1];
  if (next) {
    const rest = Math.floor((ms - whole * unit.ms) / next.ms);
    if (rest > 0) words.push(`${rest} ${next.one}${rest === 1 ? '' : 's'}`);
  }
  return words.join(' ');
}

/**
 * What is left until `untilMs`, short, for a countdown: "45 s", "3 min 20 s", "2 h 5 min", "6 d 23 h"; at or past it,
 * "0 s". Rounded up to the second, so a countdown never shows 0 before its time.
 */
export function formatCountdown(untilMs: number, nowMs: number): string {
  const leftMs = Math.max(0, Math.ceil((untilMs - nowMs) / secondMs) * secondMs);
  if (leftMs === 0) return '0 s';
  const index = units.findIndex((u) => leftMs >= u.ms);
  const unit = units[index] ?? units[3];
  const whole = Math.floor(leftMs / unit.ms);
  const next = units[index + 1];
  const rest = next ? Math.floor((leftMs - whole * unit.ms) / next.ms) : 0;
  return next && rest > 0 ? `${whole} ${unit.short} ${rest} ${next.short}` : `${whole} ${unit.short}`;
}
