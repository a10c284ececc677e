/**
 * A bench's goals and figures, in the shape every bench of the repo prints (apps/node/bench, apps/web/bench): each
 * figure with the bar it aims at and whether this run met it. Benches print the verdict beside the figure and put
 * every goal in their JSON line, and exit 0 either way: a missed goal is a finding to read, not a crash (only a
 * broken bench exits non-zero, and the suite runs every bench in `--quick` mode to catch that). Repo tooling, so
 * that no app imports another's code.
 */
export interface Goal {
  /** The JSON field of the figure. */
  figure: string;
  value: number;
  op: '<=' | '>=';
  target: number;
  met: boolean;
}

export function goal(figure: string, value: number, op: Goal['op'], target: number): Goal {
  return { figure, value, op, target, met: op === '<=' ? value <= target : value >= target };
}

/** `goal ≤ 2: met` — printed beside the figure. */
export function goalText(g: Goal): string {
  return `goal ${g.op === '<=' ? '≤' : '≥'} ${g.target}: ${g.met ? 'met' : 'MISSED'}`;
}

/** The JSON line's verdict: every goal by figure, and whether all were met. */
export function verdict(goals: Goal[]): { goals: Goal[]; allGoalsMet: boolean } {
  return { goals, allGoalsMet: goals.every((g) => g.met) };
}

/** The q-quantile (0..1) of `values` by nearest rank; null for no values. */
export function quantile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] ?? null;
}

/** Rounded to `digits` decimals (figures are printed and compared as shown). */
export function round(value: number, digits = 1): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
