/** Identity proofs: what a DID signs to prove it holds its key (gateway login). */

export * from './challenge.ts';
