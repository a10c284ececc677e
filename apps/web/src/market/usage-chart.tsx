'use client';

import { useEffect, useRef } from 'react';
import type uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { plural } from '../explorer/format.ts';

const chartHeightPx = 200;

/** Calls and installs per day over the last 30 days (uPlot, loaded when the page shows it), with a summary in words. */
export function UsageChart({ days }: { days: { day: string; calls: number; installs: number }[] }) {
  const box = useRef<HTMLDivElement>(null);
  const calls = days.reduce((sum, d) => sum + d.calls, 0);
  const installs = days.reduce((sum, d) => sum + d.installs, 0);
  const busiest = days.reduce<{ day: string; calls: number } | null>((best, d) => (best === null || d.calls > best.calls ? d : best), null);

  useEffect(() => {
    let disposed = false;
    let plot: uPlot | null = null;
    let observer: ResizeObserver | undefined;
    const data: uPlot.AlignedData = [
      days.map((d) => Date.parse(`${d.day}T00:00:00Z`) / 1000),
      days.map((d) => d.calls),
      days.map((d) => d.installs),
    ];
    void import('uplot').then(({ default: UPlot }) => {
      if (disposed || !box.current) return;
      plot = new UPlot(
        {
          width: box.current.clientWidth || 300,
          height: chartHeightPx,
          legend: { show: true },
          axes: [
            { stroke: '#64748b' },
            { stroke: '#64748b', size: 50, scale: 'calls' },
            { stroke: '#64748b', side: 1, scale: 'installs', grid: { show: false } },
          ],
          scales: { calls: { auto: true }, installs: { auto: true } },
          // Hovering shows a day's values; otherwise the legend shows the 30 days' totals, not uPlot's "--".
          series: [
            {
              label: 'Day',
              value: (_u, v, _s, idx) => (idx === null ? 'last 30 days' : new Date(v * 1000).toISOString().slice(0, 10)),
            },
            {
              label: 'Calls',
              stroke: '#4f46e5',
              fill: 'rgba(79,70,229,0.12)',
              width: 2,
              scale: 'calls',
              value: (_u, v, _s, idx) => (idx === null ? calls : (v ?? 0)).toLocaleString('en-US'),
            },
            {
              label: 'Installs',
              stroke: '#059669',
              width: 2,
              scale: 'installs',
              value: (_u, v, _s, idx) => (idx === null ? installs : (v ?? 0)).toLocaleString('en-US'),
            },
          ],
        },
        data,
        box.current,
      );
      observer = new ResizeObserver(() => {
        if (box.current && plot) plot.setSize({ width: box.current.clientWidth, height: chartHeightPx });
      });
      observer.observe(box.current);
    });
    return () => {
      disposed = true;
      observer?.disconnect();
      plot?.destroy();
    };
  }, [days, calls, installs]);

  const summary = `${plural(calls, 'call')} and ${plural(installs, 'install')} in the last 30 days${
    busiest && busiest.calls > 0 ? `; busiest day ${busiest.day} with ${plural(busiest.calls, 'call')}` : ''
  }.`;
  return (
    <figure className="min-w-0">
      <figcaption className="mb-2 text-sm text-slate-600 dark:text-slate-400">{summary}</figcaption>
      <div
        ref={box}
        role="img"
        aria-label={`Chart: ${summary}`}
        className="h-[250px] w-full overflow-hidden text-slate-700 dark:text-slate-300"
      />
    </figure>
  );
}
