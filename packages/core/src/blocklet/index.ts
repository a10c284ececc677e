/** Blocklets: the manifest (schema, parser with line-precise errors, canonical hash), the SDK types and the project templates. */

export * from './admin-auth.ts';
export * from './manifest.ts';
export * from './sdk.ts';
export * from './templates.ts';
export * from './upload.ts';
