'use client';

import { Panel, shortenDid, Table } from '@arc/ui';
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { ErrorNotice } from '../../components/error-notice.tsx';
import { useTRPC } from '../../trpc/react.tsx';
import { CreateApplication } from './create-form.tsx';

/** The developer's applications and the form that creates one. */
export function ApplicationsPage() {
  const trpc = useTRPC();
  const apps = useQuery(trpc.console.applications.queryOptions());
  return (
    <div className="space-y-6">
      <div className="space-y-1">
        <h1 className="text-2xl font-semibold tracking-tight text-slate-900 dark:text-slate-100">Applications</h1>
        <p className="text-sm text-slate-600 dark:text-slate-400">
          An application has its own DID and key (kept in your wallet), API keys for its servers, rules for its live topics, and can pay its
          users' fees.
        </p>
      </div>
      <Panel title="Your applications">
        {apps.error ? (
          <ErrorNotice error={apps.error} onRetry={() => apps.refetch()} />
        ) : (
          <Table
            label="Your applications"
            loading={apps.isPending}
            rows={apps.data}
            rowKey={(app) => app.appDid}
            columns={[
              {
                key: 'name',
                header: 'Name',
                cell: (app) => (
                  <Link
                    href={`/console/applications/${encodeURIComponent(app.appDid)}`}
                    className="font-medium text-indigo-700 hover:underline dark:text-indigo-300"
                  >
                    {app.name}
                  </Link>
                ),
              },
              { key: 'did', header: 'DID', cell: (app) => <span className="font-mono text-xs">{shortenDid(app.appDid)}</span> },
              { key: 'created', header: 'Created', cell: (app) => new Date(app.createdAtMs).toLocaleDateString() },
            ]}
            empty={<p className="py-6 text-center text-sm text-slate-600 dark:text-slate-400">No applications yet: create one below.</p>}
          />
        )}
      </Panel>
      <Panel title="Create an application">
        <div className="p-4">
          <CreateApplication />
        </div>
      </Panel>
    </div>
  );
}
