import { join } from 'node:path';
import { type DeployBlockletTx, encodeTx, fromHex, parseManifest, signTx, signUpload, toHex } from '@arc/core';
import type { Ledger } from '../../ledger/ledger.ts';
import type { BlockletRuntime } from '../service.ts';
import { COMPONENTS_DIR, readFolder } from './index.ts';

/** Who deploys a built-in component: its author and owner (the manifest's author is set to this DID). */
export interface ComponentDeployer {
  did: string;
  publicKey: Uint8Array;
  secretKey: Uint8Array;
}

/**
 * Uploads a built-in component's folder as `deployer` would with `arc blocklet deploy`: the manifest's author set to
 * the deployer, then `rewrite` (a name, a chain) applied; the upload signed by the deployer. Answers the upload and
 * the deployBlocklet transaction that makes it live once signed by the deployer.
 */
export async function uploadComponent(
  runtime: BlockletRuntime,
  deployer: ComponentDeployer,
  folder: string,
  rewrite: (manifest: string) => string = (m) => m,
): Promise<{ name: string; itx: DeployBlockletTx }> {
  const { manifest, files } = readFolder(join(COMPONENTS_DIR, folder));
  const text = rewrite(manifest.replace(/^author: .*$/m, `author: ${deployer.did}`));
  const upload = { manifest: { file: 'blocklet.yml' as const, text }, files };
  const auth = signUpload(deployer, parseManifest(text, 'blocklet.yml').name, upload, runtime.deps.now());
  const uploaded = await runtime.upload({ ...upload, auth });
  return {
    name: uploaded.name,
    itx: {
      type: 'deployBlocklet',
      name: uploaded.name,
      version: uploaded.version,
      manifestHash: fromHex(uploaded.manifestHash),
      bundleHash: fromHex(uploaded.bundleHash),
    },
  };
}

/**
 * Deploys a built-in component as `deployer` (its author and owner): the upload, then a deployBlocklet transaction
 * signed by the deployer at its next nonce (who must be able to pay the fee), committed and made live. Answers the name.
 */
export async function deployComponent(
  deps: { runtime: BlockletRuntime; ledger: Ledger },
  deployer: ComponentDeployer,
  folder: string,
  rewrite?: (manifest: string) => string,
): Promise<string> {
  const { runtime, ledger } = deps;
  const { name, itx } = await uploadComponent(runtime, deployer, folder, rewrite);
  const nonce = await ledger.nextNonce(deployer.did);
  const tx = signTx(
    { chainId: ledger.chainId, from: deployer.did, publicKey: deployer.publicKey, nonce, fee: ledger.params.minFee, feePayer: null, itx },
    deployer.secretKey,
  );
  await runtime.deploy({ tx: toHex(encodeTx(tx)), alias: 'live', canaryShareBps: 0 });
  return name;
}
