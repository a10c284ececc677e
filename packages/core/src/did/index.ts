export * from './did.ts';
