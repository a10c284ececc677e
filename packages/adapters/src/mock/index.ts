/** The mock adapter: an in-memory chain behind OCAP, for building an application before any node exists. */
export { createMockAdapter, type MockAdapter } from './adapter.ts';
export { MOCK_LIMITS_DEFAULT, type MockLimits } from './chain.ts';
export type { MockTokenPreset } from './checks.ts';
export { type FailNextOptions, MOCK_FAULTABLE_METHODS, type MockFaultableMethod } from './faults.ts';
export {
  decodeMockTx,
  encodeMockTx,
  MOCK_ADDRESS,
  MOCK_HASH,
  type MockSignedTx,
  type MockTxBody,
  type MockTxKind,
  mockAddressOf,
  mockSigner,
} from './keys.ts';
export type { MockBuildRequest, MockLogInput, MockNative } from './native.ts';
export { MOCK_DEFAULTS, type MockAdapterOptions } from './options.ts';
export type { MockEntry, MockLog } from './state.ts';
