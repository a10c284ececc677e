import { type AdminAuth, fromHex, parseManifest, signUpload } from '@arc/core';
import { readFolder } from '../../src/runtime/components/index.ts';
import type { NodeClient } from './client.ts';
import type { Signer, Wallet } from './wallet.ts';

export { COMPONENTS_DIR, readFolder } from '../../src/runtime/components/index.ts';

export interface UploadContent {
  manifest: { file: 'blocklet.yml' | 'blocklet.yaml' | 'blocklet.json'; text: string };
  files: Record<string, string>;
}

/**
 * blocklet.upload's input signed by `author` (the manifest's author): the name is read from the manifest, or
 * given when the manifest is meant not to parse.
 */
export function signedUpload(author: Signer, upload: UploadContent, name?: string): UploadContent & { auth: AdminAuth } {
  const blocklet = name ?? parseManifest(upload.manifest.text, upload.manifest.file).name;
  return { ...upload, auth: signUpload(author, blocklet, upload, Date.now()) };
}

export interface DeployFolderOptions {
  /** Rewrites the manifest text before upload (after the author is set to the deployer). */
  manifest?: (text: string) => string;
  alias?: 'live' | 'canary' | null;
}

/**
 * Deploys a blocklet folder the way the CLI does: upload the manifest and sources (the node bundles them),
 * sign a deployBlocklet transaction naming the answered hashes with the deployer's key, and hand it to
 * blocklet.deploy (commit, warm, move live). The manifest's author becomes the deployer, who must be it and
 * who signs the upload.
 */
export async function deployFolder(client: NodeClient, deployer: Wallet, dir: string, options: DeployFolderOptions = {}) {
  const { manifest, files } = readFolder(dir);
  let text = manifest.replace(/^author: .*$/m, `author: ${deployer.did}`);
  if (options.manifest) text = options.manifest(text);
  return (await deploySource(client, deployer, text, files, options.alias === undefined ? 'live' : options.alias)).deployed;
}

/**
 * Uploads a manifest's text and its sources signed by `deployer` (the manifest's author), then signs and submits
 * the deployBlocklet transaction naming the answered hashes; answers the upload and the deploy.
 */
export async function deploySource(
  client: NodeClient,
  deployer: Wallet,
  manifest: string,
  files: Record<string, string>,
  alias?: 'live' | 'canary' | null,
) {
  const uploaded = await client.blocklet.upload.mutate(
    signedUpload(deployer.signer, { manifest: { file: 'blocklet.yml', text: manifest }, files }),
  );
  const tx = await deployer.sign({
    type: 'deployBlocklet',
    name: uploaded.name,
    version: uploaded.version,
    manifestHash: fromHex(uploaded.manifestHash),
    bundleHash: fromHex(uploaded.bundleHash),
  });
  const deployed = await client.blocklet.deploy.mutate({ tx: tx.hex, ...(alias === undefined ? {} : { alias }) });
  return { uploaded, deployed };
}
