export * from './agreement.ts';
export * from './certificate.ts';
export * from './crypto-memo.ts';
export * from './executors.ts';
export * from './messages.ts';
export * from './params.ts';
export * from './sortition.ts';
export * from './tally.ts';
