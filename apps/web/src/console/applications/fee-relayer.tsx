'use client';

import { ClientError } from '@arc/client';
import { Button, CopyButton, Panel } from '@arc/ui';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { ErrorNotice } from '../../components/error-notice.tsx';
import { toast } from '../../components/toast.tsx';
import { useTRPC, useTRPCClient } from '../../trpc/react.tsx';
import { useWallet } from '../../wallet/index.ts';
import { type DeployStep, useBlockletAdmin } from '../blocklets/use-blocklet-admin.ts';
import { isCancelled, useAppAction } from './app-action.ts';
import { signRequest } from './signing.ts';

/** The relayer blocklet's name for an application: one per application, named from its DID (names are global). */
export function relayerName(appDid: string): string {
  return `relayer-${appDid.slice(-12).toLowerCase()}`;
}

const STEP_TEXT: Record<DeployStep, string> = {
  upload: 'Uploading the relayer…',
  sign: 'Waiting for your signature of the deploy…',
  submitted: 'Deploying: waiting for the block…',
  committed: 'Deployed.',
};

const NOT_FOUND = (error: unknown) => (error as { data?: { code?: string } } | null)?.data?.code === 'NOT_FOUND';

/**
 * The application's fee relayer (the built-in `fee-relayer` component): deployed under the developer's DID, holding
 * the application's key as a secure variable, it co-signs what the application's users send it, so they need no ABT.
 */
