export { type RegtestNode, type RegtestOptions, regtestRichKey, startRegtestChain } from '../bitcoin/index.ts';
export * from '../fabric/testing/index.ts';
export * from './anvil.ts';
