import { randomUUID } from 'node:crypto';
import { type BlockletManifest, decodeTx, fromHex, manifestHash, parseManifest, toHex, uploadParams, verifyAdmin } from '@arc/core';
import type { z } from 'zod';
import { REPLAYED_MESSAGE, ReplayGuard } from '../admin/replay-guard.ts';
import { NodeError } from '../errors.ts';
import { waitForTx } from '../ledger/status.ts';
import type { BlockletAliases } from './aliases.ts';
import type { DeployIn, UploadIn } from './api-schemas.ts';
import { bundleBlocklet } from './bundle.ts';
import type { BlockletBundles } from './bundles.ts';
import type { BlockletRegistry } from './registry.ts';
import { RUNTIME_LIMITS, type RuntimeDeps } from './runtime-types.ts';
import type { SandboxCode } from './sandbox/types.ts';

/**
 * Uploads (bundle + manifest by content hash, signed by the manifest's author) and deployments (a ledger
 * transaction naming an upload, indexed back from the chain, then live moved to it).
 */
export class BlockletDeploys {
  constructor(
    readonly deps: RuntimeDeps,
    readonly registry: BlockletRegistry,
    readonly bundles: BlockletBundles,
    readonly aliases: BlockletAliases,
  ) {}

  /** Parses the manifest, bundles the sources, compiles the bundle in the sandbox, and stores both by hash. */
  async upload(input: z.output<typeof UploadIn>) {
    const manifest = parseUploadedManifest(input.manifest.text, input.manifest.file);
    await this.#authorizeUpload(manifest, input);
    const bundle = await bundleBlocklet(input.files, manifest.entry);
    // A throwaway deployment: the check runs the module's top level in isolates of its own, dropped after.
    const check: SandboxCode = { deployment: `upload:${randomUUID()}`, hash: bundle.hash, source: bundle.code };
    try {
      await this.deps.sandbox.warm(check, manifest.limits);
    } catch (error) {
      throw new NodeError('BUNDLE_INVALID', `The bundle does not load in the sandbox: ${(error as Error).message}`);
    } finally {
      await this.deps.sandbox.evict(check.deployment);
    }
    const mHash = toHex(manifestHash(manifest));
    await this.bundles.store(bundle, manifest, mHash, this.deps.now());
    return { name: manifest.name, version: manifest.version, manifestHash: mHash, bundleHash: bundle.hash, bundleBytes: bundle.bytes };
  }

