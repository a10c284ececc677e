'use client';

import { Badge, Button, EmptyState, Panel, Skeleton, shortenMiddle } from '@arc/ui';
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useEffect, useRef, useState } from 'react';
import { ErrorNotice } from '../../components/error-notice.tsx';
import { useTRPC, useTRPCClient } from '../../trpc/react.tsx';
import { abt, formatPeriod, groupLines, invoiceStatus } from './format.ts';
import { LinesTable } from './lines-table.tsx';

/** Saves text as a file the browser downloads (a Blob behind a temporary object URL). */
function downloadText(filename: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  // The click has handed the URL to the download; it can go once this task is done.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/** One period's invoice: its lines per component, resource and day with their total, the settlement, and its CSV. */
export function InvoiceView({
  appDid,
  appName,
  period,
  onClose,
}: {
  appDid: string;
  appName: string;
  period: number;
  onClose: () => void;
}) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const invoice = useQuery(trpc.economy.invoice.queryOptions({ did: appDid, period }));
  const [downloading, setDownloading] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    ref.current?.scrollIntoView({ behavior: 'smooth', block: 'start' });
  }, []);

  async function download() {
    setError(null);
    setDownloading(true);
    try {
      const { filename, csv } = await client.economy.invoiceCsv.query({ did: appDid, period });
      downloadText(filename, csv, 'text/csv;charset=utf-8');
    } catch (caught) {
      setError(caught);
    } finally {
      setDownloading(false);
    }
  }

  const data = invoice.data;
  const groups = data ? groupLines(data.lines) : [];
  const total = groups.reduce((sum, g) => sum + g.amount, 0n);
  const status = data ? invoiceStatus[data.status] : null;

  return (
    <div ref={ref} className="scroll-mt-24">
      <Panel title="Invoice" aside={status ? <Badge tone={status.tone}>{status.label}</Badge> : undefined}>
        {invoice.error ? (
          <div className="p-4">
            <ErrorNotice error={invoice.error} onRetry={() => void invoice.refetch()} />
          </div>
        ) : !data ? (
          <div className="space-y-2 p-4" aria-busy="true">
            <Skeleton className="h-5 w-1/2" />
            <Skeleton className="h-24 w-full" />
          </div>
        ) : (
          <>
            <dl className="grid gap-x-6 gap-y-3 border-b border-slate-100 p-4 text-sm sm:grid-cols-3 dark:border-slate-800">
              <div className="min-w-0">
                <dt className="text-xs text-slate-500 dark:text-slate-400">{appName}, billed for</dt>
                <dd className="font-medium text-slate-900 dark:text-slate-100">{formatPeriod(data.startMs, data.endMs)}</dd>
              </div>
              <div>
                <dt className="text-xs text-slate-500 dark:text-slate-400">Charged to the deposit</dt>
                <dd className="font-medium text-slate-900 tabular-nums dark:text-slate-100" data-testid="invoice-charged">
                  {data.charged === null ? 'Not settled yet' : abt(data.charged)}
                </dd>
              </div>
              <div>
                <dt className="text-xs text-slate-500 dark:text-slate-400">Settlement</dt>
                <dd className="text-slate-900 dark:text-slate-100">
                  {data.txHash ? (
                    <Link href={`/explorer/tx/${data.txHash}`} className="font-mono text-indigo-700 hover:underline dark:text-indigo-300">
                      {shortenMiddle(data.txHash, 8, 6)}
                    </Link>
                  ) : data.status === 'open' ? (
                    'At the end of the period'
                  ) : (
                    'Being settled'
                  )}
                  {data.paid === false ? (
                    <span className="block text-xs text-red-700 dark:text-red-300">The deposit did not cover it</span>
                  ) : null}
                </dd>
              </div>
            </dl>
            {groups.length === 0 ? (
              <EmptyState title="Nothing was billed in this period" />
            ) : (
              <LinesTable label={`Invoice lines of period ${period}`} groups={groups} total={total} />
            )}
          </>
        )}
        <div className="flex flex-wrap items-center gap-2 border-t border-slate-100 p-4 dark:border-slate-800">
          <Button onClick={() => void download()} loading={downloading} disabled={!data}>
            Download CSV
          </Button>
          <Button variant="ghost" onClick={onClose}>
            Close
          </Button>
        </div>
        {error ? (
          <div className="px-4 pb-4">
            <ErrorNotice error={error} />
          </div>
        ) : null}
      </Panel>
    </div>
  );
}
