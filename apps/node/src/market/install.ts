import { type BlockletManifest, BlockletManifestSchema, decodeTx, fromHex, manifestHash, toHex, verifyAdmin } from '@arc/core';
import type { z } from 'zod';
import { REPLAYED_MESSAGE, ReplayGuard } from '../admin/replay-guard.ts';
import type { Database } from '../db/client.ts';
import { NodeError } from '../errors.ts';
import type { BlockletRuntime } from '../runtime/service.ts';
import type { InstallIn, InstallOut, InstallsOut } from './api-schemas.ts';
import type { UsageMeter } from './usage.ts';

const BASE58 = /^[1-9A-HJ-NP-Za-km-z]+$/;
/** A blocklet name is at most this long (the chain's blocklet name rule). */
const BLOCKLET_NAME_MAX = 64;
/** Characters of the application DID in an installed blocklet's name. */
const INSTALL_SUFFIX_CHARS = 6;

/**
 * The blocklet name a component runs under in an application: `<component>-<first 6 base58 characters of the
 * application DID after did:abt:>`, lower-cased, the component cut so the whole fits 64 characters.
 */
export function installName(component: string, application: string): string {
  const id = application.replace(/^did:abt:/, '');
  if (!BASE58.test(id)) throw new NodeError('BAD_INPUT', `${application} is not a did:abt: DID.`);
  const suffix = id.slice(0, INSTALL_SUFFIX_CHARS).toLowerCase();
  const head = component.slice(0, BLOCKLET_NAME_MAX - suffix.length - 1).replace(/-+$/, '');
  return `${head}-${suffix}`;
}

/** The manifest an installed copy runs under: the component's, renamed and authored by the application's owner. */
export function installManifest(manifest: BlockletManifest, blocklet: string, owner: string): BlockletManifest {
  return { ...manifest, name: blocklet, author: owner };
}

export interface InstallPlan {
  blocklet: string;
  version: string;
  owner: string;
  /** The hashes the deployBlocklet transaction must name. */
  manifestHash: string;
  bundleHash: string;
  manifest: BlockletManifest;
}

/**
 * Installs blocklet and application components into applications: the application owner's signed deployBlocklet
 * transaction deploys the component's stored bundle under installName(), with the component's manifest renamed.
 */
export class MarketInstaller {
  runtime: BlockletRuntime | null = null;
  meter: UsageMeter | null = null;

  constructor(
    readonly db: Database,
    readonly now: () => number,
  ) {}

  /** What an install of this version into this application deploys (the client signs a deployBlocklet of it). */
  async plan(name: string, version: string, application: string): Promise<InstallPlan> {
    const [component] = await this.db.query<{ kind: string }>('SELECT kind FROM market_components WHERE name = $1', [name]);
    if (!component) throw new NodeError('NOT_FOUND', `No component is named ${name}; search the market for its name.`);
    if (component.kind !== 'blocklet' && component.kind !== 'application') {
      throw new NodeError(
        'BAD_INPUT',
        `${name} is ${component.kind === 'adapter' ? 'an' : 'a'} ${component.kind}; only blocklets and applications are installed.`,
      );
    }
    const [v] = await this.db.query<{ status: string; manifestHash: string; bundleHash: string }>(
      'SELECT status, manifest_hash AS "manifestHash", bundle_hash AS "bundleHash" FROM market_versions WHERE name = $1 AND version = $2',
      [name, version],
    );
    if (!v) throw new NodeError('NOT_FOUND', `${name} has no version ${version}; pick one of its versions.`);
    if (v.status === 'yanked')
      throw new NodeError('CONFLICT', `${name}@${version} is yanked: it takes no new installs; pick a newer version.`);
    const [app] = await this.db.query<{ owner: string }>('SELECT owner_did AS owner FROM console_applications WHERE app_did = $1', [
      application,
    ]);
    if (!app) throw new NodeError('NOT_FOUND', `No application ${application} is registered on this node; create it in the console first.`);
    const [stored] = await this.db.query<{ manifest: unknown }>('SELECT manifest FROM blocklet_manifests WHERE hash = $1', [
      v.manifestHash,
    ]);
    const raw = typeof stored?.manifest === 'string' ? (JSON.parse(stored.manifest) as unknown) : stored?.manifest;
    const parsed = BlockletManifestSchema.safeParse(raw);
    if (!parsed.success)
      throw new NodeError('NOT_FOUND', `This node does not hold the manifest of ${name}@${version}; it cannot install it.`);
    const blocklet = installName(name, application);
    const manifest = installManifest(parsed.data, blocklet, app.owner);
    const mHash = toHex(manifestHash(manifest));
    await this.db.query(
      'INSERT INTO blocklet_manifests (hash, manifest, created_at_ms) VALUES ($1, $2::jsonb, $3) ON CONFLICT (hash) DO NOTHING',
      [mHash, JSON.stringify(manifest), this.now()],
    );
    return { blocklet, version, owner: app.owner, manifestHash: mHash, bundleHash: v.bundleHash, manifest };
  }

