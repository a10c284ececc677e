import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromHex } from '@arc/core';
import type { NodeClient } from './client.ts';
import type { Wallet } from './wallet.ts';

/** Where the built-in components live, one folder each. */
export const COMPONENTS_DIR = new URL('../../src/runtime/components/', import.meta.url).pathname;

export interface DeployFolderOptions {
  /** Rewrites the manifest text before upload (after the author is set to the deployer). */
  manifest?: (text: string) => string;
  alias?: 'live' | 'canary' | null;
}

/** The manifest and the source files of a blocklet folder, as `arc blocklet deploy` reads them. */
export function readFolder(dir: string): { manifest: string; files: Record<string, string> } {
  const files: Record<string, string> = {};
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isFile() && /\.(m?[jt]s|json)$/.test(entry.name)) files[entry.name] = readFileSync(join(dir, entry.name), 'utf8');
  }
  return { manifest: readFileSync(join(dir, 'blocklet.yml'), 'utf8'), files };
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
