/** @arc/adapters: OCAP drivers (mock, native, Ethereum, Bitcoin, Hyperledger Fabric) and the parts every adapter shares. */

export * from './bitcoin/index.ts';
export { StreamReader } from './conformance/reader.ts';
export * from './ethereum/index.ts';
export * from './fabric/index.ts';
export * from './mock/index.ts';
export * from './native/index.ts';
export * from './shared/block-poller.ts';
export * from './shared/event-stream.ts';
export * from './shared/idempotency.ts';
export * from './shared/serial.ts';
