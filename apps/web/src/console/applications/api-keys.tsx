'use client';

import { Button, CopyButton, Panel, Table } from '@arc/ui';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ErrorNotice } from '../../components/error-notice.tsx';
import { useTRPC, useTRPCClient } from '../../trpc/react.tsx';
import { isCancelled, useAppAction } from './app-action.ts';
import { newKeyId, signRequest } from './signing.ts';

/** The application's API keys (ids only) and a new one, whose secret is shown once. */
export function ApiKeys({ appDid, appName, keys }: { appDid: string; appName: string; keys: { keyId: string; createdAtMs: number }[] }) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const act = useAppAction(appDid, appName);
  const [secret, setSecret] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function create() {
    setBusy(true);
    setError(null);
    try {
      const keyId = newKeyId();
      const created = await act('Create an API key', [{ label: 'Key id', value: keyId }], (app) =>
        client.gateway.createApiKey.mutate({ appDid, keyId, auth: signRequest(app, 'gateway.createApiKey', appDid, { keyId }) }),
      );
      setSecret(created.apiKey);
      await queryClient.invalidateQueries({ queryKey: trpc.console.application.queryKey({ appDid }) });
    } catch (caught) {
      if (!isCancelled(caught)) setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Panel
      title="API keys"
      aside={
        <Button size="sm" onClick={create} loading={busy}>
          Create API key
        </Button>
      }
    >
      <div className="space-y-4 p-4">
        <p className="text-sm text-slate-600 dark:text-slate-400">
          Your servers connect to the gateway as the application with an API key (Socket.io <code>auth.token</code>, MQTT password).
        </p>
        {secret ? (
          <div
            role="status"
            className="space-y-2 rounded-lg border border-amber-300 bg-amber-50 p-4 dark:border-amber-700 dark:bg-amber-950/40"
          >
            <p className="text-sm font-medium text-amber-900 dark:text-amber-200">
              Copy this key now: it is shown once, and the node keeps only its hash.
            </p>
            <div className="flex items-center gap-2">
              <code data-testid="api-key-secret" className="min-w-0 flex-1 break-all font-mono text-xs text-slate-900 dark:text-slate-100">
                {secret}
              </code>
              <CopyButton value={secret} label="API key" />
            </div>
            <Button size="sm" variant="secondary" onClick={() => setSecret(null)}>
              I have copied it
            </Button>
          </div>
        ) : null}
        {error ? <ErrorNotice error={error} /> : null}
        <Table
          label="API keys"
          rows={keys}
          rowKey={(key) => key.keyId}
          columns={[
            { key: 'id', header: 'Key id', cell: (key) => <span className="font-mono text-xs">{key.keyId}</span> },
            { key: 'created', header: 'Created', cell: (key) => new Date(key.createdAtMs).toLocaleString() },
          ]}
          empty={<p className="py-4 text-center text-sm text-slate-600 dark:text-slate-400">No API keys yet.</p>}
        />
      </div>
    </Panel>
  );
}
