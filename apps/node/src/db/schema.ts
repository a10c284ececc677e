/** Every table of the node, for drizzle-kit and the typed query builder. */

export * from '../admin/schema.ts';
export * from '../cloud/schema.ts';
export * from '../consensus/schema.ts';
export * from '../console/schema.ts';
export * from '../economy/bridge/schema.ts';
export * from '../economy/schema.ts';
export * from '../faucet/schema.ts';
export * from '../gateway/schema.ts';
export * from '../ledger/schema.ts';
export * from '../market/schema.ts';
export * from '../ocap/schema.ts';
export * from '../runtime/executors/schema.ts';
export * from '../runtime/schema.ts';
