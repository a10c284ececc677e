'use client';

import { Button, CopyButton, Dialog, DialogClose, Panel, Table } from '@arc/ui';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ErrorNotice } from '../../components/error-notice.tsx';
import { toast } from '../../components/toast.tsx';
import { useTRPC, useTRPCClient } from '../../trpc/react.tsx';
import { isCancelled, useAppAction } from './app-action.ts';
import { newKeyId, signRequest } from './signing.ts';

interface ApiKey {
  keyId: string;
  createdAtMs: number;
}

/** What stops working when a key is revoked: said in the confirm step and in the wallet's consent dialog. */
const revokedMeans = (keyId: string) =>
  `Servers connected with ${keyId} are disconnected now, and can no longer connect or publish as the application. Give them a new key first.`;

/** The application's API keys (ids only): a new one, whose secret is shown once, and revoking one. */
export function ApiKeys({ appDid, appName, keys }: { appDid: string; appName: string; keys: ApiKey[] }) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const act = useAppAction(appDid, appName);
  const [secret, setSecret] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);

  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.console.application.queryKey({ appDid }) });

  async function create() {
    setBusy('create');
    setError(null);
    try {
      const keyId = newKeyId();
      const created = await act('Create an API key', [{ label: 'Key id', value: keyId }], (app) =>
        client.gateway.createApiKey.mutate({ appDid, keyId, auth: signRequest(app, 'gateway.createApiKey', appDid, { keyId }) }),
      );
      setSecret(created.apiKey);
      await refresh();
    } catch (caught) {
      if (!isCancelled(caught)) setError(caught);
    } finally {
      setBusy(null);
    }
  }

  async function revoke(keyId: string) {
    setConfirming(null);
    setBusy(keyId);
    setError(null);
    try {
      await act(`Revoke the API key ${keyId}`, [{ label: 'What stops working', value: revokedMeans(keyId) }], (app) =>
        client.gateway.revokeApiKey.mutate({ appDid, keyId, auth: signRequest(app, 'gateway.revokeApiKey', appDid, { keyId }) }),
      );
      // The secret shown is of a key that may be this one: keep it out of sight either way.
      if (secret?.startsWith(`ak_${keyId}.`)) setSecret(null);
      await refresh();
      toast({ title: 'API key revoked', body: `${keyId} no longer connects to the gateway.`, kind: 'success' });
    } catch (caught) {
      if (!isCancelled(caught)) setError(caught);
    } finally {
      setBusy(null);
    }
  }

  return (
    <Panel
      title="API keys"
      aside={
        <Button size="sm" onClick={create} loading={busy === 'create'}>
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
            {
              key: 'id',
              header: 'Key id',
              cell: (key) => (
                <>
                  <span className="font-mono text-xs">{key.keyId}</span>
                  {/* On a phone the Created column is dropped: the date goes under the id instead. */}
                  <span className="block text-xs text-slate-500 sm:hidden dark:text-slate-400">
                    created {new Date(key.createdAtMs).toLocaleDateString()}
                  </span>
                </>
              ),
            },
            {
              key: 'created',
              header: 'Created',
              className: 'hidden sm:table-cell',
              cell: (key) => <span className="whitespace-nowrap">{new Date(key.createdAtMs).toLocaleString()}</span>,
            },
            {
              key: 'revoke',
              header: <span className="sr-only">Actions</span>,
              align: 'right',
              cell: (key) => (
                <Button
                  variant="ghost"
                  size="sm"
                  loading={busy === key.keyId}
                  onClick={() => setConfirming(key.keyId)}
                  aria-label={`Revoke ${key.keyId}`}
                >
                  Revoke
                </Button>
              ),
            },
          ]}
          empty={
            <p className="py-4 text-center text-sm text-slate-600 dark:text-slate-400">
              No API keys: create one for each server that publishes as {appName}.
            </p>
          }
        />
      </div>
      <Dialog
        open={confirming !== null}
        onOpenChange={(open) => {
          if (!open) setConfirming(null);
        }}
        title={`Revoke ${confirming ?? ''}?`}
        description={confirming ? revokedMeans(confirming) : undefined}
        footer={
          <>
            <DialogClose>
              <Button variant="secondary">Keep it</Button>
            </DialogClose>
            <Button variant="danger" onClick={() => confirming && void revoke(confirming)}>
              Revoke key
            </Button>
          </>
        }
      />
    </Panel>
  );
}