export function FeeRelayer({ appDid, appName, nodeUrl }: { appDid: string; appName: string; nodeUrl: string }) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const admin = useBlockletAdmin();
  const wallet = useWallet();
  const act = useAppAction(appDid, appName);
  const name = relayerName(appDid);
  const blocklet = useQuery({ ...trpc.blocklet.get.queryOptions({ name }), retry: false });
  const identity = useQuery({
    queryKey: ['fee-relayer-identity', name],
    enabled: blocklet.isSuccess,
    retry: false,
    queryFn: async () => (await client.blocklet.invoke.mutate({ name, handler: 'call', input: { op: 'identity' }, target: 'live' })).output,
  });
  const [step, setStep] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const endpoint = `${nodeUrl.replace(/\/$/, '')}/b/${name}/sponsor`;
  const keySet = identity.isSuccess;
  const keyMissing = identity.isError && /APP_KEY/.test((identity.error as Error).message);

  /** Hands the application's key to the relayer (a secure variable), after the developer agrees in the wallet. */
  async function sealKey() {
    await act(
      `Let ${name} pay ${appName}'s users' fees`,
      [
        {
          label: 'What the node holds',
          value: `${appName}'s key, as the secure variable APP_KEY of ${name}: only public keys and signatures leave it`,
        },
        {
          label: 'What it signs',
          value: "Transactions its users send to the relayer that name the application as fee payer, within the relayer's policy",
        },
      ],
      async (app, developer) => {
        const params = { key: 'APP_KEY', value: app.toJSON().secretKey, secure: true };
        await client.blocklet.setEnv.mutate({ name, ...params, auth: signRequest(developer, 'setEnv', name, params) });
      },
    );
  }

  async function setUp() {
    setError(null);
    try {
      if (!blocklet.isSuccess) {
        const source = await client.blocklet.builtin.query({ component: 'fee-relayer' });
        const developer = wallet.active?.did;
        if (!developer) throw new ClientError('WALLET_LOCKED', 'Unlock your wallet first.');
        const manifestText = source.manifest.replace(/^name: .*$/m, `name: ${name}`).replace(/^author: .*$/m, `author: ${developer}`);
        await admin.deploy(
          { manifestFile: 'blocklet.yml', manifestText, files: source.files },
          { name, version: '1.0.0', alias: 'live', canaryShareBps: 0 },
          (at) => setStep(STEP_TEXT[at]),
        );
      }
      setStep('Handing over the application key…');
      await sealKey();
      await queryClient.invalidateQueries({ queryKey: trpc.blocklet.get.queryKey({ name }) });
      await queryClient.invalidateQueries({ queryKey: ['fee-relayer-identity', name] });
      toast({ title: 'Fee relayer ready', body: `${appName}'s users can send transactions to ${name}.`, kind: 'success' });
    } catch (caught) {
      if (!isCancelled(caught)) setError(caught);
    } finally {
      setStep(null);
    }
  }

  const policy = (identity.data as { policy?: { allowedTypes: string[]; maxFee: string; perSenderPerMinute: number } } | undefined)?.policy;
  const missing = blocklet.isError && NOT_FOUND(blocklet.error);
  return (
    <Panel
      title="Fee relayer"
      aside={
        missing || keyMissing ? (
          <Button size="sm" onClick={setUp} loading={step !== null}>
            {missing ? 'Set up relayer' : 'Hand over the key'}
          </Button>
        ) : null
      }
    >
      <div className="space-y-4 p-4">
        <p className="text-sm text-slate-600 dark:text-slate-400">
          Your users send the transactions they signed, naming {appName} as fee payer, to a relayer that co-signs them: they need no ABT,
          and the fees go on {appName}'s bill. Without a server of your own, let the node run one for you.
        </p>
        {step ? (
          <p role="status" className="text-sm text-indigo-700 dark:text-indigo-300">
            {step}
          </p>
        ) : null}
        {error ? <ErrorNotice error={error} /> : null}
        {blocklet.isError && !missing ? <ErrorNotice error={blocklet.error} onRetry={() => blocklet.refetch()} /> : null}
        {missing ? (
          <p className="text-sm text-slate-700 dark:text-slate-300">
            No relayer yet. Setting one up deploys <code>{name}</code> under your DID (one transaction, your fee) and hands it {appName}'s
            key as a secure variable.
          </p>
        ) : null}
        {blocklet.isSuccess ? (
          <dl className="grid grid-cols-[minmax(0,1fr)] gap-x-3 gap-y-1 text-sm sm:grid-cols-[10rem_minmax(0,1fr)] sm:gap-y-3">
            <dt className="mt-2 text-slate-500 sm:mt-0 dark:text-slate-400">Blocklet</dt>
            <dd className="break-words">
              <Link href={`/console/blocklets/${name}`} className="font-mono text-indigo-700 hover:underline dark:text-indigo-300">
                {name}
              </Link>{' '}
              <span className="text-slate-500 dark:text-slate-400">(edit its policy in Environment)</span>
            </dd>
            <dt className="mt-2 text-slate-500 sm:mt-0 dark:text-slate-400">Status</dt>
            <dd data-testid="relayer-status">
              {keySet
                ? 'Ready: co-signing for its users'
                : keyMissing
                  ? 'Deployed, but it does not hold the application key yet'
                  : identity.isError
                    ? `Not answering: ${(identity.error as Error).message}`
                    : 'Checking…'}
            </dd>
            <dt className="mt-2 text-slate-500 sm:mt-0 dark:text-slate-400">Endpoint</dt>
            <dd className="flex min-w-0 items-center gap-2">
              <code className="min-w-0 break-all font-mono text-xs">POST {endpoint}</code>
              <CopyButton value={endpoint} label="relayer endpoint" />
            </dd>
            {policy ? (
              <>
                <dt className="mt-2 text-slate-500 sm:mt-0 dark:text-slate-400">Pays for</dt>
                <dd className="break-words">
                  {policy.allowedTypes.join(', ')}; up to {policy.perSenderPerMinute} per user per minute
                </dd>
              </>
            ) : null}
            <dt className="mt-2 text-slate-500 sm:mt-0 dark:text-slate-400">From your app</dt>
            <dd>
              <code className="block whitespace-pre-wrap break-all rounded bg-slate-100 p-2 font-mono text-xs dark:bg-slate-900">
                {`const tx = wallet.signForSponsor(buildTx({ …, feePayer }));\nfetch('${endpoint}', { method: 'POST',\n  body: JSON.stringify({ tx: '0x' + toHex(encodeForSponsor(tx)) }) });`}
              </code>
            </dd>
          </dl>
        ) : null}
      </div>
    </Panel>
  );
}
