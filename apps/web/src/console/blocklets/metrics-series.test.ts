import { describe, expect, it } from 'vitest';
import { appendPoint, bucketsFromTotals, METRICS_POINTS_MAX, totalOf, uplotColumns } from './metrics-series.ts';

const row = (version: string, invocations: number, errors = 0, cpuMs = invocations, p99Ms: number | null = 10) => ({
  version,
  invocations,
  errors,
  p50Ms: p99Ms === null ? null : p99Ms / 2,
  p99Ms,
  cpuMs,
});

describe('metrics series', () => {
  it('sums versions and keeps the slowest percentile', () => {
    expect(totalOf([row('1.0.0', 3, 1, 5, 40), row('1.1.0', 2, 0, 1, 90)], 7)).toEqual({
      atMs: 7,
      invocations: 5,
      errors: 1,
      p50Ms: 45,
      p99Ms: 90,
      cpuMs: 6,
    });
  });

  it('turns totals since each bucket start into per-bucket counts', () => {
    const points = bucketsFromTotals(
      [
        { sinceMs: 0, rows: [row('1.0.0', 10, 2)] },
        { sinceMs: 100, rows: [row('1.0.0', 4, 1)] },
        { sinceMs: 200, rows: [] },
      ],
      300,
    );
    expect(points.map((p) => [p.atMs, p.invocations, p.errors])).toEqual([
      [100, 6, 1],
      [200, 4, 1],
      [300, 0, 0],
    ]);
    expect(points.every((p) => p.p99Ms === null)).toBe(true);
  });

  it('keeps at most METRICS_POINTS_MAX points and gives uPlot seconds', () => {
    let series = bucketsFromTotals([{ sinceMs: 0, rows: [] }], 1000);
    for (let i = 0; i < METRICS_POINTS_MAX + 5; i += 1) series = appendPoint(series, totalOf([row('1.0.0', i)], 2000 + i * 1000));
    expect(series).toHaveLength(METRICS_POINTS_MAX);
    const last = 2000 + (METRICS_POINTS_MAX + 4) * 1000;
    expect(uplotColumns(series.slice(-1), ['invocations', 'p99Ms'])).toEqual([[last / 1000], [METRICS_POINTS_MAX + 4], [10]]);
  });
});
