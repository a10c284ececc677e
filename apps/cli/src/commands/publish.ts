import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type ArcClient, buildTx, ClientError, publishComponent, TxFailedError, textHash, toClientError, txHashHex } from '@arc/client';
import {
  type BlockletManifest,
  COMPONENT_KINDS,
  fromHex,
  isValidDid,
  MARKET_SLUG,
  PRICE_MODELS,
  SHARE_BPS_TOTAL,
  TX_LIMITS,
  toHex,
} from '@arc/core';
import { z } from 'zod';
import { parseInput } from '../args.ts';
import { blockletApi } from '../blocklet/api.ts';
import { kb, readBlockletSource } from '../blocklet/source.ts';
import type { Command } from '../command.ts';
import type { Context } from '../context.ts';
import { parseEnv } from '../env.ts';
import { CliError } from '../errors.ts';

/** The README file `arc publish` requires beside the manifest. */
export const README_FILE = 'README.md';
/** The optional file of marketplace fields beside the manifest (the manifest itself is a strict schema). */
export const MARKET_FILE = 'market.json';
/** A README is at most this (the node's MARKET_LIMITS.readmeBytesMax). */
export const README_BYTES_MAX = 64 * 1024;
/** How long to wait for the publish transaction to commit. */
const PUBLISH_COMMIT_TIMEOUT_MS = 30_000;

const slug = z.string().regex(MARKET_SLUG, 'a category or chain is 2–32 lower-case letters, digits or dashes, a letter first');
const decimal = z.string().regex(/^\d{1,78}$/, 'an amount is a decimal integer string in the smallest unit of ABT');

/**
 * market.json: what the marketplace shows besides the manifest. Every field is optional; the defaults come from the
 * manifest (description, chains from permissions.chains, price and beneficiaries from payment).
 */
export const MarketFileSchema = z.strictObject({
  kind: z.enum(COMPONENT_KINDS).default('blocklet'),
  /** One line for lists and search; defaults to the manifest's description (first line) or title. */
  description: z
    .string()
    .max(TX_LIMITS.componentDescriptionBytes, `a description is at most ${TX_LIMITS.componentDescriptionBytes} bytes`)
    .optional(),
  categories: z.array(slug).min(1).max(TX_LIMITS.componentCategoriesMax).default(['other']),
  chains: z.array(slug).max(TX_LIMITS.componentChainsMax).optional(),
  price: z.strictObject({ model: z.enum(PRICE_MODELS), amount: decimal.default('0') }).optional(),
  beneficiaries: z
    .array(
      z.strictObject({
        did: z.string().refine(isValidDid, 'a beneficiary is a did:abt: DID'),
        shareBps: z.number().int().min(1).max(SHARE_BPS_TOTAL),
      }),
    )
    .min(1)
    .max(TX_LIMITS.beneficiariesMax)
    .optional(),
  releaseNotes: z.string().max(TX_LIMITS.releaseNotesBytes).default(''),
});
export type MarketFile = z.output<typeof MarketFileSchema>;

/** What the publishComponent transaction says, besides the hashes. */
export interface PublishFields {
  kind: MarketFile['kind'];
  description: string;
  categories: string[];
  chains: string[];
  price: { model: (typeof PRICE_MODELS)[number]; amount: bigint };
  beneficiaries: { did: string; shareBps: number }[];
  releaseNotes: string;
}

/** Cuts a text to at most `bytes` UTF-8 bytes without splitting a character. */
function clip(text: string, bytes: number): string {
  let out = text;
  while (new TextEncoder().encode(out).length > bytes) out = out.slice(0, -1);
  return out;
}

/** The publish fields from market.json with the manifest's defaults, checked as the ledger will check them. */
export function publishFields(manifest: BlockletManifest, market: MarketFile, publisher: string): PublishFields {
  const firstLine = manifest.description.split('\n').find((line) => line.trim() !== '') ?? manifest.title;
  const description = market.description ?? clip(firstLine.trim(), TX_LIMITS.componentDescriptionBytes);
  const chains = market.chains ?? [...new Set(manifest.permissions.chains.map((c) => c.chain))];
  const manifestPrice = BigInt(manifest.payment.price);
  const price = market.price
    ? { model: market.price.model, amount: BigInt(market.price.amount) }
    : manifestPrice > 0n
      ? { model: 'perCall' as const, amount: manifestPrice }
      : { model: 'free' as const, amount: 0n };
  if ((price.model === 'free') !== (price.amount === 0n)) {
    throw new CliError('MANIFEST_INVALID', `${MARKET_FILE}: price.amount is 0 exactly when price.model is free`);
  }
  const fromManifest = manifest.payment.beneficiaries.length > 0 ? manifest.payment.beneficiaries : null;
  const beneficiaries = market.beneficiaries ?? fromManifest ?? [{ did: publisher, shareBps: SHARE_BPS_TOTAL }];
  if (new Set(beneficiaries.map((b) => b.did)).size !== beneficiaries.length) {
    throw new CliError('MANIFEST_INVALID', `${MARKET_FILE}: a beneficiary appears twice; give one entry per DID and add its shares`);
  }
  const sum = beneficiaries.reduce((total, b) => total + b.shareBps, 0);
  if (sum !== SHARE_BPS_TOTAL) {
    throw new CliError(
      'MANIFEST_INVALID',
      `${MARKET_FILE}: the beneficiaries' shares add up to ${sum} basis points; make them add up to exactly ${SHARE_BPS_TOTAL} (100%)`,
    );
  }
  return { kind: market.kind, description, categories: market.categories, chains, price, beneficiaries, releaseNotes: market.releaseNotes };
}

