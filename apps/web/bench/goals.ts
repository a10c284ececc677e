/**
 * bench:web's goals and figures, in the shape every bench of the repo prints (apps/node/bench/goals.ts: the web app
 * may not import the node's code): each figure with the bar it aims at and whether this run met it, printed beside
 * the figure and carried in the JSON line. The bench exits 0 either way.
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

/** `goal < 200: met` — printed beside the figure. */
export function goalText(g: Goal): string {
  return `goal ${g.op === '<=' ? '≤' : '≥'} ${g.target}: ${g.met ? 'met' : 'MISSED'}`;
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
