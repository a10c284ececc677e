/**
 * A bench's goals: each figure with the bar it aims at and whether this run met it. Benches print the verdict
 * beside the figure and put every goal in their JSON line, and exit 0 either way: a missed goal is a finding to
 * read, not a crash (only a broken bench exits non-zero, and the suite runs every bench in `--quick` mode to catch
 * that).
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
