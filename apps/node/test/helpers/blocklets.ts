import { fromHex } from '@arc/core';
import { readFolder } from '../../src/runtime/components/index.ts';
import type { NodeClient } from './client.ts';
import type { Wallet } from './wallet.ts';

export { COMPONENTS_DIR, readFolder } from '../../src/runtime/components/index.ts';

export interface DeployFolderOptions {
  /** Rewrites the manifest text before upload (after the author is set to the deployer). */
  manifest?: (text: string) => string;
  alias?: 'live' | 'canary' | null;
}

/**
 * Deploys a blocklet folder the way the CLI does: upload the manifest and sources (the node bundles them),
 * sign a deployBlocklet transaction naming the answered hashes with the deployer's key, and hand it to
 * blocklet.deploy (commit, warm, move live). The manifest's author becomes the deployer, who must be it.
 */
export async function deployFolder(client: NodeClient, deployer: Wallet, dir: string, options: DeployFolderOptions = {}) {
  const { manifest, files } = readFolder(dir);
  let text = manifest.replace(/^author: .*$/m, `author: ${deployer.did}`);
  if (options.manifest) text = options.manifest(text);
  const uploaded = await client.blocklet.upload.mutate({ manifest: { file: 'blocklet.yml', text }, files });
  const tx = await deployer.sign({
    type: 'deployBlocklet',
    name: uploaded.name,
    version: uploaded.version,
    manifestHash: fromHex(uploaded.manifestHash),
    bundleHash: fromHex(uploaded.bundleHash),
  });
  return client.blocklet.deploy.mutate({ tx: tx.hex, alias: options.alias === undefined ? 'live' : options.alias });
}
