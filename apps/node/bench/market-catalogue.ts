/**
 * bench:market's catalogue: the accounts, the 10,000 components (300 with --quick), the recorded usage and the
 * 100,000 reviews, signed and committed through admission in windows, and the fixed list of search queries.
 */
import { createHash } from 'node:crypto';
import {
  didFromPublicKey,
  encodeTx,
  fromHex,
  type GenesisConfig,
  type Itx,
  type KeyPair,
  keyPairFromSeed,
  sha3,
  signTx,
  toHex,
  txHash,
  utf8,
} from '@arc/core';
import { round } from '../../../scripts/bench-goals.ts';
import { ECONOMY_PARAMS_DEFAULT } from '../src/config/genesis.ts';
import { dayOf } from '../src/market/indexer.ts';
import type { MarketService } from '../src/market/service.ts';
import type { TestNode } from '../src/testing.ts';

export const quick = process.argv.includes('--quick');
export const COMPONENTS = quick ? 300 : 10_000;
export const REVIEWS = quick ? 3_000 : 100_000;
const PUBLISHERS = quick ? 10 : 200;
const REVIEWERS = quick ? 60 : 2_000;
const REVIEWS_PER_REVIEWER = REVIEWS / REVIEWERS;
const REPORTERS = 20;
const RECORDS_PER_USAGE_TX = 100;
const SEARCH_QUERIES = quick ? 100 : 200;
/** Transactions handed to admission at once while seeding (commitAll). */
const ADMIT_WINDOW = 5_000;
const ABT = 10n ** 18n;
const FEE = 10n ** 14n;

const WORDS = [
  'oracle',
  'price',
  'weather',
  'token',
  'swap',
  'nft',
  'bridge',
  'wallet',
  'cache',
  'index',
  'feed',
  'vault',
  'stake',
  'vote',
  'chat',
  'mail',
  'game',
  'map',
  'clock',
  'dice',
];
const CATEGORIES = ['oracles', 'defi', 'data', 'nft', 'storage', 'tools', 'social', 'games'];
const CHAINS = ['arc', 'ethereum', 'bitcoin', 'fabric'];
const KINDS = ['blocklet', 'component', 'adapter', 'application'] as const;

const key = (label: string): KeyPair & { did: string } => {
  const pair = keyPairFromSeed(sha3(utf8(`bench-market ${label}`)));
  return { ...pair, did: didFromPublicKey(pair.publicKey) };
};
const publishers = Array.from({ length: PUBLISHERS }, (_, i) => key(`publisher ${i}`));
const reviewers = Array.from({ length: REVIEWERS }, (_, i) => key(`reviewer ${i}`));
const reporters = Array.from({ length: REPORTERS }, (_, i) => key(`reporter ${i}`));
const sha = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

export function genesis(): GenesisConfig {
  return {
    chainId: 'arc-bench-market',
    timeMs: Date.UTC(2026, 0, 1),
    nativeToken: { symbol: 'ABT', name: 'ArcBlock Token', decimals: 18 },
    params: {
      minFee: FEE,
      maxTxBytes: 16384,
      maxTxsPerBlock: 5000,
      maxBlockBytes: 8 * 1024 * 1024,
      market: { moderators: [], usageReporters: reporters.map((r) => r.did) },
      economy: { ...ECONOMY_PARAMS_DEFAULT, publishStake: ABT },
    },
    allocations: [...publishers, ...reviewers, ...reporters].map((a) => ({ did: a.did, amount: 1_000_000n * ABT })),
  };
}

function sign(chainId: string, signer: KeyPair & { did: string }, nonce: number, itx: Itx): Uint8Array {
  return encodeTx(
    signTx({ chainId, from: signer.did, publicKey: signer.publicKey, nonce, fee: FEE, feePayer: null, itx }, signer.secretKey),
  );
}

export const componentName = (i: number) => `${WORDS[i % WORDS.length]}-${WORDS[Math.floor(i / WORDS.length) % WORDS.length]}-${i}`;
const readmeOf = (i: number) =>
  `# ${componentName(i)}\n\nA ${WORDS[(i * 7) % WORDS.length]} service for ${WORDS[(i * 3) % WORDS.length]} apps, number ${i}.`;

