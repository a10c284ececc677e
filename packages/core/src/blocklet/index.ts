/** Blocklets: the manifest (schema, parser with line-precise errors, canonical hash) and the SDK types. */
export * from './manifest.ts';
export * from './sdk.ts';
export * from './admin-auth.ts';
