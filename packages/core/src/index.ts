/** @arc/core: the pure heart of the platform (keys, DIDs, encoding, the ledger state machine, Merkle state). */

export * from './blocklet/index.ts';
export * from './bytes.ts';
export * from './consensus/index.ts';
export * from './crypto/index.ts';
export * from './did/index.ts';
export * from './encoding/codec.ts';
export * from './errors/index.ts';
export * from './identity/index.ts';
export * from './ledger/index.ts';
export * from './merkle/index.ts';
export * from './ocap/index.ts';
