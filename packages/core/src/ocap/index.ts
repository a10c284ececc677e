/** OCAP: one protocol over many chains. Interfaces, the capability model and the error taxonomy; adapters live in @arc/adapters. */
export * from './caip.ts';
export * from './errors.ts';
export * from './node-api.ts';
export * from './position.ts';
export * from './types.ts';