/** Submits every transaction at once and resolves when all committed (refusals are counted and reported). */
async function commitAll(node: TestNode, txs: Uint8Array[]): Promise<{ committed: number; refused: number; ms: number }> {
  const ledger = node.services.ledger;
  const wanted = new Set(txs.map((bytes) => toHex(txHash(bytes))));
  let committed = 0;
  let refused = 0;
  const start = performance.now();
  const done = new Promise<void>((resolve) => {
    const onBlock = (block: { txHashes: string[]; failed: { hashHex: string }[]; rejected: { hashHex: string }[] }) => {
      // A failed one is in the block but did nothing (fee charged): refused, not committed.
      for (const f of block.failed) if (wanted.delete(f.hashHex)) refused += 1;
      for (const hash of block.txHashes) if (wanted.delete(hash)) committed += 1;
      for (const r of block.rejected) if (wanted.delete(r.hashHex)) refused += 1;
      if (wanted.size === 0) {
        ledger.events.off('block', onBlock);
        resolve();
      }
    };
    ledger.events.on('block', onBlock);
  });
  // In windows, as a client with many transactions sends them: 100,000 submissions at once queue their signature
  // checks past the verify pool's batch deadline, and the node answers the late ones "send again" (UNAVAILABLE).
  for (let from = 0; from < txs.length; from += ADMIT_WINDOW) {
    const window = txs.slice(from, from + ADMIT_WINDOW);
    const results = await Promise.allSettled(window.map((bytes) => node.services.admission.submit(bytes)));
    for (const [i, r] of results.entries()) {
      if (r.status === 'rejected') {
        refused += 1;
        wanted.delete(toHex(txHash(window[i] as Uint8Array)));
        if (refused <= 3) console.log(`    refused at admission: ${(r.reason as Error).message}`);
      }
    }
  }
  if (wanted.size > 0) await done;
  return { committed, refused, ms: performance.now() - start };
}

