'use client';

import { Badge, Button, type Column, EmptyState, Field, formatTimeAgo, Input, Select, Table } from '@arc/ui';
import Link from 'next/link';
import { useState } from 'react';
import { ErrorNotice } from '../../components/error-notice.tsx';
import { toast } from '../../components/toast.tsx';
import { type AliasName, type BlockletDetail, useBlockletAdmin } from './use-blocklet-admin.ts';
import { newestFirst, rollbackTarget } from './version-order.ts';

type Version = BlockletDetail['versions'][number];

/** Runs one alias change, with a toast on success and the error kept for the page. */
function useAliasAction(name: string, onChanged: () => void) {
  const admin = useBlockletAdmin();
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  async function run(label: string, changes: { alias: AliasName; version: string | null; shareBps: number }[]) {
    setBusy(label);
    setError(null);
    try {
      for (const change of changes) await admin.setAlias(name, change);
      toast({ kind: 'success', title: label });
      onChanged();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(null);
    }
  }
  return { run, busy, error };
}

/** The Versions tab: every deployed version (immutable), newest first, with where traffic goes and the deploy transaction. */
export function VersionsTab({ blocklet, onChanged }: { blocklet: BlockletDetail; onChanged: () => void }) {
  const { run, busy, error } = useAliasAction(blocklet.name, onChanged);
  const nowMs = Date.now();
  const rows = newestFirst(blocklet.versions);
  const columns: Column<Version>[] = [
    {
      key: 'version',
      header: 'Version',
      cell: (v) => (
        <span className="flex flex-wrap items-center gap-1.5">
          <span className="font-mono">{v.version}</span>
          {blocklet.aliases
            .filter((a) => a.version === v.version)
            .map((a) => (
              <Badge key={a.alias} tone={a.alias === 'live' ? 'emerald' : 'amber'}>
                {a.alias}
                {a.alias === 'canary' ? ` ${a.shareBps / 100}%` : ''}
              </Badge>
            ))}
        </span>
      ),
    },
    { key: 'at', header: 'Deployed', className: 'hidden sm:table-cell', cell: (v) => formatTimeAgo(v.deployedAtMs, nowMs) },
    {
      key: 'size',
      header: 'Bundle',
      className: 'hidden md:table-cell',
      align: 'right',
      cell: (v) => `${(v.bundleBytes / 1024).toFixed(1)} KB`,
    },
    {
      key: 'tx',
      header: 'Transaction',
      className: 'hidden md:table-cell',
      cell: (v) => (
        <Link href={`/explorer/tx/${v.txHash}`} className="font-mono text-xs text-indigo-700 hover:underline dark:text-indigo-300">
          {v.txHash.slice(0, 10)}… (height {v.height})
        </Link>
      ),
    },
    {
      key: 'actions',
      header: 'Actions',
      align: 'right',
      cell: (v) =>
        blocklet.aliases.some((a) => a.alias === 'live' && a.version === v.version) ? null : (
          <Button
            size="sm"
            variant="secondary"
            loading={busy === `Live is now ${v.version}`}
            onClick={() => void run(`Live is now ${v.version}`, [{ alias: 'live', version: v.version, shareBps: 10_000 }])}
          >
            Make live
          </Button>
        ),
    },
  ];
  return (
    <div className="space-y-3">
      {error ? <ErrorNotice error={error} /> : null}
      <Table label="Versions" columns={columns} rows={rows} rowKey={(v) => v.version} empty={<EmptyState title="No versions yet" />} />
    </div>
  );
}

