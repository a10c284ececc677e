import type { Metadata } from 'next';
import { connection } from 'next/server';
import { env } from '../../../env.ts';
import { ExplorerHome, type HomeInitial, latestRowsMax, rateWindowTxs } from '../../../explorer/home.tsx';
import { nodeApi } from '../../../explorer/node-api.ts';

export const metadata: Metadata = {
  title: 'Explorer',
  description: 'Blocks, transactions and state of an Arc chain, live from its node.',
};

/** The first paint comes with the node's data; a node that does not answer leaves it to the page to say so. */
async function load(): Promise<HomeInitial | null> {
  const api = nodeApi();
  try {
    const [chain, blocks, txs, genesis, chains, supply, lastVerified] = await Promise.all([
      api.chain.info.query(),
      api.block.list.query({ limit: latestRowsMax }),
      api.tx.list.query({ limit: rateWindowTxs }),
      api.block.byHeight.query({ height: 0 }).catch(() => null),
      api.ocap.chains.query().catch(() => null),
      api.economy.supply.query().catch(() => null),
      // null means nobody has reported; a node that does not answer leaves it to the page to ask again.
      api.chain.lastVerified.query().catch(() => undefined),
    ]);
    return { chain, blocks: blocks.items, txs: txs.items, genesisTimeMs: genesis?.timeMs ?? null, chains, supply, lastVerified };
  } catch (error) {
    console.warn(`explorer home: the node at ${env.NODE_URL} did not answer:`, error instanceof Error ? error.message : error);
    return null;
  }
}

export default async function ExplorerHomePage() {
  // Rendered per request, so NODE_URL is the running server's, not the one at build time.
  await connection();
  return <ExplorerHome nodeUrl={env.NODE_URL} initial={await load()} />;
}