export async function seed(node: TestNode, market: MarketService): Promise<void> {
  const chainId = node.chainId;
  for (let i = 0; i < COMPONENTS; i += 1) await market.texts.put(readmeOf(i), 'readme');
  const perPublisher = COMPONENTS / PUBLISHERS;
  // Every publisher first bonds the stake its names need (nonce 1), then publishes them (nonces 2…).
  const stakes = publishers.map((publisher) => sign(chainId, publisher, 1, { type: 'stake', amount: BigInt(perPublisher) * ABT } as Itx));
  const staked = await commitAll(node, stakes);
  if (staked.refused > 0) throw new Error(`${staked.refused} publishers could not stake for their names`);
  const publishes: Uint8Array[] = [];
  for (let n = 0; n < perPublisher; n += 1) {
    for (let p = 0; p < PUBLISHERS; p += 1) {
      const i = n * PUBLISHERS + p;
      const publisher = publishers[p] as KeyPair & { did: string };
      publishes.push(
        sign(chainId, publisher, n + 2, {
          type: 'publishComponent',
          kind: KINDS[i % KINDS.length] as (typeof KINDS)[number],
          name: componentName(i),
          version: '1.0.0',
          description: `${WORDS[(i * 7) % WORDS.length]} ${WORDS[(i * 11) % WORDS.length]} for ${CATEGORIES[i % CATEGORIES.length]}`,
          manifestHash: fromHex(sha(`manifest ${i}`)),
          bundleHash: new Uint8Array(32),
          readmeHash: fromHex(sha(readmeOf(i))),
          releaseNotes: '',
          categories: [CATEGORIES[i % CATEGORIES.length] as string],
          chains: [CHAINS[i % CHAINS.length] as string],
          price: i % 5 === 0 ? { model: 'perCall', amount: 10n ** 15n } : { model: 'free', amount: 0n },
          beneficiaries: [{ did: publisher.did, shareBps: 10_000 }],
        } as Itx),
      );
    }
  }
  const published = await commitAll(node, publishes);
  console.log(`  published ${published.committed} components in ${round(published.ms / 1000)} s (${published.refused} refused)`);

  // Which components each reviewer reviews: a spread over the catalogue, more on the first ones (a long tail).
  const pairs: { reviewer: number; component: number }[] = [];
  for (let r = 0; r < REVIEWERS; r += 1) {
    for (let k = 0; k < REVIEWS_PER_REVIEWER; k += 1)
      pairs.push({ reviewer: r, component: (r * 37 + k * 101 + ((k * k) % 13)) % COMPONENTS });
  }
  const unique = [...new Map(pairs.map((p) => [`${p.reviewer}/${p.component}`, p])).values()];
  const day = dayOf(Date.now());
  const usageTxs: Uint8Array[] = [];
  const nonces = new Array(REPORTERS).fill(0);
  for (let at = 0, t = 0; at < unique.length; at += RECORDS_PER_USAGE_TX, t += 1) {
    const r = t % REPORTERS;
    nonces[r] += 1;
    usageTxs.push(
      sign(chainId, reporters[r] as KeyPair & { did: string }, nonces[r], {
        type: 'recordUsage',
        period: day,
        records: unique.slice(at, at + RECORDS_PER_USAGE_TX).map((p) => {
          const reviewer = (reviewers[p.reviewer] as { did: string }).did;
          return {
            component: componentName(p.component),
            application: reviewer,
            account: reviewer,
            installs: 1,
            calls: 1 + ((p.reviewer * 13 + p.component) % 500),
            paid: 0n,
          };
        }),
      } as Itx),
    );
  }
  const used = await commitAll(node, usageTxs);
  console.log(
    `  recorded usage of ${unique.length} pairs in ${used.committed} recordUsage transactions, ${round(used.ms / 1000)} s (${used.refused} refused)`,
  );

  const text = 'Does what it says. Setup took a minute.';
  await market.texts.put(text, 'review');
  const reviewTxs: Uint8Array[] = [];
  const reviewNonces = new Array(REVIEWERS).fill(0);
  for (const p of unique) {
    reviewNonces[p.reviewer] += 1;
    reviewTxs.push(
      sign(chainId, reviewers[p.reviewer] as KeyPair & { did: string }, reviewNonces[p.reviewer], {
        type: 'reviewComponent',
        name: componentName(p.component),
        stars: 1 + ((p.reviewer + p.component) % 5),
        textHash: fromHex(sha(text)),
        edit: false,
      } as Itx),
    );
  }
  const reviewed = await commitAll(node, reviewTxs);
  console.log(`  reviewed: ${reviewed.committed} reviews in ${round(reviewed.ms / 1000)} s (${reviewed.refused} refused)`);
  await market.indexer.settled();
}

export function queries(): Parameters<MarketService['search']['search']>[0][] {
  const typos = ['oracel', 'wether', 'tokn', 'swpa', 'walet', 'brdge', 'cahce', 'stkae', 'mpa', 'dcie'];
  const sorts = ['relevance', 'rank', 'used', 'newest', 'rated'] as const;
  const out: Parameters<MarketService['search']['search']>[0][] = [];
  for (let i = 0; out.length < SEARCH_QUERIES; i += 1) {
    const base = { q: '', limit: 20 };
    switch (i % 8) {
      case 0:
        out.push({ ...base, q: WORDS[i % WORDS.length] as string });
        break;
      case 1:
        out.push({ ...base, q: typos[i % typos.length] as string });
        break;
      case 2:
        out.push({ ...base, q: `${WORDS[i % WORDS.length]} ${WORDS[(i * 3) % WORDS.length]}` });
        break;
      case 3:
        out.push({ ...base, category: CATEGORIES[i % CATEGORIES.length] as string, sort: sorts[i % sorts.length] });
        break;
      case 4:
        out.push({ ...base, kind: KINDS[i % KINDS.length], price: i % 2 ? 'free' : 'paid', sort: 'rank' });
        break;
      case 5:
        out.push({ ...base, q: WORDS[i % WORDS.length] as string, chain: CHAINS[i % CHAINS.length] as string, minRating: 3 });
        break;
      case 6:
        out.push({ ...base, sort: sorts[i % sorts.length] });
        break;
      default:
        out.push({ ...base, q: typos[i % typos.length] as string, sort: 'used' });
    }
  }
  return out;
}
