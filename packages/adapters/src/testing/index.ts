export * from './anvil.ts';
export { regtestRichKey, startRegtestChain } from '../bitcoin/index.ts';