  async install(input: z.output<typeof InstallIn>): Promise<z.infer<typeof InstallOut>> {
    const runtime = this.runtime;
    if (!runtime) throw new NodeError('UNAVAILABLE', 'The blocklet runtime is starting; try again in a moment.');
    const params = { application: input.application, version: input.version, env: input.env };
    const verified = verifyAdmin(
      { publicKey: fromHex(input.auth.publicKey), timeMs: input.auth.timeMs, signature: fromHex(input.auth.signature) },
      'install',
      input.name,
      params,
      this.now(),
    );
    if ('error' in verified) throw new NodeError('FORBIDDEN', `Install not authorized: ${verified.error}.`);
    const plan = await this.plan(input.name, input.version, input.application);
    if (verified.did !== plan.owner) {
      throw new NodeError('FORBIDDEN', `The application ${input.application} belongs to ${plan.owner}; only its owner installs into it.`);
    }
    const declared = new Set(plan.manifest.environment.map((e) => e.name));
    const unknown = Object.keys(input.env).filter((key) => !declared.has(key));
    if (unknown.length > 0) {
      throw new NodeError(
        'BAD_INPUT',
        `env sets ${unknown.join(', ')}, which the manifest does not declare; set only its environment keys.`,
      );
    }
    let tx: ReturnType<typeof decodeTx>;
    try {
      tx = decodeTx(fromHex(input.tx));
    } catch (error) {
      throw new NodeError('BAD_INPUT', `tx is not an encoded transaction: ${(error as Error).message}`);
    }
    const itx = tx.itx;
    if (itx.type !== 'deployBlocklet') throw new NodeError('BAD_INPUT', 'tx must be a deployBlocklet transaction.');
    if (tx.from !== plan.owner)
      throw new NodeError('FORBIDDEN', `tx is signed by ${tx.from}; the application's owner ${plan.owner} signs it.`);
    if (
      itx.name !== plan.blocklet ||
      itx.version !== input.version ||
      toHex(itx.manifestHash) !== plan.manifestHash ||
      toHex(itx.bundleHash) !== plan.bundleHash
    ) {
      throw new NodeError(
        'BAD_INPUT',
        `tx must deploy ${plan.blocklet}@${input.version} with manifest ${plan.manifestHash} and bundle ${plan.bundleHash} (market.installPlan).`,
      );
    }
    const request = { did: plan.owner, op: 'install', name: input.name, params, timeMs: input.auth.timeMs };
    if (!(await new ReplayGuard(this.db, this.now).claim(request))) throw new NodeError('REPLAYED', REPLAYED_MESSAGE);
    const deployed = await runtime.deploy({ tx: input.tx, alias: 'live', canaryShareBps: 1000 });
    for (const env of plan.manifest.environment) {
      const value = input.env[env.name];
      if (value !== undefined) await runtime.setEnv(plan.blocklet, env.name, value, env.secure);
    }
    const nowMs = this.now();
    await this.db.query(
      `INSERT INTO market_installs (application, component, version, blocklet, account, tx_hash, installed_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (application, component) DO UPDATE SET version = EXCLUDED.version, blocklet = EXCLUDED.blocklet, tx_hash = EXCLUDED.tx_hash,
         installed_at_ms = EXCLUDED.installed_at_ms`,
      [input.application, input.name, input.version, plan.blocklet, plan.owner, deployed.version.txHash, nowMs],
    );
    await this.meter?.meterInstall(input.name, input.application, plan.owner, nowMs);
    return { blocklet: plan.blocklet, version: input.version, application: input.application, txHash: deployed.version.txHash };
  }

  async installs(application: string): Promise<z.infer<typeof InstallsOut>> {
    return this.db.query<z.infer<typeof InstallsOut>[number]>(
      `SELECT i.component, i.version, i.blocklet, i.installed_at_ms::float8 AS "installedAtMs",
         coalesce((SELECT sum(d.calls) FROM market_usage_daily d WHERE d.component = i.component AND d.application = i.application), 0)::float8 AS calls
       FROM market_installs i WHERE i.application = $1 ORDER BY i.installed_at_ms DESC LIMIT 200`,
      [application],
    );
  }
}