/** The Aliases tab: live and canary, with promote (canary becomes live), rollback (live to the version before) and the canary share. */
export function AliasesTab({ blocklet, onChanged }: { blocklet: BlockletDetail; onChanged: () => void }) {
  const { run, busy, error } = useAliasAction(blocklet.name, onChanged);
  const live = blocklet.aliases.find((a) => a.alias === 'live') ?? null;
  const canary = blocklet.aliases.find((a) => a.alias === 'canary') ?? null;
  const order = newestFirst(blocklet.versions).map((v) => v.version);
  const previous = rollbackTarget(blocklet.versions, live?.version ?? null);
  const [canaryVersion, setCanaryVersion] = useState(canary?.version ?? order[0] ?? '');
  const [sharePercent, setSharePercent] = useState(String((canary?.shareBps ?? 1000) / 100));
  const share = Number(sharePercent);
  const shareProblem = Number.isFinite(share) && share > 0 && share <= 100 ? null : 'A share is a percentage from 0.01 to 100.';

  return (
    <div className="space-y-5">
      {error ? <ErrorNotice error={error} /> : null}
      <div className="grid gap-4 sm:grid-cols-2">
        <section aria-label="Live alias" className="rounded-lg p-4 ring-1 ring-slate-200 dark:ring-slate-800">
          <h3 className="text-sm font-semibold text-slate-900 dark:text-slate-100">Live</h3>
          <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">
            {live ? (
              <>
                <span className="font-mono" data-testid="live-version">
                  {live.version}
                </span>{' '}
                serves {canary ? `${100 - canary.shareBps / 100}%` : 'all'} of calls.
              </>
            ) : (
              'No version is live: calls are refused.'
            )}
          </p>
          {previous ? (
            <Button
              className="mt-3"
              size="sm"
              variant="secondary"
              loading={busy === `Rolled back to ${previous}`}
              onClick={() => void run(`Rolled back to ${previous}`, [{ alias: 'live', version: previous, shareBps: 10_000 }])}
            >
              Roll back to {previous}
            </Button>
          ) : null}
        </section>
        <section aria-label="Canary alias" className="rounded-lg p-4 ring-1 ring-slate-200 dark:ring-slate-800">
          <h3 className="text-sm font-semibold text-slate-900 dark:text-slate-100">Canary</h3>
          <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">
            {canary ? (
              <>
                <span className="font-mono" data-testid="canary-version">
                  {canary.version}
                </span>{' '}
                serves {canary.shareBps / 100}% of calls.
              </>
            ) : (
              'No canary: a new version can take a share of calls before it goes live.'
            )}
          </p>
          {canary ? (
            <div className="mt-3 flex flex-wrap gap-2">
              <Button
                size="sm"
                loading={busy === `Promoted ${canary.version} to live`}
                onClick={() =>
                  void run(`Promoted ${canary.version} to live`, [
                    { alias: 'live', version: canary.version, shareBps: 10_000 },
                    { alias: 'canary', version: null, shareBps: 0 },
                  ])
                }
              >
                Promote to live
              </Button>
              <Button
                size="sm"
                variant="secondary"
                loading={busy === 'Canary removed'}
                onClick={() => void run('Canary removed', [{ alias: 'canary', version: null, shareBps: 0 }])}
              >
                Remove canary
              </Button>
            </div>
          ) : null}
        </section>
      </div>
      <form
        className="flex flex-wrap items-end gap-3"
        onSubmit={(e) => {
          e.preventDefault();
          if (shareProblem === null && canaryVersion)
            void run(`Canary ${canaryVersion} at ${share}%`, [
              { alias: 'canary', version: canaryVersion, shareBps: Math.round(share * 100) },
            ]);
        }}
      >
        <Field label="Canary version" className="w-40">
          <Select options={order.map((v) => ({ value: v, label: v }))} value={canaryVersion} onValueChange={setCanaryVersion} />
        </Field>
        <Field label="Share (%)" error={shareProblem ?? undefined} className="w-28">
          <Input inputMode="decimal" value={sharePercent} onChange={(e) => setSharePercent(e.target.value)} />
        </Field>
        <Button type="submit" variant="secondary" loading={busy?.startsWith('Canary ') ?? false} disabled={shareProblem !== null}>
          Set canary
        </Button>
      </form>
    </div>
  );
}
