import { createHash } from 'node:crypto';
import {
  didFromPublicKey,
  encodeTx,
  type Itx,
  type KeyPair,
  keyPairFromSeed,
  manifestHash,
  parseManifest,
  SHARE_BPS_TOTAL,
  sha3,
  signTx,
  type UsageRecord,
  utf8,
} from '@arc/core';
import { devKey } from '../config/dev-keys.ts';
import type { Database } from '../db/client.ts';
import type { Admission } from '../ledger/admission.ts';
import type { Ledger } from '../ledger/ledger.ts';
import type { LedgerQueries } from '../ledger/queries.ts';
import { waitForTx } from '../ledger/status.ts';
import { bundleBlocklet } from '../runtime/bundle.ts';
import { BlockletBundles } from '../runtime/bundles.ts';
import { CATALOGUE, type CatalogueEntry, DEMO_MONIKERS, DEMO_PUBLISHERS, DEMO_USERS, type DemoName } from './market-catalogue.ts';
import { adapterManifestJson, entryFiles, marketReadme } from './market-files.ts';
import { replyText, reviewText } from './market-reviews.ts';

const ABT = 10n ** 18n;
/** What each new demo account is given by the faucet: the bond for a few names (staked before publishing), and fees. */
const DEMO_ACCOUNT_FUNDING = 1_000n * ABT;
/** The node's fees for recording the demo's usage. */
const NODE_FUNDING = 10n * ABT;
/** Days of usage history the demo records (the component page charts 30). */
const USAGE_DAYS = 14;
/** Usage records per recordUsage transaction: well under the 16 KB transaction bound at ~110 bytes a record. */
const USAGE_RECORDS_PER_TX = 100;
const SEED_WAIT_MS = 30_000;
/** Transactions submitted together (then committed before the next ones): a block's explorer page shows up to 100. */
const SEED_BLOCK_TXS_MAX = 90;
const DAY_MS = 86_400_000;
/** Components bundled at once: well under the bundler's queue bound (BUNDLER_LIMITS.queuedMax). */
const BUNDLES_AT_ONCE = 4;

/** Maps items through fn, `size` at a time, in order. */
async function inBatches<T, R>(items: readonly T[], size: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map(fn))));
  return out;
}

export interface MarketSeedDeps {
  ledger: Ledger;
  admission: Admission;
  queries: LedgerQueries;
  db: Database;
  now: () => number;
  /** Stores a text (README, review, reply, an adapter's manifest JSON) by its sha-256: the market service's putText. */
  putText: (text: string, purpose: 'readme' | 'review' | 'reply') => Promise<unknown>;
}

export interface MarketSeeded {
  components: number;
  versions: number;
  reviews: number;
  transactions: number;
  ms: number;
}

/** The key of a demo account: alice, bob and carol are the dev keys; the others derive from `arc-demo:<name>`. */
export function demoKey(name: DemoName): KeyPair & { did: string } {
  if (name === 'alice' || name === 'bob' || name === 'carol') return devKey(name);
  const key = keyPairFromSeed(sha3(utf8(`arc-demo:${name}`)));
  return { ...key, did: didFromPublicKey(key.publicKey) };
}

/** The DID of the one application each demo account uses components from. */
export function demoApplication(name: DemoName): string {
  return didFromPublicKey(keyPairFromSeed(sha3(utf8(`arc-demo-app:${name}`))).publicKey, 'application');
}

/** sha-256 of bytes (what the ledger anchors for texts and manifests). */
function sha256(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(bytes).digest());
}

