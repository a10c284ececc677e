/** Blocklets: the manifest (schema, parser with line-precise errors, canonical hash) and the SDK types. */

export * from './admin-auth.ts';
export * from './manifest.ts';
export * from './sdk.ts';
