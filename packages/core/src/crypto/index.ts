export * from './keys.ts';
export * from './provider.ts';