/** A small deterministic generator (mulberry32) per component, so every fresh chain gets the same history. */
function random(seedText: string): () => number {
  let seed = sha256(utf8(seedText)).reduce((h, b) => (h * 31 + b) >>> 0, 7);
  return () => {
    seed = (seed + 0x6d2b79f5) >>> 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Signs transactions with per-account nonces that continue from the chain's, and submits them in batches. */
class Sender {
  readonly #nonces = new Map<string, number>();
  transactions = 0;

  constructor(readonly deps: MarketSeedDeps) {}

  async #nextNonce(did: string): Promise<number> {
    const known = this.#nonces.get(did);
    if (known !== undefined) return known + 1;
    return this.deps.ledger.nextNonce(did);
  }

  /**
   * Signs every transaction of a batch and submits them all at once (the admission keeps each account's arrival
   * order, so nonces stay in sequence while signatures verify on the threads), then waits until all are committed.
   */
  async batch(items: { key: KeyPair & { did: string }; itx: Itx }[]): Promise<void> {
    for (let i = 0; i < items.length; i += SEED_BLOCK_TXS_MAX) await this.#block(items.slice(i, i + SEED_BLOCK_TXS_MAX));
  }

  async #block(items: { key: KeyPair & { did: string }; itx: Itx }[]): Promise<void> {
    const { ledger, admission, queries } = this.deps;
    const signed: Uint8Array[] = [];
    for (const { key, itx } of items) {
      const nonce = await this.#nextNonce(key.did);
      this.#nonces.set(key.did, nonce);
      const unsigned = {
        chainId: ledger.chainId,
        from: key.did,
        publicKey: key.publicKey,
        nonce,
        fee: ledger.params.minFee,
        feePayer: null,
        itx,
      };
      signed.push(encodeTx(signTx(unsigned, key.secretKey)));
    }
    const hashes = (await Promise.all(signed.map((bytes) => admission.submit(bytes)))).map((r) => r.hash);
    ledger.kick();
    for (const hash of hashes) {
      const status = await waitForTx(ledger, queries, hash, SEED_WAIT_MS);
      if (status.status !== 'committed') {
        throw new Error(`market demo transaction ${hash} ended ${status.status}: ${status.error?.code} ${status.error?.message}`);
      }
    }
    this.transactions += hashes.length;
  }
}

/** The revenue split of a paid component: 90% to its publisher, 10% to alice (who runs the demo's node); free: all. */
function beneficiaries(entry: CatalogueEntry, publisher: string): { did: string; shareBps: number }[] {
  const alice = devKey('alice').did;
  if (entry.price.model === 'free' || publisher === alice) return [{ did: publisher, shareBps: SHARE_BPS_TOTAL }];
  return [
    { did: publisher, shareBps: 9_000 },
    { did: alice, shareBps: 1_000 },
  ];
}

/** How many component names each demo publisher publishes. */
function namesByPublisher(): Map<DemoName, number> {
  const names = new Map<DemoName, number>();
  for (const entry of CATALOGUE) names.set(entry.publisher, (names.get(entry.publisher) ?? 0) + 1);
  return names;
}

/** The demo accounts that use an entry (never its publisher), most popular components by the most of them. */
function usersOf(entry: CatalogueEntry): DemoName[] {
  const everyone: DemoName[] = [...DEMO_USERS, 'alice', 'bob', 'carol', ...DEMO_PUBLISHERS];
  const next = random(`users:${entry.name}`);
  const shuffled = everyone
    .filter((name) => name !== entry.publisher)
    .map((name) => ({ name, order: next() }))
    .sort((a, b) => a.order - b.order)
    .map((u) => u.name);
  return shuffled.slice(0, 3 + Math.round(entry.popularity * 7));
}

/**
 * Publishes the demo marketplace on a dev chain: ~36 components (built-in blocklets, adapters with their
 * conformance results, templates, two applications, a catalogue), several versions of some and one deprecated,
 * then a history: 14 days of installs and calls recorded by the node (a usage reporter on dev chains), 2 to 6
 * verified reviews per component with their texts, the owners' replies, and the subscriptions' monthly payments.
 * Blocks of at most 90 transactions. Returns null
 * when the chain has the demo components already, so a restart never publishes twice.
 */
