'use client';

import { Badge, Button, EmptyState, Pagination, Panel, Table } from '@arc/ui';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { ErrorNotice } from '../../components/error-notice.tsx';
import { useTRPC } from '../../trpc/react.tsx';
import { BILLING_REFRESH_MS, useBilling } from './billing-section.tsx';
import { abt, formatPeriod, type InvoiceSummary, invoiceStatus } from './format.ts';
import { InvoiceView } from './invoice-view.tsx';

/** Periods per page of the invoice list. */
export const INVOICES_PAGE = 6;

/** The application's billing periods, newest first, a page at a time; "View" opens one period's invoice below. */
export function Invoices({ appDid, appName }: { appDid: string; appName: string }) {
  const trpc = useTRPC();
  const billing = useBilling(appDid);
  // The `beforePeriod` of each page shown so far: the last is the current page (undefined: the newest).
  const [cursors, setCursors] = useState<(number | undefined)[]>([undefined]);
  const [selected, setSelected] = useState<number | null>(null);
  const beforePeriod = cursors[cursors.length - 1];
  const open = billing.data?.open === true;
  const page = useQuery(
    trpc.economy.invoices.queryOptions(
      { did: appDid, limit: INVOICES_PAGE, ...(beforePeriod === undefined ? {} : { beforePeriod }) },
      { enabled: open, refetchInterval: BILLING_REFRESH_MS },
    ),
  );
  if (!open) return null;
  const next = page.data?.nextBeforePeriod ?? null;

  return (
    <>
      <Panel title="Invoices" aside="newest first">
        {page.error ? (
          <div className="p-4">
            <ErrorNotice error={page.error} onRetry={() => void page.refetch()} />
          </div>
        ) : (
          <>
            <Table<InvoiceSummary>
              label="Invoices"
              rows={page.data?.items}
              loading={page.isPending}
              skeletonRows={3}
              rowKey={(invoice) => String(invoice.period)}
              columns={[
                {
                  key: 'period',
                  header: 'Period',
                  cell: (invoice) => (
                    <span className="flex max-w-[11rem] flex-col leading-tight whitespace-normal sm:max-w-none">
                      <span className="font-medium text-slate-900 dark:text-slate-100">{formatPeriod(invoice.startMs, invoice.endMs)}</span>
                      <span className="text-xs text-slate-500 dark:text-slate-400">Period {invoice.period}</span>
                    </span>
                  ),
                },
                {
                  key: 'metered',
                  header: 'Metered',
                  align: 'right',
                  className: 'hidden md:table-cell',
                  cell: (invoice) => <span className="tabular-nums">{abt(invoice.metered)}</span>,
                },
                {
                  key: 'charged',
                  header: 'Charged',
                  align: 'right',
                  cell: (invoice) => (
                    <span className="flex flex-col items-end gap-1 leading-tight">
                      <span className="tabular-nums">{invoice.charged === null ? '—' : abt(invoice.charged)}</span>
                      {/* Phones have no Status column: the status goes under the amount. */}
                      <span className="sm:hidden">
                        <StatusBadge invoice={invoice} />
                      </span>
                    </span>
                  ),
                },
                {
                  key: 'status',
                  header: 'Status',
                  className: 'hidden sm:table-cell',
                  cell: (invoice) => <StatusBadge invoice={invoice} />,
                },
                {
                  key: 'view',
                  header: <span className="sr-only">Actions</span>,
                  align: 'right',
                  cell: (invoice) => (
                    <Button
                      size="sm"
                      variant={selected === invoice.period ? 'secondary' : 'ghost'}
                      aria-label={`View the invoice of period ${invoice.period}`}
                      aria-pressed={selected === invoice.period}
                      onClick={() => setSelected(selected === invoice.period ? null : invoice.period)}
                    >
                      View
                    </Button>
                  ),
                },
              ]}
              empty={
                <EmptyState
                  title="No invoices yet"
                  description="A period shows here once your users use the application; it is settled at the period's end."
                />
              }
            />
            {cursors.length > 1 || next !== null ? (
              <div className="border-t border-slate-100 dark:border-slate-800">
                <Pagination
                  onNewer={cursors.length > 1 ? () => setCursors(cursors.slice(0, -1)) : undefined}
                  onOlder={next !== null ? () => setCursors([...cursors, next]) : undefined}
                  status={`Page ${cursors.length}`}
                  loading={page.isFetching}
                />
              </div>
            ) : null}
          </>
        )}
      </Panel>
      {selected !== null ? <InvoiceView appDid={appDid} appName={appName} period={selected} onClose={() => setSelected(null)} /> : null}
    </>
  );
}

function StatusBadge({ invoice }: { invoice: InvoiceSummary }) {
  const status = invoiceStatus[invoice.status];
  return <Badge tone={status.tone}>{status.label}</Badge>;
}