  /**
   * Submits a signed deployBlocklet transaction naming an upload, waits for it to commit and be indexed, warms
   * the version and (by default) moves `live` to it. Refuses early what the index would ignore.
   */
  async deploy(input: z.output<typeof DeployIn>) {
    const bytes = fromHex(input.tx);
    let tx: ReturnType<typeof decodeTx>;
    try {
      tx = decodeTx(bytes);
    } catch (error) {
      throw new NodeError('BAD_INPUT', `tx is not an encoded transaction: ${(error as Error).message}`);
    }
    if (tx.itx.type !== 'deployBlocklet') throw new NodeError('BAD_INPUT', 'tx must be a deployBlocklet transaction.');
    const { name, version } = tx.itx;
    const mHash = toHex(tx.itx.manifestHash);
    const bHash = toHex(tx.itx.bundleHash);
    const manifest = await this.bundles.manifest(mHash);
    if (!manifest) throw new NodeError('NOT_FOUND', `No upload has manifest ${mHash}; call blocklet.upload first.`);
    if (!(await this.bundles.hasBundle(bHash)))
      throw new NodeError('NOT_FOUND', `No upload has bundle ${bHash}; call blocklet.upload first.`);
    if (manifest.name !== name || manifest.version !== version) {
      throw new NodeError(
        'BAD_INPUT',
        `The transaction deploys ${name}@${version} but the manifest is ${manifest.name}@${manifest.version}.`,
      );
    }
    if (manifest.author !== tx.from)
      throw new NodeError('PERMISSION_DENIED', `The manifest's author is ${manifest.author}; only the author deploys it.`);
    const owner = await this.registry.owner(name);
    if (owner !== null && owner !== tx.from) throw new NodeError('BLOCKLET_NAME_TAKEN', `The name ${name} belongs to ${owner}.`);
    if (await this.registry.version(name, version))
      throw new NodeError('BLOCKLET_VERSION_EXISTS', `${name}@${version} exists; versions are immutable, bump the version.`);

    const submitted = await this.deps.admission.submit(bytes);
    const startedMs = this.deps.now();
    const status = await waitForTx(this.deps.ledger, this.deps.queries, submitted.hash, RUNTIME_LIMITS.deployWaitMs);
    if (status.status === 'rejected')
      throw new NodeError((status.error?.code ?? 'CONFLICT') as never, status.error?.message ?? 'The ledger refused the deploy.');
    if (status.status === 'failed')
      throw new NodeError(
        (status.error?.code ?? 'CONFLICT') as never,
        `The deploy failed in block ${status.height} and its fee was charged: ${status.error?.message ?? 'the ledger refused it'}.`,
      );
    if (status.status !== 'committed' || status.height === null)
      throw new NodeError('UNAVAILABLE', 'The deploy did not commit in time; ask blocklet.get later.');
    await this.registry.waitIndexed(status.height, Math.max(1000, RUNTIME_LIMITS.deployWaitMs - (this.deps.now() - startedMs)));
    const deployed = await this.registry.version(name, version);
    if (!deployed || deployed.txHash !== submitted.hash)
      throw new NodeError('BLOCKLET_NAME_TAKEN', `Another deploy of ${name}@${version} came first.`);
    if (input.alias) await this.aliases.switch(name, input.alias, deployed, input.canaryShareBps);
    return { version: { ...deployed, bundleBytes: await this.bundles.bundleBytes(bHash) }, aliases: await this.registry.aliases(name) };
  }

  /**
   * An upload is signed by the manifest's author (who alone may deploy it), over the manifest and a digest of
   * the files; a name that exists belongs to its owner, so only the owner uploads versions of it.
   */
  async #authorizeUpload(manifest: BlockletManifest, input: z.output<typeof UploadIn>): Promise<void> {
    if (!input.auth) {
      throw new NodeError(
        'UNAUTHORIZED',
        "blocklet.upload needs `auth`: the manifest author's signature over the upload (signUpload from @arc/core).",
      );
    }
    const { auth } = input;
    const verified = verifyAdmin(
      { publicKey: fromHex(auth.publicKey), timeMs: auth.timeMs, signature: fromHex(auth.signature) },
      'upload',
      manifest.name,
      uploadParams({ manifest: input.manifest, files: input.files }),
      this.deps.now(),
    );
    if ('error' in verified) throw new NodeError('PERMISSION_DENIED', `Upload not authorized: ${verified.error}.`);
    if (verified.did !== manifest.author) {
      throw new NodeError(
        'PERMISSION_DENIED',
        `The manifest's author is ${manifest.author} but ${verified.did} signed the upload; the author signs it.`,
      );
    }
    const owner = await this.registry.owner(manifest.name);
    if (owner !== null && owner !== verified.did)
      throw new NodeError('BLOCKLET_NAME_TAKEN', `The name ${manifest.name} belongs to ${owner}.`);
    // Usable once, like every signed admin request (admin/replay-guard.ts); the guard holds no state of its own.
    const request = {
      did: verified.did,
      op: 'upload',
      name: manifest.name,
      params: uploadParams({ manifest: input.manifest, files: input.files }),
      timeMs: auth.timeMs,
    };
    if (!(await new ReplayGuard(this.deps.db, this.deps.now).claim(request))) throw new NodeError('REPLAYED', REPLAYED_MESSAGE);
  }
}

function parseUploadedManifest(text: string, file: string): BlockletManifest {
  try {
    return parseManifest(text, file);
  } catch (error) {
    throw new NodeError('MANIFEST_INVALID', (error as Error).message);
  }
}