/** Reads market.json beside the manifest; absent means every default. */
export async function readMarketFile(dir: string): Promise<MarketFile> {
  const path = join(dir, MARKET_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return MarketFileSchema.parse({});
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CliError('MANIFEST_INVALID', `${path} is not JSON (${(error as Error).message})`);
  }
  const parsed = MarketFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CliError('MANIFEST_INVALID', `${path}: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

/** Reads README.md beside the manifest: required, UTF-8, within the node's bound. */
export async function readReadme(dir: string): Promise<string> {
  const path = join(dir, README_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new CliError(
        'README_MISSING',
        `${path} is missing; the marketplace shows a component's README, so write one (what it does, how to use it) and publish again`,
      );
    }
    throw error;
  }
  const bytes = new TextEncoder().encode(text).length;
  if (bytes > README_BYTES_MAX) {
    throw new CliError('SOURCE_TOO_LARGE', `${path} is ${kb(bytes)}; a README is at most ${kb(README_BYTES_MAX)}, so shorten it`);
  }
  if (text.trim() === '') throw new CliError('README_MISSING', `${path} is empty; write what the component does and how to use it`);
  return text;
}

/** The market procedures the CLI calls (apps/node/src/market/api-schemas.ts: PutTextIn → PutTextOut). */
interface MarketTrpc {
  market: { putText: { mutate(input: { text: string; purpose: 'readme' | 'review' | 'reply' }): Promise<unknown> } };
}
const PutTextOut = z.object({ hash: z.string().regex(/^[0-9a-f]{64}$/), bytes: z.number() });

/** Stores a text by its sha-256 on the node and checks the node's hash is the one we sign. */
export async function putText(client: ArcClient, text: string, purpose: 'readme' | 'review' | 'reply'): Promise<string> {
  let raw: unknown;
  try {
    raw = await (client.trpc as unknown as MarketTrpc).market.putText.mutate({ text, purpose });
  } catch (error) {
    throw toClientError(error);
  }
  const parsed = PutTextOut.safeParse(raw);
  if (!parsed.success) throw new ClientError('BAD_RESPONSE', "the node's answer to market.putText does not fit the API");
  const expected = toHex(textHash(text));
  if (parsed.data.hash !== expected) {
    throw new ClientError('BAD_RESPONSE', `the node stored the text as ${parsed.data.hash}, not its sha-256 ${expected}`);
  }
  return expected;
}

/** What a refusal of the ledger means for someone publishing, added to its sentence. */
const HINTS: Record<string, string> = {
  COMPONENT_NAME_TAKEN: 'another account published this name first; rename the blocklet in the manifest',
  VERSION_EXISTS: 'versions are immutable; raise "version" in the manifest and publish again',
  NOT_COMPONENT_OWNER: 'only the account that owns the name publishes its versions; publish with that key (--key)',
  INSUFFICIENT_FUNDS: 'every transaction pays a fee; on a dev chain run "arc faucet"',
  STAKE_TOO_LOW: 'a new name is backed by bonded stake: run "arc stake --amount N" with the amount above, then publish again',
  UNKNOWN_ACCOUNT: 'publishing is a transaction and pays a fee; on a dev chain run "arc faucet"',
  INVALID_TX: `check ${MARKET_FILE}: 1 to ${TX_LIMITS.componentCategoriesMax} categories, up to ${TX_LIMITS.beneficiariesMax} beneficiaries whose shares add up to ${SHARE_BPS_TOTAL}`,
  BLOCKLET_NAME_TAKEN: 'another account deployed this blocklet name first; rename the blocklet in the manifest',
};

function withHint(error: unknown): unknown {
  if (!(error instanceof ClientError)) return error;
  const hint = HINTS[error.code];
  if (hint === undefined) return error;
  // A transaction that failed in its block stays one (its nonce is spent: sending it again cannot help).
  if (error instanceof TxFailedError) {
    const failed = new TxFailedError(error.hash, error.height, error.code, error.reason);
    failed.message = `${error.message} (${hint})`;
    return failed;
  }
  return new ClientError(error.code, `${error.message} (${hint})`, { retriable: error.retriable, cause: error });
}

