'use client';

import { buttonClass, Panel, StatCard, shortenDid, Table } from '@arc/ui';
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { ErrorNotice } from '../../../components/error-notice.tsx';
import { useTRPC } from '../../../trpc/react.tsx';

/** The console's home: what the developer has (applications, blocklets), the latest deploys, and where to go next. */
export function ConsoleOverview() {
  const trpc = useTRPC();
  const overview = useQuery(trpc.console.overview.queryOptions());
  const apps = useQuery(trpc.console.applications.queryOptions());
  const loading = overview.isPending;
  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div className="space-y-1">
          <h1 className="text-2xl font-semibold tracking-tight text-slate-900 dark:text-slate-100">Overview</h1>
          <p className="text-sm text-slate-600 dark:text-slate-400">
            {overview.data ? (
              <>
                Signed in as <span className="font-mono">{shortenDid(overview.data.did)}</span>.
              </>
            ) : (
              'Your applications and blocklets.'
            )}
          </p>
        </div>
        <div className="flex flex-wrap gap-2">
          <Link href="/console/blocklets/new" className={buttonClass()}>
            New blocklet
          </Link>
          <Link href="/console/applications" className={buttonClass({ variant: 'secondary' })}>
            New application
          </Link>
        </div>
      </div>
      {overview.error ? <ErrorNotice error={overview.error} onRetry={() => overview.refetch()} /> : null}
      <div className="grid grid-cols-2 gap-4">
        <StatCard
          label="Applications"
          loading={loading}
          value={overview.data?.applications}
          hint={
            <Link href="/console/applications" className="underline underline-offset-2">
              Manage applications
            </Link>
          }
        />
        <StatCard
          label="Blocklets"
          loading={loading}
          value={overview.data?.blocklets}
          hint={
            <Link href="/console/blocklets" className="underline underline-offset-2">
              Manage blocklets
            </Link>
          }
        />
      </div>
      <div className="grid gap-6 lg:grid-cols-2">
        <Panel title="Recent deploys">
          <Table
            label="Recent deploys"
            loading={loading}
            rows={overview.data?.recentDeploys}
            rowKey={(d) => `${d.name}@${d.version}`}
            columns={[
              {
                key: 'name',
                header: 'Blocklet',
                cell: (d) => (
                  <Link
                    href={`/console/blocklets/${encodeURIComponent(d.name)}`}
                    className="font-medium text-indigo-700 hover:underline dark:text-indigo-300"
                  >
                    {d.name}
                  </Link>
                ),
              },
              { key: 'version', header: 'Version', cell: (d) => <span className="font-mono text-xs">{d.version}</span> },
              {
                key: 'height',
                header: 'Block',
                align: 'right',
                cell: (d) => (
                  <Link href={`/explorer/tx/${d.txHash}`} className="hover:underline">
                    #{d.height}
                  </Link>
                ),
              },
            ]}
            empty={
              <p className="py-4 text-center text-sm text-slate-600 dark:text-slate-400">
                No deploys yet.{' '}
                <Link href="/console/blocklets/new" className="text-indigo-700 underline underline-offset-2 dark:text-indigo-300">
                  Create a blocklet
                </Link>{' '}
                from a template.
              </p>
            }
          />
        </Panel>
        <Panel title="Your applications">
          <Table
            label="Your applications"
            loading={apps.isPending}
            rows={apps.data?.slice(0, 5)}
            rowKey={(a) => a.appDid}
            columns={[
              {
                key: 'name',
                header: 'Name',
                cell: (a) => (
                  <Link
                    href={`/console/applications/${encodeURIComponent(a.appDid)}`}
                    className="font-medium text-indigo-700 hover:underline dark:text-indigo-300"
                  >
                    {a.name}
                  </Link>
                ),
              },
              { key: 'did', header: 'DID', cell: (a) => <span className="font-mono text-xs">{shortenDid(a.appDid)}</span> },
            ]}
            empty={
              <p className="py-4 text-center text-sm text-slate-600 dark:text-slate-400">
                No applications yet.{' '}
                <Link href="/console/applications" className="text-indigo-700 underline underline-offset-2 dark:text-indigo-300">
                  Create one
                </Link>
                .
              </p>
            }
          />
        </Panel>
      </div>
    </div>
  );
}
