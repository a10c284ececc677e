'use client';

import { Button, type Column, EmptyState, Field, formatTimeAgo, Input, Table } from '@arc/ui';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ErrorNotice } from '../../components/error-notice.tsx';
import { toast } from '../../components/toast.tsx';
import { type EnvEntry, useBlockletAdmin } from './use-blocklet-admin.ts';

const ENV_KEY = /^[A-Z][A-Z0-9_]{0,63}$/;

/** The Environment tab: variables the blocklet reads as ctx.env; secrets are write-only (the node never returns them). */
export function EnvTab({ name, declared }: { name: string; declared: { name: string; description: string; secure: boolean }[] }) {
  const admin = useBlockletAdmin();
  const queryClient = useQueryClient();
  const queryKey = ['blocklet-env', name];
  const env = useQuery({ queryKey, queryFn: () => admin.listEnv(name) });
  const [key, setKey] = useState('');
  const [value, setValue] = useState('');
  const [secure, setSecure] = useState(false);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const keyProblem = key === '' || ENV_KEY.test(key) ? null : 'A name is UPPER_SNAKE_CASE, e.g. PRICE_URL.';

  async function save(params: { key: string; value: string | null; secure: boolean }, done: string) {
    setSaving(true);
    setError(null);
    try {
      await admin.setEnv(name, params);
      toast({ kind: 'success', title: done });
      await queryClient.invalidateQueries({ queryKey });
    } catch (caught) {
      setError(caught);
    } finally {
      setSaving(false);
    }
  }

  const nowMs = Date.now();
  const columns: Column<EnvEntry>[] = [
    { key: 'key', header: 'Name', cell: (e) => <span className="font-mono text-xs">{e.key}</span> },
    {
      key: 'value',
      header: 'Value',
      cell: (e) =>
        e.secure ? (
          <span title="Secret: write-only, never shown again" className="font-mono text-slate-500">
            •••••••• <span className="sr-only">secret, hidden</span>
          </span>
        ) : (
          <span className="font-mono text-xs break-all">{e.value}</span>
        ),
    },
    { key: 'at', header: 'Updated', className: 'hidden sm:table-cell', cell: (e) => formatTimeAgo(e.updatedAtMs, nowMs) },
    {
      key: 'actions',
      header: 'Actions',
      align: 'right',
      cell: (e) => (
        <Button size="sm" variant="ghost" onClick={() => void save({ key: e.key, value: null, secure: e.secure }, `${e.key} deleted`)}>
          Delete <span className="sr-only">{e.key}</span>
        </Button>
      ),
    },
  ];

  return (
    <div className="space-y-5">
      {env.error ? <ErrorNotice error={env.error} onRetry={() => void env.refetch()} /> : null}
      <Table
        label="Environment variables"
        columns={columns}
        rows={env.data}
        loading={env.isPending}
        rowKey={(e) => e.key}
        empty={<EmptyState title="No variables set" description="Add one below; the blocklet reads it as ctx.env.NAME." />}
      />
      {declared.length > 0 ? (
        <p className="text-xs text-slate-500 dark:text-slate-400">
          The manifest declares: {declared.map((d) => `${d.name}${d.secure ? ' (secret)' : ''}`).join(', ')}.
        </p>
      ) : null}
      <form
        className="grid gap-3 sm:grid-cols-[12rem_1fr_auto_auto] sm:items-end"
        onSubmit={(e) => {
          e.preventDefault();
          if (key === '' || keyProblem !== null) return;
          void save({ key, value, secure }, `${key} saved`).then(() => {
            setValue('');
          });
        }}
      >
        <Field label="Name" error={keyProblem ?? undefined}>
          <Input value={key} onChange={(e) => setKey(e.target.value.toUpperCase())} placeholder="PRICE_URL" spellCheck={false} />
        </Field>
        <Field label="Value">
          <Input type={secure ? 'password' : 'text'} value={value} onChange={(e) => setValue(e.target.value)} autoComplete="off" />
        </Field>
        <label className="flex h-10 items-center gap-2 text-sm text-slate-700 dark:text-slate-300">
          <input type="checkbox" checked={secure} onChange={(e) => setSecure(e.target.checked)} className="accent-indigo-600" />
          Secret
        </label>
        <Button type="submit" loading={saving} disabled={key === '' || keyProblem !== null}>
          Save
        </Button>
      </form>
      {error ? <ErrorNotice error={error} /> : null}
    </div>
  );
}
