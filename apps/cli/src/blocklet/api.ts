import { type ArcClient, toClientError, type Wallet } from '@arc/client';
import { fromHex, signAdmin, signUpload } from '@arc/core';
import type { Context } from '../context.ts';
import type { ManifestFile } from './source.ts';

/** Runs one procedure, turning every failure into a ClientError with the node's code. */
async function call<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw toClientError(error);
  }
}

export type AliasName = 'live' | 'canary';

/** Signed by the owner: see signAdmin in @arc/core. */
interface Auth {
  publicKey: string;
  timeMs: number;
  signature: string;
}

/**
 * The node's blocklet procedures (apps/node/src/runtime/api-schemas.ts), called through the client's tRPC
 * link. Management calls carry `auth`: the owner's signature over the operation, the blocklet, the time and
 * the input without `name` and `auth`. Every failure becomes a ClientError with the node's code.
 */
export class BlockletApi {
  readonly #client: ArcClient;

  constructor(
    client: ArcClient,
    readonly wallet: () => Promise<Wallet>,
  ) {
    this.#client = client;
  }

  get #trpc() {
    return this.#client.trpc.blocklet;
  }

  /** The owner's signature over (op, name, params, now). */
  async #auth(op: string, name: string, params: object): Promise<Auth> {
    const wallet = await this.wallet();
    return signAdmin({ publicKey: wallet.publicKey, secretKey: fromHex(wallet.secretKeyHex) }, op, name, params, Date.now());
  }

  /**
   * Sends the manifest and sources, signed by the wallet (the manifest's author, named `name`); the node
   * bundles them and answers the hashes to deploy.
   */
  async upload(name: string, input: { manifest: { file: ManifestFile; text: string }; files: Record<string, string> }) {
    const wallet = await this.wallet();
    const auth = signUpload({ publicKey: wallet.publicKey, secretKey: fromHex(wallet.secretKeyHex) }, name, input, Date.now());
    return call(() => this.#trpc.upload.mutate({ ...input, auth }));
  }

  /** Has the node commit a signed deployBlocklet transaction, warm the version and move the alias. */
  deploy(input: { tx: string; alias: AliasName | null; canaryShareBps: number }) {
    return call(() => this.#trpc.deploy.mutate(input));
  }

  list(page: { cursor?: string; limit: number }) {
    return call(() => this.#trpc.list.query(page));
  }

  /** A blocklet with its versions (deploy order) and aliases. */
  get(name: string) {
    return call(() => this.#trpc.get.query({ name }));
  }

  async setAlias(name: string, params: { alias: AliasName; version: string | null; shareBps: number }) {
    // Every field is sent, so the node's defaults cannot make its params differ from the signed ones.
    const auth = await this.#auth('setAlias', name, params);
    return call(() => this.#trpc.setAlias.mutate({ name, ...params, auth }));
  }

  async setEnv(name: string, params: { key: string; value: string | null; secure: boolean }) {
    const auth = await this.#auth('setEnv', name, params);
    await call(() => this.#trpc.setEnv.mutate({ name, ...params, auth }));
  }

  async listEnv(name: string) {
    const auth = await this.#auth('listEnv', name, {});
    return call(() => this.#trpc.listEnv.query({ name, auth }));
  }

  /** Log lines newest first; pass nextCursor back for older ones. */
  async logs(name: string, page: { cursor?: string; limit: number }) {
    const params = page.cursor === undefined ? { limit: page.limit } : { cursor: page.cursor, limit: page.limit };
    const auth = await this.#auth('logs', name, params);
    return call(() => this.#trpc.logs.query({ name, ...params, auth }));
  }

  invoke(input: { name: string; handler: string; input?: unknown; target: string }) {
    // The input is any JSON value; tRPC types it as zod's JSON type, which `unknown` is not assignable to.
    return call(() => this.#trpc.invoke.mutate(input as Parameters<ArcClient['trpc']['blocklet']['invoke']['mutate']>[0]));
  }
}

export type LogLine = Awaited<ReturnType<BlockletApi['logs']>>['items'][number];
export type AliasInfo = Awaited<ReturnType<BlockletApi['deploy']>>['aliases'][number];
export type VersionInfo = Awaited<ReturnType<BlockletApi['deploy']>>['version'];

/** The blocklet procedures of the --node, signing management calls with the --key wallet. */
export function blockletApi(ctx: Context): BlockletApi {
  return new BlockletApi(ctx.client(), () => ctx.wallet());
}
