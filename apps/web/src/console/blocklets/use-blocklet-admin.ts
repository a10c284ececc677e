'use client';

import { buildTx, deployBlocklet, encodeTxHex, txHashHex, type Wallet } from '@arc/client';
import { type AdminAuth, adminMessage, fromHex, type ManifestFile, toHex, uploadParams } from '@arc/core';
import { useMemo } from 'react';
import { useTRPCClient } from '../../trpc/react.tsx';
import type { RouterOutputs } from '../../trpc/types.ts';
import { nodeClient, useWallet } from '../../wallet/index.ts';

export type AliasName = 'live' | 'canary';
export type BlockletDetail = RouterOutputs['blocklet']['get'];
export type BlockletSummary = RouterOutputs['blocklet']['list'][number];
export type DeployResult = RouterOutputs['blocklet']['deploy'];
export type EnvEntry = RouterOutputs['blocklet']['listEnv'][number];
export type LogLine = RouterOutputs['blocklet']['logs']['items'][number];

/** The steps of a deploy from the browser, in order. */
export type DeployStep = 'upload' | 'sign' | 'submitted' | 'committed';

export interface DeploySource {
  manifestFile: ManifestFile;
  manifestText: string;
  files: Record<string, string>;
}

/** An owner's signature over one management call (signAdmin's format), made inside the wallet. */
function signAdminWith(signer: Wallet, op: string, name: string, params: unknown): AdminAuth {
  const timeMs = Date.now();
  return { publicKey: toHex(signer.publicKey), timeMs, signature: toHex(signer.sign(adminMessage(op, name, params, timeMs))) };
}

/**
 * The blocklet owner's operations from the browser. Routine management calls (environment, logs, aliases) are
 * signed silently by the unlocked wallet of the signed-in session; a deploy is a ledger transaction and is
 * signed only after the wallet's consent dialog says what it does.
 */
export function useBlockletAdmin() {
  const trpc = useTRPCClient();
  const wallet = useWallet();
  return useMemo(() => {
    const silently = async <T>(sign: (signer: Wallet) => Promise<T>): Promise<T> => {
      if (wallet.status !== 'unlocked') await wallet.unlock();
      return wallet.signSilently(sign);
    };
    const auth = (op: string, name: string, params: object) => silently(async (signer) => signAdminWith(signer, op, name, params));

    return {
      /** Upload → consent and sign the deployBlocklet transaction → the node commits it, warms the version, moves the alias. */
      async deploy(
        source: DeploySource,
        options: { name: string; version: string; alias: AliasName | null; canaryShareBps: number },
        onStep: (step: DeployStep, detail?: string) => void,
      ): Promise<DeployResult> {
        onStep('upload');
        const upload = { manifest: { file: source.manifestFile, text: source.manifestText }, files: source.files };
        const uploadAuth = await silently(async (signer) => signAdminWith(signer, 'upload', options.name, uploadParams(upload)));
        const uploaded = await trpc.blocklet.upload.mutate({ ...upload, auth: uploadAuth });
        onStep('sign', `bundled ${uploaded.bundleBytes} bytes`);
        const client = nodeClient();
        const info = await client.chainInfo();
        const shareLine =
          options.alias === 'canary'
            ? `canary, ${options.canaryShareBps / 100}% of calls`
            : options.alias === 'live'
              ? 'live, all calls'
              : 'no alias';
        const tx = await wallet.signWithConsent({
          title: `Deploy ${uploaded.name} ${uploaded.version}`,
          origin: 'Developer console',
          details: [
            {
              label: 'What happens',
              value: `A deployBlocklet transaction records ${uploaded.name}@${uploaded.version} on the ledger under your DID`,
            },
            { label: 'Bundle', value: `${uploaded.bundleBytes} bytes, sha256 ${uploaded.bundleHash.slice(0, 16)}…` },
            { label: 'Traffic', value: shareLine },
            { label: 'Fee', value: `${info.params.minFee} (smallest ABT units), paid by you` },
          ],
          sign: async (signer) => {
            const nonce = await client.nextNonce(signer.did);
            const itx = deployBlocklet({
              name: uploaded.name,
              version: uploaded.version,
              manifestHash: fromHex(uploaded.manifestHash),
              bundleHash: fromHex(uploaded.bundleHash),
            });
            return signer.signTx(buildTx({ chainId: info.chainId, wallet: signer, nonce, fee: info.params.minFee, itx }));
          },
        });
        onStep('submitted', txHashHex(tx));
        const deployed = await trpc.blocklet.deploy.mutate({
          tx: encodeTxHex(tx),
          alias: options.alias,
          canaryShareBps: options.canaryShareBps,
        });
        onStep('committed', `height ${deployed.version.height}`);
        return deployed;
      },

      async setAlias(name: string, params: { alias: AliasName; version: string | null; shareBps: number }) {
        return trpc.blocklet.setAlias.mutate({ name, ...params, auth: await auth('setAlias', name, params) });
      },

      async setEnv(name: string, params: { key: string; value: string | null; secure: boolean }) {
        await trpc.blocklet.setEnv.mutate({ name, ...params, auth: await auth('setEnv', name, params) });
      },

      async listEnv(name: string) {
        return trpc.blocklet.listEnv.query({ name, auth: await auth('listEnv', name, {}) });
      },

      async logs(name: string, page: { cursor?: string; limit: number }) {
        const params = page.cursor === undefined ? { limit: page.limit } : { cursor: page.cursor, limit: page.limit };
        return trpc.blocklet.logs.query({ name, ...params, auth: await auth('logs', name, params) });
      },

      invoke(input: { name: string; handler: string; input?: unknown; target: string }) {
        return trpc.blocklet.invoke.mutate(input as Parameters<typeof trpc.blocklet.invoke.mutate>[0]);
      },
    };
  }, [trpc, wallet]);
}
