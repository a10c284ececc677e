export * from './anvil.ts';
