export * from '../crypto-memo.ts';
export * from './app.ts';
export * from './prng.ts';
export * from './run.ts';
export * from './scenario.ts';
