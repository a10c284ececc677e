import type { AppRouter } from '@arc/node/router';
import type { inferRouterOutputs } from '@trpc/server';

/** What each procedure returns, as the browser receives it (no transformer: amounts are strings). */
export type RouterOutputs = inferRouterOutputs<AppRouter>;
export type ChainInfo = RouterOutputs['chain']['info'];
export type Block = RouterOutputs['block']['list']['items'][number];
export type Tx = RouterOutputs['tx']['list']['items'][number];
/** A chain the node reaches through OCAP, with its capabilities and whether it answers. */
export type Chain = RouterOutputs['ocap']['chains'][number];
