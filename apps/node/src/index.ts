export type { AppRouter } from './api/router.ts';
export { parseEnv } from './config/env.ts';
export { parseGenesis } from './config/genesis.ts';
export { type NodeOptions, type RunningNode, startNode } from './node.ts';
