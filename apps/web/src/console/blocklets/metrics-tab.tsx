'use client';

import { useEffect, useRef, useState } from 'react';
import type uPlot from 'uplot';
import { useTRPCClient } from '../../trpc/react.tsx';
import { appendPoint, bucketsFromTotals, type MetricsPoint, totalOf, uplotColumns } from './metrics-series.ts';
import 'uplot/dist/uPlot.min.css';

/** How often the charts take a new point while the page is open. */
const SAMPLE_MS = 5_000;
/** History shown on open: this many buckets of BUCKET_MS before now. */
const HISTORY_BUCKETS = 12;
const BUCKET_MS = 5 * 60_000;

/** The blocklet's metrics over time: an hour of history in 5-minute buckets, then a point every 5 s while open. */
export function useMetricsSeries(name: string): { series: MetricsPoint[]; loading: boolean; error: unknown } {
  const trpc = useTRPCClient();
  const [series, setSeries] = useState<MetricsPoint[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let lastMs = Date.now();
    async function history() {
      const nowMs = Date.now();
      const starts = Array.from({ length: HISTORY_BUCKETS }, (_, i) => nowMs - (HISTORY_BUCKETS - i) * BUCKET_MS);
      const totals = await Promise.all(
        starts.map(async (sinceMs) => ({ sinceMs, rows: await trpc.blocklet.metrics.query({ name, sinceMs }) })),
      );
      lastMs = nowMs;
      if (!stopped) setSeries(bucketsFromTotals(totals, nowMs));
    }
    async function sample() {
      const nowMs = Date.now();
      try {
        const rows = await trpc.blocklet.metrics.query({ name, sinceMs: lastMs });
        lastMs = nowMs;
        if (!stopped) {
          setSeries((s) => appendPoint(s, totalOf(rows, nowMs)));
          setError(null);
        }
      } catch (caught) {
        if (!stopped) setError(caught);
      }
      if (!stopped) timer = setTimeout(() => void sample(), SAMPLE_MS);
    }
    history()
      .catch((caught: unknown) => {
        if (!stopped) setError(caught);
      })
      .finally(() => {
        if (stopped) return;
        setLoading(false);
        timer = setTimeout(() => void sample(), SAMPLE_MS);
      });
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [trpc, name]);

  return { series, loading, error };
}

type Field = keyof Omit<MetricsPoint, 'atMs'>;

/** One uPlot chart of some fields over time; redrawn as points arrive, resized with its box. */
function Chart({
  title,
  series,
  fields,
  unit,
}: {
  title: string;
  series: MetricsPoint[];
  fields: { field: Field; label: string; color: string }[];
  unit: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const data = uplotColumns(
    series,
    fields.map((f) => f.field),
  ) as uPlot.AlignedData;

  // biome-ignore lint/correctness/useExhaustiveDependencies: made once; data updates go through setData below.
  useEffect(() => {
    let disposed = false;
    let observer: ResizeObserver | undefined;
    void import('uplot').then(({ default: UPlot }) => {
      if (disposed || !box.current) return;
      const width = box.current.clientWidth || 300;
      plot.current = new UPlot(
        {
          width,
          height: 180,
          legend: { show: true },
          axes: [{ stroke: '#64748b' }, { stroke: '#64748b', size: 50 }],
          series: [{}, ...fields.map((f) => ({ label: `${f.label} (${unit})`, stroke: f.color, width: 2, spanGaps: true }))],
        },
        data,
        box.current,
      );
      observer = new ResizeObserver(() => {
        if (box.current && plot.current) plot.current.setSize({ width: box.current.clientWidth, height: 180 });
      });
      observer.observe(box.current);
    });
    return () => {
      disposed = true;
      observer?.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, []);

  useEffect(() => {
    plot.current?.setData(data);
  });

  const total = fields.map((f) => series.reduce((s, p) => Math.max(s, p[f.field] ?? 0), 0));
  return (
    <figure className="min-w-0 rounded-lg p-3 ring-1 ring-slate-200 dark:ring-slate-800">
      <figcaption className="mb-2 text-sm font-medium text-slate-800 dark:text-slate-200">{title}</figcaption>
      <div
        ref={box}
        className="h-[220px] w-full overflow-hidden text-slate-700 dark:text-slate-300"
        role="img"
        aria-label={`${title} over time; highest ${total.join(' / ')} ${unit}`}
      />
    </figure>
  );
}

/** The Metrics tab: invocations, errors, p50/p99 duration and CPU ms over time (blocklet.metrics). */
export function MetricsTab({ metrics }: { metrics: ReturnType<typeof useMetricsSeries> }) {
  const { series, loading } = metrics;
  const calls = series.reduce((s, p) => s + p.invocations, 0);
  const errors = series.reduce((s, p) => s + p.errors, 0);
  return (
    <div className="space-y-4">
      <p className="text-sm text-slate-600 dark:text-slate-400" data-testid="metrics-summary">
        {loading
          ? 'Loading the last hour…'
          : `${calls} invocation${calls === 1 ? '' : 's'} and ${errors} error${errors === 1 ? '' : 's'} in the last hour; a new point every 5 s.`}
      </p>
      <div className="grid gap-4 lg:grid-cols-2">
        <Chart
          title="Invocations"
          unit="calls"
          series={series}
          fields={[{ field: 'invocations', label: 'Invocations', color: '#4f46e5' }]}
        />
        <Chart title="Errors" unit="calls" series={series} fields={[{ field: 'errors', label: 'Errors', color: '#dc2626' }]} />
        <Chart
          title="Duration"
          unit="ms"
          series={series}
          fields={[
            { field: 'p50Ms', label: 'p50', color: '#0891b2' },
            { field: 'p99Ms', label: 'p99', color: '#d97706' },
          ]}
        />
        <Chart title="CPU time" unit="ms" series={series} fields={[{ field: 'cpuMs', label: 'CPU', color: '#059669' }]} />
      </div>
    </div>
  );
}