export interface Published {
  name: string;
  version: string;
  kind: string;
  txHash: string;
  height: number;
  manifestHash: string;
  bundleHash: string;
  readmeHash: string;
  bundleBytes: number;
  url: string;
}

/**
 * Publishes the blocklet in dir to the marketplace: uploads the sources (the node bundles and stores them), stores
 * the README by hash, signs publishComponent naming the three hashes, and waits for the commit. One progress line
 * per step.
 */
export async function publishProject(ctx: Context, dir: string, webUrl: string, progress: (line: string) => void): Promise<Published> {
  progress(`reading ${dir}`);
  const source = await readBlockletSource(dir);
  const readme = await readReadme(dir);
  const market = await readMarketFile(dir);
  const wallet = await ctx.wallet();
  if (source.manifest.author !== wallet.did) {
    throw new CliError(
      'MANIFEST_INVALID',
      `the manifest's author is ${source.manifest.author}, but your key is ${wallet.did}; only the author publishes`,
    );
  }
  const fields = publishFields(source.manifest, market, wallet.did);
  const { [MARKET_FILE]: _market, ...files } = source.files;
  const client = ctx.client();
  try {
    progress('uploading bundle…');
    const uploaded = await blockletApi(ctx).upload(source.manifest.name, {
      manifest: { file: source.manifestFile, text: source.manifestText },
      files,
    });
    progress(`stored ${kb(uploaded.bundleBytes)} (bundle sha256 ${uploaded.bundleHash.slice(0, 16)}…)`);
    const readmeHash = await putText(client, readme, 'readme');
    progress(`README stored (sha256 ${readmeHash.slice(0, 16)}…)`);
    const [info, nonce] = await Promise.all([client.chainInfo(), client.nextNonce(wallet.did)]);
    const itx = publishComponent({
      ...fields,
      name: uploaded.name,
      version: uploaded.version,
      manifestHash: fromHex(uploaded.manifestHash),
      bundleHash: fromHex(uploaded.bundleHash),
      readmeHash: fromHex(readmeHash),
    });
    const tx = wallet.signTx(buildTx({ chainId: info.chainId, wallet, nonce, fee: info.params.minFee, itx }));
    progress(`publishing ${uploaded.name}@${uploaded.version}…`);
    const sent = await client.send(tx, { timeoutMs: PUBLISH_COMMIT_TIMEOUT_MS });
    const height = sent.height ?? 0;
    progress(`publishing ${uploaded.name}@${uploaded.version}… committed at height ${height} (tx ${txHashHex(tx)})`);
    return {
      name: uploaded.name,
      version: uploaded.version,
      kind: fields.kind,
      txHash: sent.hash,
      height,
      manifestHash: uploaded.manifestHash,
      bundleHash: uploaded.bundleHash,
      readmeHash,
      bundleBytes: uploaded.bundleBytes,
      url: `${webUrl}/c/${uploaded.name}`,
    };
  } catch (error) {
    throw withHint(error);
  }
}

const PublishInput = z.object({ positional: z.tuple([z.string().min(1)]).or(z.tuple([])) });

const publish: Command = {
  name: 'publish',
  args: '[DIR]',
  summary: 'publish the blocklet in DIR (default .) to the marketplace: bundle, README and a publishComponent transaction',
  details: [
    `Needs ${README_FILE} beside the manifest (shown on the component's page). Marketplace fields go in ${MARKET_FILE}`,
    'beside it (the manifest is strict, so they cannot go in it), every one optional:',
    '  { "kind": "blocklet", "description": "one line", "categories": ["oracles"], "chains": ["ethereum"],',
    '    "price": { "model": "perCall", "amount": "1000" }, "beneficiaries": [{ "did": "did:abt:…", "shareBps": 10000 }],',
    '    "releaseNotes": "what changed" }',
    'Defaults: kind blocklet, the manifest\'s description, category "other", the chains of permissions.chains, the',
    "manifest's payment (price per call and beneficiaries), else free and all to you. The first publish of a name",
    "locks the chain's publish stake; versions are immutable. Prints the component's page (ARC_WEB_URL, default",
    'http://127.0.0.1:3000).',
  ].join('\n'),
  options: [],
  positionalsMax: 1,
  async run(ctx, positionals) {
    const input = parseInput(PublishInput, { positional: positionals });
    const dir = resolve(input.positional[0] ?? '.');
    const progress = (line: string) => {
      if (!ctx.globals.json) ctx.io.out(line);
    };
    const published = await publishProject(ctx, dir, parseEnv(ctx.io.env).webUrl, progress);
    ctx.result(published, [['url', published.url]]);
  },
};

export const publishCommands: Command[] = [publish];
