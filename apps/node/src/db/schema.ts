/** Every table of the node, for drizzle-kit and the typed query builder. */
export * from '../ledger/schema.ts';
export * from '../faucet/schema.ts';