export async function seedMarket(deps: MarketSeedDeps): Promise<MarketSeeded | null> {
  const started = performance.now();
  const names = CATALOGUE.map((e) => e.name);
  const [present] = await deps.db.query<{ n: number | string }>('SELECT count(*) AS n FROM components WHERE name = ANY($1::text[])', [
    names,
  ]);
  if (Number(present?.n ?? 0) > 0) return null;
  const sender = new Sender(deps);
  const faucet = devKey('faucet');
  const newAccounts = [...DEMO_PUBLISHERS, ...DEMO_USERS];

  // Bundles, manifests and READMEs stored by hash before the transactions that name them (while block 1 commits).
  const bundles = new BlockletBundles(deps.db);
  const preparing = inBatches(CATALOGUE, BUNDLES_AT_ONCE, async (entry) => {
    const publisher = demoKey(entry.publisher).did;
    // The sources are the same for every version of an entry: one bundle, a manifest per version.
    let bundled: Promise<{ code: string; hash: string; bytes: number }> | null = null;
    const versions = [];
    for (const { version, notes } of entry.versions) {
      const files = entryFiles(entry, publisher, version);
      if (files === null) {
        const json = adapterManifestJson(entry, version);
        await deps.putText(json, 'readme');
        versions.push({
          version,
          notes,
          manifestHash: sha256(utf8(json)),
          bundleHash: new Uint8Array(32),
          bundleBytes: null as number | null,
        });
        continue;
      }
      const manifest = parseManifest(files.manifest, 'blocklet.yml');
      bundled ??= bundleBlocklet(files.files, manifest.entry);
      const bundle = await bundled;
      const mHash = manifestHash(manifest);
      await bundles.store(bundle, manifest, Buffer.from(mHash).toString('hex'), deps.now());
      versions.push({
        version,
        notes,
        manifestHash: mHash,
        bundleHash: Buffer.from(bundle.hash, 'hex'),
        bundleBytes: bundle.bytes as number | null,
      });
    }
    const readme = marketReadme(entry, versions[versions.length - 1]?.bundleBytes ?? null);
    await deps.putText(readme, 'readme');
    return { entry, publisher, versions, readmeHash: sha256(utf8(readme)) };
  });

  // Block 1: the new accounts and the node get ABT (stakes and fees).
  const funding = sender.batch([
    ...newAccounts.map((name) => ({
      key: faucet,
      itx: { type: 'transfer', to: demoKey(name).did, amount: DEMO_ACCOUNT_FUNDING, tokens: [], assets: [], memo: 'market demo' } as Itx,
    })),
    {
      key: faucet,
      itx: { type: 'transfer', to: deps.ledger.nodeDid, amount: NODE_FUNDING, tokens: [], assets: [], memo: 'usage reporting fees' },
    },
  ]);
  const [prepared] = await Promise.all([preparing, funding]);

  // Block 2: the new accounts name themselves; each publisher bonds the stake its names need (the chain's
  // publishStake per name); every version is published, oldest first; one is deprecated.
  const publishes: { key: KeyPair & { did: string }; itx: Itx }[] = newAccounts.map((name) => ({
    key: demoKey(name),
    itx: { type: 'declareAccount', moniker: DEMO_MONIKERS[name] },
  }));
  for (const [name, names] of namesByPublisher()) {
    const amount = BigInt(names) * deps.ledger.params.economy.publishStake;
    if (amount > 0n) publishes.push({ key: demoKey(name), itx: { type: 'stake', amount } });
  }
  for (const { entry, publisher, versions, readmeHash } of prepared) {
    for (const v of versions) {
      publishes.push({
        key: demoKey(entry.publisher),
        itx: {
          type: 'publishComponent',
          kind: entry.kind,
          name: entry.name,
          version: v.version,
          description: entry.description,
          manifestHash: v.manifestHash,
          bundleHash: v.bundleHash,
          readmeHash,
          releaseNotes: v.notes,
          categories: entry.categories,
          chains: entry.chains,
          price: entry.price,
          beneficiaries: beneficiaries(entry, publisher),
        },
      });
    }
    if (entry.deprecated) {
      publishes.push({
        key: demoKey(entry.publisher),
        itx: {
          type: 'deprecateVersion',
          name: entry.name,
          version: entry.deprecated.version,
          yank: false,
          reason: entry.deprecated.reason,
        },
      });
    }
  }
  await sender.batch(publishes);

  // Block 3: 14 days of installs, calls and payments, as the node's meter would have recorded them.
  const today = Math.floor(deps.now() / DAY_MS);
  const records = new Map<number, UsageRecord[]>();
  for (const entry of CATALOGUE) {
    const next = random(`usage:${entry.name}`);
    for (const user of usersOf(entry)) {
      const application = demoApplication(user);
      const account = demoKey(user).did;
      const firstDay = today - USAGE_DAYS + 1 + Math.floor(next() * 5);
      for (let day = firstDay; day <= today; day++) {
        const calls = Math.round(entry.popularity * 60 * (0.3 + next() * 1.4)) + (day === firstDay ? 1 : 0);
        const paid =
          entry.price.model === 'perCall'
            ? BigInt(calls) * entry.price.amount
            : entry.price.model === 'perMonth' && day === firstDay
              ? entry.price.amount
              : 0n;
        const list = records.get(day) ?? [];
        list.push({ component: entry.name, application, account, installs: day === firstDay ? 1 : 0, calls, paid });
        records.set(day, list);
      }
    }
  }
  const node = deps.ledger.options.nodeKey;
  const nodeKey = { ...node, did: deps.ledger.nodeDid };
  const usageTxs: { key: typeof nodeKey; itx: Itx }[] = [];
  for (const [period, list] of [...records].sort((a, b) => a[0] - b[0])) {
    for (let i = 0; i < list.length; i += USAGE_RECORDS_PER_TX) {
      usageTxs.push({ key: nodeKey, itx: { type: 'recordUsage', period, records: list.slice(i, i + USAGE_RECORDS_PER_TX) } });
    }
  }
  await sender.batch(usageTxs);

  // Block 4: 2 to 6 reviews per component by accounts that used it, with their texts.
  const reviews: { key: KeyPair & { did: string }; itx: Itx }[] = [];
  const replies: { key: KeyPair & { did: string }; itx: Itx }[] = [];
  for (const entry of CATALOGUE) {
    const next = random(`reviews:${entry.name}`);
    const reviewers = usersOf(entry).slice(0, 2 + Math.round(entry.popularity * 4));
    let lowest: { reviewer: string; stars: number } | null = null;
    for (const [i, user] of reviewers.entries()) {
      const stars = Math.max(1, Math.min(5, Math.round(2.6 + entry.popularity * 2 + (next() - 0.5) * 2.2)));
      const text = reviewText(entry, stars, i);
      await deps.putText(text, 'review');
      const reviewer = demoKey(user);
      reviews.push({ key: reviewer, itx: { type: 'reviewComponent', name: entry.name, stars, textHash: sha256(utf8(text)), edit: false } });
      if (lowest === null || stars < lowest.stars) lowest = { reviewer: reviewer.did, stars };
    }
    if (lowest !== null && (entry.popularity >= 0.5 || lowest.stars <= 3)) {
      const text = replyText(entry, lowest.stars);
      await deps.putText(text, 'reply');
      replies.push({
        key: demoKey(entry.publisher),
        itx: { type: 'replyReview', name: entry.name, reviewer: lowest.reviewer, textHash: sha256(utf8(text)) },
      });
    }
  }
  await sender.batch(reviews);
  // Block 5: the owners answer a review each (the lowest rated) on most components.
  await sender.batch(replies);
  // Last block: the monthly payments behind the recorded paid use of the subscription components.
  const payments: { key: KeyPair & { did: string }; itx: Itx }[] = [];
  for (const entry of CATALOGUE.filter((e) => e.price.model === 'perMonth')) {
    const [payer] = usersOf(entry);
    if (payer === undefined) continue;
    payments.push({
      key: demoKey(payer),
      itx: {
        type: 'transfer',
        to: demoKey(entry.publisher).did,
        amount: entry.price.amount,
        tokens: [],
        assets: [],
        memo: `${entry.name} subscription`,
      },
    });
  }
  await sender.batch(payments);

  return {
    components: CATALOGUE.length,
    versions: prepared.reduce((n, p) => n + p.versions.length, 0),
    reviews: reviews.length,
    transactions: sender.transactions,
    ms: Math.round(performance.now() - started),
  };
}
