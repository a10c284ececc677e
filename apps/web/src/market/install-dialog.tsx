'use client';

import { buildTx, deployBlocklet, encodeTxHex, type Wallet } from '@arc/client';
import { adminMessage, fromHex, toHex } from '@arc/core';
import { Button, Dialog, Input } from '@arc/ui';
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { ErrorNotice } from '../components/error-notice.tsx';
import { useSession } from '../session/index.ts';
import { useTRPC, useTRPCClient } from '../trpc/react.tsx';
import { nodeClient, useWallet } from '../wallet/index.ts';
import type { InstallResult } from './types.ts';

/** Environment entries an install may set (the node bounds keys and values too). */
const envEntriesMax = 32;
const envKeyPattern = /^[A-Z][A-Z0-9_]{0,63}$/;

type Step = 'choose' | 'signing' | 'done';

/**
 * Install a blocklet or application into one of your applications: choose the application (the console's list, so you
 * sign in to the console first), fill in its environment, then sign in the wallet the install request and the
 * deployBlocklet transaction of the installed blocklet; the node deploys it under the application.
 */
export function InstallDialog({
  name,
  kind,
  version,
  nodeUrl,
}: {
  /** The node's public URL: installed blocklets are served at <nodeUrl>/b/<blocklet>/. */
  nodeUrl: string;
  name: string;
  kind: 'adapter' | 'blocklet' | 'component' | 'application';
  version: string;
}) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const session = useSession();
  const wallet = useWallet();
  const [open, setOpen] = useState(false);
  const [step, setStep] = useState<Step>('choose');
  const [application, setApplication] = useState('');
  const [env, setEnv] = useState<{ key: string; value: string }[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [result, setResult] = useState<InstallResult | null>(null);
  const apps = useQuery({ ...trpc.console.applications.queryOptions(), enabled: open && session.status === 'signed-in' });

  const badKey = env.find((e) => e.key !== '' && !envKeyPattern.test(e.key));
  const install = async () => {
    setStep('signing');
    setError(null);
    try {
      const envRecord = Object.fromEntries(env.filter((e) => e.key !== '').map((e) => [e.key, e.value]));
      const node = nodeClient();
      const info = await node.chainInfo();
      // The node names the installed blocklet and gives the hashes the deployBlocklet transaction must carry.
      const plan = await client.market.installPlan.query({ name, version, application });
      const blocklet = plan.blocklet;
      const signed = await wallet.signWithConsent({
        title: `Install ${name} ${version}`,
        origin: 'Marketplace',
        details: [
          { label: 'Into', value: apps.data?.find((a) => a.appDid === application)?.name ?? application },
          {
            label: 'What happens',
            value: `A deployBlocklet transaction deploys it as ${blocklet} under your DID, run for that application`,
          },
          { label: 'Environment', value: Object.keys(envRecord).join(', ') || 'none' },
          { label: 'Fee', value: `${info.params.minFee} (smallest ABT units), paid by you` },
        ],
        sign: async (signer: Wallet) => {
          if (signer.did !== plan.owner)
            throw new Error(`The application belongs to ${plan.owner}; select that account in your wallet to install into it.`);
          const nonce = await node.nextNonce(signer.did);
          const tx = signer.signTx(
            buildTx({
              chainId: info.chainId,
              wallet: signer,
              nonce,
              fee: info.params.minFee,
              itx: deployBlocklet({
                name: blocklet,
                version: plan.version,
                manifestHash: fromHex(plan.manifestHash),
                bundleHash: fromHex(plan.bundleHash),
              }),
            }),
          );
          const params = { application, version, env: envRecord };
          const timeMs = Date.now();
          const auth = {
            publicKey: toHex(signer.publicKey),
            timeMs,
            signature: toHex(signer.sign(adminMessage('install', name, params, timeMs))),
          };
          return { tx, auth, params };
        },
      });
      const installed = await client.market.install.mutate({
        name,
        version,
        application,
        env: signed.params.env,
        tx: encodeTxHex(signed.tx),
        auth: signed.auth,
      });
      setResult(installed);
      setStep('done');
    } catch (e) {
      setError(e);
      setStep('choose');
    }
  };

  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (!next && step === 'done') {
          setStep('choose');
          setResult(null);
        }
      }}
      dismissible={step !== 'signing'}
      trigger={<Button>Install into an application</Button>}
      title={`Install ${name}`}
      description={`Deploys ${kind === 'application' ? 'this application' : 'this blocklet'} (v${version}) under one of your applications; its calls are recorded for it.`}
      footer={
        step === 'done' ? null : session.status === 'signed-in' ? (
          <Button onClick={() => void install()} disabled={step === 'signing' || application === '' || badKey !== undefined}>
            {step === 'signing' ? 'Installing…' : 'Sign and install'}
          </Button>
        ) : null
      }
    >
      {step === 'done' && result ? (
        <div role="status" className="space-y-2 text-sm text-slate-700 dark:text-slate-300">
          <p className="font-medium text-emerald-700 dark:text-emerald-400">
            Installed as {result.blocklet} {result.version}.
          </p>
          <p>
            It answers at{' '}
            <a
              href={`${nodeUrl}/b/${result.blocklet}/`}
              data-testid="installed-url"
              className="font-mono break-all text-indigo-600 underline underline-offset-2 dark:text-indigo-400"
            >
              {`${nodeUrl}/b/${result.blocklet}/`}
            </a>
            .
          </p>
          <p>
            <Link
              href={`/console/blocklets/${encodeURIComponent(result.blocklet)}`}
              className="text-indigo-600 underline underline-offset-2 dark:text-indigo-400"
            >
              Open it in the console →
            </Link>
          </p>
        </div>
      ) : session.status !== 'signed-in' ? (
        <div className="space-y-2 text-sm text-slate-700 dark:text-slate-300">
          <p>Your applications are in the console: sign in with your wallet to choose one.</p>
          <Button
            variant="secondary"
            onClick={() =>
              void session.signIn().catch((e: unknown) => {
                if (!(e instanceof Error && 'code' in e && e.code === 'CANCELLED')) setError(e);
              })
            }
          >
            Sign in with your wallet
          </Button>
        </div>
      ) : (
        <div className="space-y-4">
          <div>
            <label htmlFor={`install-app-${name}`} className="text-sm font-medium text-slate-800 dark:text-slate-200">
              Application
            </label>
            {apps.isError ? (
              <ErrorNotice error={apps.error} onRetry={() => void apps.refetch()} />
            ) : apps.data && apps.data.length === 0 ? (
              <p className="text-sm text-slate-600 dark:text-slate-400">
                You have no application yet.{' '}
                <Link href="/console/applications" className="text-indigo-600 underline underline-offset-2 dark:text-indigo-400">
                  Create one in the console
                </Link>
                .
              </p>
            ) : (
              <select
                id={`install-app-${name}`}
                value={application}
                onChange={(e) => setApplication(e.target.value)}
                disabled={apps.isPending}
                className="mt-1 block h-10 w-full rounded-lg border-0 bg-white px-2 text-sm text-slate-900 ring-1 ring-slate-300 ring-inset focus:ring-2 focus:ring-indigo-500 dark:bg-slate-900 dark:text-slate-100 dark:ring-slate-700"
              >
                <option value="">{apps.isPending ? 'Loading your applications…' : 'Choose an application'}</option>
                {(apps.data ?? []).map((app) => (
                  <option key={app.appDid} value={app.appDid}>
                    {app.name}
                  </option>
                ))}
              </select>
            )}
          </div>
          <fieldset className="space-y-2">
            <legend className="text-sm font-medium text-slate-800 dark:text-slate-200">Environment</legend>
            <p className="text-xs text-slate-500 dark:text-slate-400">Variables its README asks for, as KEY and value.</p>
            {env.map((entry, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity but their place
              <div key={i} className="flex gap-2">
                <Input
                  aria-label={`Variable ${i + 1} name`}
                  value={entry.key}
                  placeholder="API_URL"
                  onChange={(e) => setEnv(env.map((x, j) => (j === i ? { ...x, key: e.target.value.toUpperCase() } : x)))}
                />
                <Input
                  aria-label={`Variable ${i + 1} value`}
                  value={entry.value}
                  onChange={(e) => setEnv(env.map((x, j) => (j === i ? { ...x, value: e.target.value } : x)))}
                />
                <Button variant="ghost" aria-label={`Remove variable ${i + 1}`} onClick={() => setEnv(env.filter((_, j) => j !== i))}>
                  ×
                </Button>
              </div>
            ))}
            {badKey ? (
              <p role="alert" className="text-xs text-red-700 dark:text-red-400">
                “{badKey.key}” is not a variable name: capital letters, digits and _, a letter first.
              </p>
            ) : null}
            {env.length < envEntriesMax ? (
              <Button variant="secondary" size="sm" onClick={() => setEnv([...env, { key: '', value: '' }])}>
                Add a variable
              </Button>
            ) : null}
          </fieldset>
        </div>
      )}
      {error ? <ErrorNotice error={error} /> : null}
    </Dialog>
  );
}
