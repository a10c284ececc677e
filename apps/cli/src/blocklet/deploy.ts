import { buildTx, ClientError, deployBlocklet, encodeTxHex, txHashHex } from '@arc/client';
import { fromHex } from '@arc/core';
import type { Context } from '../context.ts';
import { CliError } from '../errors.ts';
import type { AliasInfo, AliasName, BlockletApi, VersionInfo } from './api.ts';
import { checkManifest, kb, readBlockletSource, withVersion } from './source.ts';

export interface DeployOptions {
  /** The alias to move to the new version once it is warm; null leaves aliases alone. */
  alias: AliasName | null;
  /** With alias canary: its share of traffic, basis points. */
  canaryShareBps: number;
  /** Deploy under this version instead of the manifest's (arc blocklet dev). */
  version?: string;
}

export interface Deployed {
  version: VersionInfo;
  aliases: AliasInfo[];
  sourceFiles: number;
  sourceBytes: number;
  bundleBytes: number;
}

/** What a refusal of the node means for someone deploying, added to its sentence. */
const HINTS: Record<string, string> = {
  BLOCKLET_NAME_TAKEN: 'another DID deployed this name first; pick another name in the manifest',
  BLOCKLET_VERSION_EXISTS: 'versions are immutable; raise "version" in the manifest and deploy again',
  INSUFFICIENT_FUNDS: 'a deploy is a transaction and pays a fee; on a dev chain run "arc faucet"',
  UNKNOWN_ACCOUNT: 'a deploy is a transaction and pays a fee; on a dev chain run "arc faucet"',
};

function withHint(error: unknown): unknown {
  if (!(error instanceof ClientError)) return error;
  const hint = HINTS[error.code];
  return hint === undefined
    ? error
    : new ClientError(error.code, `${error.message} (${hint})`, { retriable: error.retriable, cause: error });
}

/** The line saying where an alias points, e.g. "live → 1.2.0" or "canary → 1.3.0 (10%)". */
export function aliasLine(alias: AliasInfo): string {
  const share = alias.alias === 'canary' ? ` (${alias.shareBps / 100}%)` : '';
  return `${alias.alias} → ${alias.version}${share}`;
}

/**
 * Deploys the project in dir: reads and checks it, uploads the sources (the node bundles them), signs a
 * deployBlocklet transaction naming the hashes the node answered, and has the node commit it, warm the
 * version and move the alias. `progress` gets one line per step.
 */
export async function deployProject(
  ctx: Context,
  api: BlockletApi,
  dir: string,
  options: DeployOptions,
  progress: (line: string) => void,
): Promise<Deployed> {
  progress(`reading ${dir}`);
  const source = await readBlockletSource(dir);
  let manifestText = source.manifestText;
  if (options.version !== undefined) {
    manifestText = withVersion(source.manifestFile, manifestText, options.version);
    checkManifest(manifestText, `${dir}/${source.manifestFile}`);
  }
  const wallet = await ctx.wallet();
  if (source.manifest.author !== wallet.did) {
    throw new CliError(
      'MANIFEST_INVALID',
      `the manifest's author is ${source.manifest.author}, but your key is ${wallet.did}; only the author deploys`,
    );
  }
  const fileCount = Object.keys(source.files).length;
  progress(`uploading ${fileCount} file${fileCount === 1 ? '' : 's'} / ${kb(source.sourceBytes)}`);
  try {
    const uploaded = await api.upload(source.manifest.name, {
      manifest: { file: source.manifestFile, text: manifestText },
      files: source.files,
    });
    progress(`bundled ${kb(uploaded.bundleBytes)} sha256 ${uploaded.bundleHash.slice(0, 16)}…`);

    const client = ctx.client();
    const [info, nonce] = await Promise.all([client.chainInfo(), client.nextNonce(wallet.did)]);
    const itx = deployBlocklet({
      name: uploaded.name,
      version: uploaded.version,
      manifestHash: fromHex(uploaded.manifestHash),
      bundleHash: fromHex(uploaded.bundleHash),
    });
    const tx = wallet.signTx(buildTx({ chainId: info.chainId, wallet, nonce, fee: info.params.minFee, itx }));
    progress(`signed deployBlocklet ${uploaded.name}@${uploaded.version} as ${wallet.did} (tx ${txHashHex(tx)})`);

    progress('committing and warming');
    const deployed = await api.deploy({ tx: encodeTxHex(tx), alias: options.alias, canaryShareBps: options.canaryShareBps });
    progress(`committed at height ${deployed.version.height}`);
    for (const alias of deployed.aliases.filter((a) => a.version === deployed.version.version)) progress(aliasLine(alias));
    return { ...deployed, sourceFiles: fileCount, sourceBytes: source.sourceBytes, bundleBytes: uploaded.bundleBytes };
  } catch (error) {
    throw withHint(error);
  }
}
