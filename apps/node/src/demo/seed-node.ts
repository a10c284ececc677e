/**
 * Everything a new dev chain's node seeds at its first start (`SEED_DEMO`): the demo's history of transactions, the
 * built-in components as blocklets, and the marketplace's catalogue, reviews and texts. Each step logs what it made.
 */
import type { Database } from '../db/client.ts';
import type { Admission } from '../ledger/admission.ts';
import type { Ledger } from '../ledger/ledger.ts';
import type { LedgerQueries } from '../ledger/queries.ts';
import type { MarketService } from '../market/service.ts';
import type { BlockletRuntime } from '../runtime/service.ts';
import { seedComponents } from './components.ts';
import { seedMarket } from './market-seed.ts';
import { seedDemo } from './seed.ts';

export interface SeedNodeDeps {
  db: Database;
  ledger: Ledger;
  admission: Admission;
  queries: LedgerQueries;
  runtime: BlockletRuntime;
  market: MarketService;
  /** The node's own URL, for the lines that say where the components answer. */
  url: string;
  now: () => number;
  log: (line: string) => void;
}

export async function seedNode(deps: SeedNodeDeps): Promise<void> {
  const { db, ledger, admission, queries, market, now, log } = deps;
  const count = await seedDemo(ledger, admission, queries);
  log(`seeded the demo: ${count} transactions up to height ${ledger.head.height}`);
  const components = await seedComponents(deps.runtime, ledger);
  log(`deployed the built-in components: ${components.map((name) => `${deps.url}/b/${name}/`).join(' ')}`);
  const putText = (text: string, purpose: 'readme' | 'review' | 'reply') => market.texts.put(text, purpose);
  const seeded = await seedMarket({ ledger, admission, queries, db, now, putText });
  if (seeded) {
    log(
      `seeded the marketplace: ${seeded.components} components, ${seeded.versions} versions, ${seeded.reviews} reviews in ${seeded.transactions} transactions (${seeded.ms} ms)`,
    );
  }
}
