import { consensusRouter } from '../consensus/router.ts';
import { consoleRouter } from '../console/router.ts';
import { economyRouter } from '../economy/router.ts';
import { faucetRouter } from '../faucet/router.ts';
import { gatewayRouter } from '../gateway/router.ts';
import { accountRouter, assetRouter, blockRouter, chainRouter, searchRouter, tokenRouter, txRouter } from '../ledger/router.ts';
import { marketRouter } from '../market/router.ts';
import { ocapRouter } from '../ocap/router.ts';
import { blockletRouter } from '../runtime/router.ts';
import { router } from './trpc.ts';

/** The node's API: the domain routers, merged once. */
export const appRouter = router({
  chain: chainRouter,
  block: blockRouter,
  tx: txRouter,
  account: accountRouter,
  token: tokenRouter,
  asset: assetRouter,
  search: searchRouter,
  faucet: faucetRouter,
  ocap: ocapRouter,
  blocklet: blockletRouter,
  gateway: gatewayRouter,
  console: consoleRouter,
  market: marketRouter,
  economy: economyRouter,
  consensus: consensusRouter,
});

export type AppRouter = typeof appRouter;
