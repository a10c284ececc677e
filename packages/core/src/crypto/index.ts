export * from './ecvrf.ts';
export * from './keys.ts';
export * from './provider.ts';
