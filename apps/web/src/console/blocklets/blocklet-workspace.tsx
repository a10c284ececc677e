'use client';

import { type BlockletManifest, MANIFEST_FILES, parseManifest } from '@arc/core';
import { Badge, Skeleton, Tabs } from '@arc/ui';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { type ReactNode, useEffect, useState } from 'react';
import { ErrorNotice } from '../../components/error-notice.tsx';
import { useTRPC } from '../../trpc/react.tsx';
import { CallTab } from './call-tab.tsx';
import { CodeTab } from './code-tab.tsx';
import { DeployTab } from './deploy-tab.tsx';
import { loadDraft, saveDraft } from './drafts.ts';
import { EnvTab } from './env-tab.tsx';
import { LogsTab, useLogStream } from './logs-tab.tsx';
import { MetricsTab, useMetricsSeries } from './metrics-tab.tsx';
import { AliasesTab, VersionsTab } from './releases.tsx';
import { UsageTab } from './usage-tab.tsx';

const TABS = ['code', 'deploy', 'versions', 'aliases', 'environment', 'logs', 'metrics', 'usage', 'call'] as const;
type Tab = (typeof TABS)[number];

function draftManifest(files: Record<string, string>): BlockletManifest | null {
  const file = MANIFEST_FILES.find((f) => files[f] !== undefined);
  if (!file) return null;
  try {
    return parseManifest(files[file] as string, file);
  } catch {
    // An invalid draft manifest is shown in the Code tab; here it only means "no routes known from the draft".
    return null;
  }
}

function NotDeployed({ what }: { what: string }) {
  return <p className="text-sm text-slate-600 dark:text-slate-400">{what} appear once the blocklet is deployed (Deploy tab).</p>;
}

/** `/console/blocklets/[name]`: the blocklet's code, deploys, versions, aliases, environment, logs, metrics, usage and calls. */
export function BlockletWorkspace({ name, nodeUrl }: { name: string; nodeUrl: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const params = useSearchParams();
  const tab: Tab = (TABS as readonly string[]).includes(params.get('tab') ?? '') ? (params.get('tab') as Tab) : 'code';
  const blocklet = useQuery({ ...trpc.blocklet.get.queryOptions({ name }), retry: false });
  const [files, setFiles] = useState<Record<string, string> | null>(null);
  const metrics = useMetricsSeries(name);
  const logLines = useLogStream(name);

  useEffect(() => setFiles(loadDraft(name)?.files ?? {}), [name]);

  const notFound =
    (blocklet.error as { data?: { code?: string } } | null)?.data?.code === 'NOT_FOUND' ||
    (blocklet.error?.message ?? '').includes('not found');
  const detail = blocklet.data ?? null;

  function changeFile(path: string, text: string) {
    setFiles((current) => {
      const next = { ...(current ?? {}), [path]: text };
      saveDraft(name, next, Date.now());
      return next;
    });
  }
  const refresh = () => void queryClient.invalidateQueries({ queryKey: trpc.blocklet.get.queryKey({ name }) });

  // Skeleton on the first load only: a refetch after "not found" (e.g. right after the first deploy) puts the query
  // back in pending, and unmounting the tabs then would lose the Deploy tab's progress.
  if (files === null || (blocklet.isPending && !notFound && blocklet.errorUpdatedAt === 0)) {
    return (
      <div className="space-y-4" aria-busy="true">
        <Skeleton className="h-7 w-56" />
        <Skeleton className="h-10 w-full" />
        <Skeleton className="h-80 w-full" />
      </div>
    );
  }
  if (blocklet.error && !notFound) return <ErrorNotice error={blocklet.error} onRetry={() => void blocklet.refetch()} />;
  if (!detail && Object.keys(files).length === 0) {
    return (
      <div className="space-y-2">
        <h1 className="text-xl font-semibold text-slate-900 dark:text-slate-100">{name}</h1>
        <p className="text-sm text-slate-600 dark:text-slate-400">
          No blocklet is named {name} on this node, and this browser has no draft of it.{' '}
          <Link href="/console/blocklets/new" className="text-indigo-700 underline dark:text-indigo-300">
            Create one
          </Link>
          .
        </p>
      </div>
    );
  }

  const routes = (detail?.manifest as BlockletManifest | undefined)?.interfaces?.http ?? draftManifest(files)?.interfaces.http ?? [];
  const declaredEnv = (detail?.manifest as BlockletManifest | undefined)?.environment ?? draftManifest(files)?.environment ?? [];
  const live = detail?.aliases.find((a) => a.alias === 'live');
  const canary = detail?.aliases.find((a) => a.alias === 'canary');
  const deployedOnly = (what: string, content: (d: NonNullable<typeof detail>) => ReactNode) =>
    detail ? content(detail) : <NotDeployed what={what} />;

  const items: { value: Tab; label: string; content: ReactNode }[] = [
    { value: 'code', label: 'Code', content: <CodeTab files={files} onChange={changeFile} /> },
    {
      value: 'deploy',
      label: 'Deploy',
      content: <DeployTab name={name} files={files} blocklet={detail} onChangeFile={changeFile} onDeployed={refresh} />,
    },
    { value: 'versions', label: 'Versions', content: deployedOnly('Versions', (d) => <VersionsTab blocklet={d} onChanged={refresh} />) },
    {
      value: 'aliases',
      label: 'Aliases',
      content: deployedOnly('Aliases', (d) => <AliasesTab key={d.aliases.map((a) => a.version).join()} blocklet={d} onChanged={refresh} />),
    },
    { value: 'environment', label: 'Environment', content: deployedOnly('Variables', () => <EnvTab name={name} declared={declaredEnv} />) },
    { value: 'logs', label: 'Logs', content: deployedOnly('Log lines', () => <LogsTab name={name} live={logLines} />) },
    { value: 'metrics', label: 'Metrics', content: <MetricsTab metrics={metrics} /> },
    { value: 'usage', label: 'Usage', content: <UsageTab name={name} /> },
    { value: 'call', label: 'Call', content: deployedOnly('Calls', () => <CallTab name={name} nodeUrl={nodeUrl} routes={routes} />) },
  ];

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
        <Link href="/console/blocklets" className="text-sm text-slate-500 hover:underline dark:text-slate-400">
          Blocklets /
        </Link>
        <h1 className="text-xl font-semibold text-slate-900 dark:text-slate-100">{name}</h1>
        {live ? <Badge tone="emerald">live {live.version}</Badge> : <Badge tone="neutral">draft, not deployed</Badge>}
        {canary ? (
          <Badge tone="amber">
            canary {canary.version} · {canary.shareBps / 100}%
          </Badge>
        ) : null}
        {detail ? (
          <Link
            href={`/console/publish?blocklet=${name}`}
            className="ml-auto text-sm font-medium text-indigo-700 hover:underline dark:text-indigo-300"
          >
            Publish to marketplace
          </Link>
        ) : null}
      </div>
      {live ? (
        <p className="text-sm text-slate-600 dark:text-slate-400">
          Served at <code className="break-all">{`${nodeUrl}/b/${name}/`}</code>
        </p>
      ) : null}
      <Tabs
        label="Blocklet sections"
        items={items}
        value={tab}
        onValueChange={(value) => router.replace(`/console/blocklets/${name}?tab=${value}`, { scroll: false })}
      />
    </div>
  );
}
