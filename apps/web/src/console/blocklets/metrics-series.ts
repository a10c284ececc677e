/** One row of blocklet.metrics: a version's invocations since a time. */
export interface MetricsRow {
  version: string;
  invocations: number;
  errors: number;
  p50Ms: number | null;
  p99Ms: number | null;
  cpuMs: number;
}

/** One point of the charts: what happened in the interval ending at `atMs`. */
export interface MetricsPoint {
  atMs: number;
  invocations: number;
  errors: number;
  p50Ms: number | null;
  p99Ms: number | null;
  cpuMs: number;
}

/** Points kept per chart: an hour of 5-second samples would be 720; the oldest go first. */
export const METRICS_POINTS_MAX = 360;

/** Sums the versions' rows (percentiles: the slowest version's, the honest upper bound). */
export function totalOf(rows: MetricsRow[], atMs: number): MetricsPoint {
  const max = (values: (number | null)[]) =>
    values.reduce<number | null>((m, v) => (v === null ? m : m === null ? v : Math.max(m, v)), null);
  return {
    atMs,
    invocations: rows.reduce((s, r) => s + r.invocations, 0),
    errors: rows.reduce((s, r) => s + r.errors, 0),
    p50Ms: max(rows.map((r) => r.p50Ms)),
    p99Ms: max(rows.map((r) => r.p99Ms)),
    cpuMs: rows.reduce((s, r) => s + r.cpuMs, 0),
  };
}

/**
 * History from "since" totals, oldest bucket start first and `now` last: each bucket's counts are the difference
 * of two neighbours' totals. Percentiles cannot be differenced, so history points carry none.
 */
export function bucketsFromTotals(totals: { sinceMs: number; rows: MetricsRow[] }[], nowMs: number): MetricsPoint[] {
  const points: MetricsPoint[] = [];
  for (let i = 0; i < totals.length; i += 1) {
    const current = totalOf(totals[i]?.rows ?? [], 0);
    const next = i + 1 < totals.length ? totalOf(totals[i + 1]?.rows ?? [], 0) : null;
    const end = i + 1 < totals.length ? (totals[i + 1]?.sinceMs ?? nowMs) : nowMs;
    points.push({
      atMs: end,
      invocations: current.invocations - (next?.invocations ?? 0),
      errors: current.errors - (next?.errors ?? 0),
      p50Ms: null,
      p99Ms: null,
      cpuMs: Math.max(0, current.cpuMs - (next?.cpuMs ?? 0)),
    });
  }
  return points;
}

/** The series with a new point, bounded to METRICS_POINTS_MAX. */
export function appendPoint(series: MetricsPoint[], point: MetricsPoint): MetricsPoint[] {
  const next = [...series, point];
  return next.length > METRICS_POINTS_MAX ? next.slice(next.length - METRICS_POINTS_MAX) : next;
}

/** uPlot's columns: x in seconds, then each field. */
export function uplotColumns(series: MetricsPoint[], fields: (keyof Omit<MetricsPoint, 'atMs'>)[]): (number | null)[][] {
  return [series.map((p) => p.atMs / 1000), ...fields.map((f) => series.map((p) => p[f]))];
}
